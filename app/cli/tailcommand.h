#pragma once

#include <QStringList>

namespace Pushboard::Cli {

/// `pushboard tail URL [options]`: prints every event of an SSE, WebSocket or Pushboard polling
/// stream as one JSON line on stdout, `{"type":..,"data":..,"lastEventId":..}` (the fields of the
/// DOM MessageEvent), and the connection's life as JSON lines on stderr. Returns 0 after
/// `--max-events` or `--duration` (or a stream that ended with `--no-reconnect` after it was
/// open), 1 when the stream failed (fatal answer; refused with `--no-reconnect`), 2 for a bad
/// command line or URL.
int runTail(const QStringList &arguments);

} // namespace Pushboard::Cli
