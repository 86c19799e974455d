#pragma once

class QCoreApplication;

namespace Pushboard::Cli {

/// Makes SIGINT and SIGTERM quit the application's event loop (so shutdown code runs) instead of
/// killing the process. Uses a self-pipe: the handler only writes a byte.
void quitOnTerminationSignals(QCoreApplication *app);

} // namespace Pushboard::Cli
