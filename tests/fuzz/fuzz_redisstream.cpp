// libFuzzer: what a Redis server (or anything that answers in its place) sends back for XRANGE or
// XREAD, parsed by hiredis's reader (bounded as the server bounds it) and read as stream entries by
// RedisStream::eventFrom() the way RedisEventLog's tail reads them. Nothing may crash or ask for
// unbounded memory, and whatever is taken is a valid event.
#include "redisstream.h"

#include <cstdlib>
#include <hiredis/hiredis.h>

using namespace Pushboard;

namespace {

void readEntries(const redisReply *reply, int depth)
{
    if (!reply || depth > 4)
        return;
    QByteArray streamId;
    if (const std::optional<Event> event = RedisStream::eventFrom(reply, &streamId)) {
        if (event->id == 0 || !isValidTopic(event->topic))
            std::abort();
    }
    if (reply->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < reply->elements; ++i)
            readEntries(reply->element[i], depth + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redisReader *reader = redisReaderCreate();
    RedisStream::bound(reader); // As every connection of the server is.
    redisReaderFeed(reader, reinterpret_cast<const char *>(data), size);
    void *reply = nullptr;
    while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply) {
        readEntries(static_cast<const redisReply *>(reply), 0);
        freeReplyObject(reply);
        reply = nullptr;
    }
    redisReaderFree(reader);
    return 0;
}
