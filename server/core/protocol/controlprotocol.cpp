#include "controlprotocol.h"

#include "jsonencoder.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Pushboard::ControlProtocol {

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject withRef(QJsonObject object, const QJsonValue &ref)
{
    if (!ref.isUndefined())
        object.insert(QStringLiteral("ref"), ref);
    return object;
}

} // namespace

std::optional<ClientMessage> parse(const QByteArray &frame, QString *error, QJsonValue *ref)
{
    *ref = QJsonValue(QJsonValue::Undefined);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("bad JSON at offset %1: %2")
                     .arg(parseError.offset)
                     .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("a message is a JSON object with an \"op\"");
        return std::nullopt;
    }
    const QJsonObject object = doc.object();
    *ref = object.value(QStringLiteral("ref"));

    ClientMessage message;
    message.ref = *ref;
    const QString op = object.value(QStringLiteral("op")).toString();
    if (op == QLatin1String("subscribe")) {
        message.op = ClientMessage::Op::Subscribe;
        const QJsonValue topics = object.value(QStringLiteral("topics"));
        if (!topics.isUndefined() && !topics.isNull() && !topics.isArray()) {
            *error = QStringLiteral("\"topics\" must be an array of topic names");
            return std::nullopt;
        }
        for (const QJsonValue &topic : topics.toArray()) {
            if (!topic.isString() || !isValidTopic(topic.toString())) {
                *error = QStringLiteral("bad topic %1: topics match [a-z0-9][a-z0-9._-]{0,63}")
                             .arg(QString::fromUtf8(compactJson(topic).left(80)));
                return std::nullopt;
            }
            if (!message.topics.contains(topic.toString()))
                message.topics.append(topic.toString());
        }
        const QJsonValue after = object.value(QStringLiteral("after"));
        if (!after.isUndefined() && !after.isNull()) {
            quint64 id = 0;
            if (!after.isString() || !parseEventId(after.toString().toUtf8(), &id)) {
                *error = QStringLiteral("\"after\" must be an event id, a decimal string");
                return std::nullopt;
            }
            message.after = id;
        }
    } else if (op == QLatin1String("unsubscribe")) {
        message.op = ClientMessage::Op::Unsubscribe;
    } else if (op == QLatin1String("publish")) {
        message.op = ClientMessage::Op::Publish;
        const QJsonValue topic = object.value(QStringLiteral("topic"));
        if (!topic.isString() || !isValidTopic(topic.toString())) {
            *error = QStringLiteral(
                "\"topic\" must be a topic name matching [a-z0-9][a-z0-9._-]{0,63}");
            return std::nullopt;
        }
        if (!object.contains(QStringLiteral("data"))) {
            *error
                = QStringLiteral("\"data\" is missing (it may be any JSON value, null included)");
            return std::nullopt;
        }
        message.topic = topic.toString();
        message.data = object.value(QStringLiteral("data"));
    } else if (op == QLatin1String("control")) {
        message.op = ClientMessage::Op::Control;
        const QJsonValue action = object.value(QStringLiteral("action"));
        const QJsonValue args = object.value(QStringLiteral("args"));
        if (!action.isString()) {
            *error = QStringLiteral("\"action\" must be a string");
            return std::nullopt;
        }
        if (!args.isUndefined() && !args.isObject()) {
            *error = QStringLiteral("\"args\" must be an object");
            return std::nullopt;
        }
        message.action = action.toString();
        message.args = args.toObject();
    } else {
        *error = op.isEmpty()
            ? QStringLiteral("\"op\" is missing")
            : QStringLiteral("unknown op '%1': subscribe, unsubscribe, publish or control")
                  .arg(op.left(40));
        return std::nullopt;
    }
    return message;
}

QByteArray event(const Event &event)
{
    // {"id":...} from the JSON encoder, with "op" put in front.
    return "{\"op\":\"event\"," + JsonEncoder::event(event).mid(1);
}

QByteArray gap(quint64 firstMissing, quint64 lastMissing)
{
    return "{\"op\":\"gap\",\"from\":\"" + QByteArray::number(firstMissing) + "\",\"to\":\""
        + QByteArray::number(lastMissing) + "\"}";
}

QByteArray reset(quint64 newestId)
{
    return "{\"op\":\"reset\",\"newest\":\"" + QByteArray::number(newestId) + "\"}";
}

QByteArray ack(const QJsonValue &ref, const QJsonObject &fields)
{
    QJsonObject object = fields;
    object.insert(QStringLiteral("op"), QStringLiteral("ack"));
    return compact(withRef(object, ref));
}

QByteArray error(const QJsonValue &ref, const QString &reason)
{
    return compact(withRef(
        {{QStringLiteral("op"), QStringLiteral("error")}, {QStringLiteral("error"), reason}}, ref));
}

QByteArray state(const QJsonObject &state)
{
    QJsonObject object = state;
    object.insert(QStringLiteral("op"), QStringLiteral("state"));
    return compact(object);
}

} // namespace Pushboard::ControlProtocol
