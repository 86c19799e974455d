#pragma once

#include "event.h"

#include <optional>

struct redisReply;

namespace Pushboard::RedisStream {

/// One entry of an XRANGE or XREAD answer, `[id, [field, value, ...]]`, as an event of the log:
/// stream id `<event id>-<n>`, fields `topic` (a valid topic), `time` (an integer) and `data`.
/// Nothing for anything else (whatever a foreign writer or a hostile server put there).
/// `streamId` gets the entry's id whenever it has one, so that a reader moves past entries it
/// skips.
[[nodiscard]] std::optional<Event> eventFrom(const redisReply *entry, QByteArray *streamId);

} // namespace Pushboard::RedisStream
