#pragma once

#include <QStringList>

namespace Pushboard::Cli {

/// `pushboard inspect --listen PORT --upstream URL`: a recording relay in front of any HTTP,
/// SSE or WebSocket server. Prints every decoded item (HTTP heads, bodies, SSE blocks,
/// WebSocket frames) and every timeline mark as JSON lines on stdout, applies the faults the
/// options ask for, and on exit (SIGINT, SIGTERM or --duration) writes the exports asked
/// for. Returns the exit code: 0, 1 (cannot listen, an export cannot be written), 2 (usage).
int runInspect(const QStringList &arguments);

} // namespace Pushboard::Cli
