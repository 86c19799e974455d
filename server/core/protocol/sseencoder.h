#pragma once

#include "../event.h"

#include <QByteArray>

namespace Pushboard {

/// Encodes Pushboard's Server-Sent Events stream (docs/protocol.md, "Server-Sent Events").
///
/// Every function returns complete blocks that end in a blank line, so a stream is just their
/// concatenation. An event's block is built once and the same QByteArray (implicitly shared) is
/// written to every subscriber.
///
/// Wire format of an event:
/// ```
/// id: <id>
/// event: <topic>
/// data: {"time":<ms>,"data":<payload>}
///
/// ```
namespace SseEncoder {

/// `id`, `event` and `data` lines of one event.
[[nodiscard]] QByteArray event(const Event &event);

/// The `retry: <ms>` field that tells an EventSource how long to wait before reconnecting.
[[nodiscard]] QByteArray retry(int milliseconds);

/// A comment block, `: <text>`, ignored by clients; used for keepalives.
[[nodiscard]] QByteArray comment(QByteArrayView text);

/// `event: gap` with data `{"from":"<first missing id>","to":"<last missing id>"}`: a resume
/// asked for events that retention has already pruned.
[[nodiscard]] QByteArray gap(quint64 firstMissing, quint64 lastMissing);

/// `event: reset` with data `{"newest":"<id>"}`: a resume asked for an id newer than the log's
/// newest (the log was wiped). It carries `id: <newest>` so that the client's next reconnect
/// resumes from the log as it is now instead of asking for the vanished id again.
[[nodiscard]] QByteArray reset(quint64 newestId);

} // namespace SseEncoder
} // namespace Pushboard
