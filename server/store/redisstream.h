#pragma once

#include "event.h"

#include <optional>

struct redisReply;
struct redisReader;

namespace Pushboard::RedisStream {

/// One entry of an XRANGE or XREAD answer, `[id, [field, value, ...]]`, as an event of the log:
/// stream id `<event id>-<n>`, fields `topic` (a valid topic), `time` (an integer) and `data`.
/// Nothing for anything else (whatever a foreign writer or a hostile server put there).
/// `streamId` gets the entry's id whenever it has one, so that a reader moves past entries it
/// skips.
[[nodiscard]] std::optional<Event> eventFrom(const redisReply *entry, QByteArray *streamId);

/// Arrays longer than this in an answer fail the connection. Ours have at most 1,000 entries.
inline constexpr int MaxArrayElements = 100000;
/// Bytes of one unfinished answer past which a connection is dropped (RedisConnection checks).
inline constexpr qsizetype MaxBufferedBytes = 64 * 1024 * 1024;

/// Bounds what `reader` builds from a peer: an array announced longer than MaxArrayElements makes
/// the reader fail (hiredis 0.14 allocates the whole array when its length arrives, so one line
/// from a broken or hostile server would otherwise ask for gigabytes).
void bound(redisReader *reader);
/// What a connection's error `err` (REDIS_ERR_*) with hiredis's `errstr` means, in words: the
/// bound above shows up as a failed allocation, which is not what happened.
[[nodiscard]] QString errorText(int err, const char *errstr);

} // namespace Pushboard::RedisStream
