#include "redisstream.h"

#include <hiredis/hiredis.h>

namespace Pushboard::RedisStream {

namespace {

/// hiredis's own functions (the ones a reader starts with), wrapped by bound().
redisReplyObjectFunctions s_hiredis {};
redisReplyObjectFunctions s_bounded {};

void *createBoundedArray(const redisReadTask *task, int elements)
{
    if (elements > MaxArrayElements)
        return nullptr; // hiredis reports it as a failed allocation and fails the connection.
    return s_hiredis.createArray(task, elements);
}

bool isString(const redisReply *reply)
{
    return reply && reply->type == REDIS_REPLY_STRING;
}

QByteArray text(const redisReply *reply)
{
    return QByteArray(reply->str, qsizetype(reply->len));
}

} // namespace

std::optional<Event> eventFrom(const redisReply *entry, QByteArray *streamId)
{
    if (!entry || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || !isString(entry->element[0]))
        return std::nullopt;
    *streamId = text(entry->element[0]);
    const qsizetype dash = streamId->indexOf('-');
    bool idOk = false;
    Event event;
    event.id = streamId->left(dash).toULongLong(&idOk);
    const redisReply *fields = entry->element[1];
    if (!idOk || event.id == 0 || dash < 0 || !fields || fields->type != REDIS_REPLY_ARRAY)
        return std::nullopt;
    bool topicSeen = false, timeSeen = false, dataSeen = false;
    for (size_t f = 0; f + 1 < fields->elements; f += 2) {
        if (!isString(fields->element[f]) || !isString(fields->element[f + 1]))
            continue;
        const QByteArray name = text(fields->element[f]);
        const QByteArray value = text(fields->element[f + 1]);
        if (name == "topic") {
            event.topic = QString::fromUtf8(value);
            topicSeen = true;
        } else if (name == "time") {
            event.timeMs = value.toLongLong(&timeSeen);
        } else if (name == "data") {
            event.data = value;
            dataSeen = true;
        }
    }
    if (!topicSeen || !timeSeen || !dataSeen || !isValidTopic(event.topic))
        return std::nullopt;
    return event;
}

QString errorText(int err, const char *errstr)
{
    if (err == REDIS_ERR_OOM)
        return QStringLiteral("it sent an answer larger than allowed (an array of more than %1 "
                              "elements)")
            .arg(MaxArrayElements);
    return QString::fromLocal8Bit(errstr);
}

void bound(redisReader *reader)
{
    if (!reader || !reader->fn || reader->fn == &s_bounded)
        return;
    if (!s_hiredis.createArray) { // One event-loop thread: no race on the first call.
        s_hiredis = *reader->fn;
        s_bounded = s_hiredis;
        s_bounded.createArray = &createBoundedArray;
    }
    reader->fn = &s_bounded;
}

} // namespace Pushboard::RedisStream
