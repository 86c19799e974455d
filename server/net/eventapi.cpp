#include "eventapi.h"

#include "eventlog.h"
#include "protocol/jsonencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>
#include <optional>

namespace Pushboard::EventApi {

using StatusCode = HttpReply::StatusCode;

namespace {

/// One `{"topic": ..., "data": ...}` as a draft; nothing and `error` set when it is not one.
std::optional<EventDraft> draftFrom(const QJsonValue &value, QString *error)
{
    if (!value.isObject()) {
        *error = QStringLiteral("an event must be a JSON object {\"topic\": ..., \"data\": ...}");
        return std::nullopt;
    }
    const QJsonObject body = value.toObject();
    const QJsonValue topic = body.value(QStringLiteral("topic"));
    if (!topic.isString()) {
        *error = QStringLiteral("\"topic\" must be a string");
        return std::nullopt;
    }
    if (!isValidTopic(topic.toString())) {
        *error = QStringLiteral("bad topic '%1': topics match [a-z0-9][a-z0-9._-]{0,63}")
                     .arg(topic.toString().left(80));
        return std::nullopt;
    }
    if (!body.contains(QStringLiteral("data"))) {
        *error = QStringLiteral("\"data\" is missing (it may be any JSON value, null included)");
        return std::nullopt;
    }
    return EventDraft {topic.toString(), compactJson(body.value(QStringLiteral("data")))};
}

QString jsonError(const QJsonParseError &error)
{
    return QStringLiteral("bad JSON at offset %1: %2").arg(error.offset).arg(error.errorString());
}

} // namespace

void publish(EventLog &store, const HttpRequest &request, HttpReply &&reply)
{
    // One event (an object), or a batch: a JSON array, or NDJSON (one object per line).
    const bool ndjson = request.value("Content-Type")
                            .split(';')
                            .constFirst()
                            .trimmed()
                            .compare("application/x-ndjson", Qt::CaseInsensitive)
        == 0;
    QList<EventDraft> drafts;
    bool batch = true;
    QString error;
    if (ndjson) {
        int line = 0;
        for (const QByteArray &text : request.body().split('\n')) {
            ++line;
            if (text.trimmed().isEmpty())
                continue;
            if (drafts.size() > MaxBatchEvents)
                break; // Too many already: a 413 below.
            QJsonParseError parse;
            const QJsonDocument doc = QJsonDocument::fromJson(text, &parse);
            std::optional<EventDraft> draft;
            if (parse.error != QJsonParseError::NoError)
                error = jsonError(parse);
            else
                draft = draftFrom(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(), &error);
            if (!draft) {
                reply.sendError(
                    StatusCode::BadRequest, QStringLiteral("line %1: %2").arg(line).arg(error));
                return;
            }
            drafts.append(*draft);
        }
    } else {
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &parse);
        if (parse.error != QJsonParseError::NoError) {
            reply.sendError(StatusCode::BadRequest, jsonError(parse));
            return;
        }
        if (doc.isObject()) {
            batch = false;
            const std::optional<EventDraft> draft = draftFrom(doc.object(), &error);
            if (!draft) {
                reply.sendError(StatusCode::BadRequest, error);
                return;
            }
            drafts.append(*draft);
        } else {
            const QJsonArray events = doc.array();
            for (qsizetype i = 0; i < events.size() && i <= MaxBatchEvents; ++i) {
                const std::optional<EventDraft> draft = draftFrom(events.at(i), &error);
                if (!draft) {
                    reply.sendError(StatusCode::BadRequest,
                        QStringLiteral("event %1 of the array: %2").arg(i).arg(error));
                    return;
                }
                drafts.append(*draft);
            }
        }
    }
    if (drafts.isEmpty()) {
        reply.sendError(StatusCode::BadRequest,
            QStringLiteral("an empty batch: send at least one {\"topic\": ..., \"data\": ...}"));
        return;
    }
    if (drafts.size() > MaxBatchEvents) {
        reply.sendError(StatusCode::PayloadTooLarge,
            QStringLiteral("at most %1 events per request").arg(MaxBatchEvents));
        return;
    }
    // Group-committed with every other publish of this turn; answered once stored. The reply is
    // shared because the callback must be copyable; the connection may close meanwhile, then
    // sending is a no-op.
    auto shared = std::make_shared<HttpReply>(std::move(reply));
    store.publish(drafts, [shared, batch](const EventList &stored, const QString &error) {
        if (stored.isEmpty()) {
            shared->sendError(StatusCode::ServiceUnavailable,
                QStringLiteral("the event log cannot be written: %1").arg(error));
            return;
        }
        QByteArray body;
        if (!batch) {
            body = "{\"id\":\"" + QByteArray::number(stored.constFirst().id) + "\"}";
        } else {
            QByteArrayList ids;
            for (const Event &event : stored)
                ids.append('"' + QByteArray::number(event.id) + '"');
            body = "{\"ids\":[" + ids.join(',') + "]}";
        }
        shared->send(
            StatusCode::Accepted, body, "application/json", {{"Cache-Control", "no-store"}});
    });
}

void snapshot(const EventLog &store, HttpReply &&reply)
{
    reply.send(StatusCode::Ok, "{\"events\":" + JsonEncoder::eventArray(store.snapshot()) + '}',
        "application/json", {{"Cache-Control", "no-store"}});
}

void topics(const EventLog &store, HttpReply &&reply)
{
    QJsonArray list;
    for (const TopicInfo &info : store.topics()) {
        list.append(QJsonObject {{QStringLiteral("topic"), info.topic},
            {QStringLiteral("count"), info.count},
            {QStringLiteral("newestId"), QString::number(info.newest.id)}});
    }
    reply.sendJson({{QStringLiteral("topics"), list}});
}

} // namespace Pushboard::EventApi
