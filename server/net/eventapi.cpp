#include "eventapi.h"

#include "eventstore.h"
#include "protocol/jsonencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pushboard::EventApi {

using StatusCode = HttpReply::StatusCode;

void publish(EventStore &store, const HttpRequest &request, HttpReply &&reply)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &error);
    if (error.error != QJsonParseError::NoError) {
        reply.sendError(StatusCode::BadRequest,
            QStringLiteral("bad JSON at offset %1: %2").arg(error.offset).arg(error.errorString()));
        return;
    }
    if (!doc.isObject()) {
        reply.sendError(StatusCode::BadRequest,
            QStringLiteral("the body must be a JSON object {\"topic\": ..., \"data\": ...}"));
        return;
    }
    const QJsonObject body = doc.object();
    const QJsonValue topic = body.value(QStringLiteral("topic"));
    if (!topic.isString()) {
        reply.sendError(StatusCode::BadRequest, QStringLiteral("\"topic\" must be a string"));
        return;
    }
    if (!isValidTopic(topic.toString())) {
        reply.sendError(StatusCode::BadRequest,
            QStringLiteral("bad topic '%1': topics match [a-z0-9][a-z0-9._-]{0,63}")
                .arg(topic.toString().left(80)));
        return;
    }
    if (!body.contains(QStringLiteral("data"))) {
        reply.sendError(StatusCode::BadRequest,
            QStringLiteral("\"data\" is missing (it may be any JSON value, null included)"));
        return;
    }
    const EventList stored = store.append(
        {EventDraft {topic.toString(), compactJson(body.value(QStringLiteral("data")))}});
    if (stored.isEmpty()) {
        reply.sendError(StatusCode::ServiceUnavailable,
            QStringLiteral("the event log cannot be written: %1").arg(store.errorString()));
        return;
    }
    reply.send(StatusCode::Accepted,
        "{\"id\":\"" + QByteArray::number(stored.constFirst().id) + "\"}", "application/json",
        {{"Cache-Control", "no-store"}});
}

void snapshot(const EventStore &store, HttpReply &&reply)
{
    reply.send(StatusCode::Ok, "{\"events\":" + JsonEncoder::eventArray(store.snapshot()) + '}',
        "application/json", {{"Cache-Control", "no-store"}});
}

void topics(const EventStore &store, HttpReply &&reply)
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
