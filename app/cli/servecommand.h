#pragma once

#include <QStringList>

namespace Pushboard::Cli {

/// `pushboard serve [options]`: the server without a window. `arguments` starts with the program
/// name, then "serve". Returns the process exit code: 0 after a clean shutdown (SIGINT/SIGTERM),
/// 1 when the server cannot start, 2 for a bad command line.
int runServe(const QStringList &arguments);

} // namespace Pushboard::Cli
