#pragma once

#include <QStringList>

namespace Pushboard::Cli {

/// `pushboard lab SCENARIO [--duration S] [--json] [--csv FILE] [--png FILE]`: runs one protocol
/// lab scenario without a window (its own server and clients on 127.0.0.1), prints each
/// timeline mark on stderr as it happens, then the figures per transport: a table, or with
/// --json one JSON document. SIGINT or SIGTERM ends the run early with what was measured.
/// Returns the exit code: 0, 1 (the run could not start, an export cannot be written), 2 (usage).
int runLab(const QStringList &arguments);

} // namespace Pushboard::Cli
