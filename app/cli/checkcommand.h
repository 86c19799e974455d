#pragma once

#include <QStringList>

namespace Pushboard::Cli {

/// `pushboard check URL [--token T] [--duration S] [--idle S] [--json]`: probes anyone's SSE
/// (http(s)://) or WebSocket (ws(s)://) endpoint and prints one verdict per item with its
/// evidence (docs/check.md). Returns 0 when everything passed, 1 a warning, 2 a failure, 3 the
/// endpoint could not be reached, 4 a bad command line.
int runCheck(const QStringList &arguments);

} // namespace Pushboard::Cli
