#pragma once

#include <QStringList>

namespace Pushboard::Gui {

/// `pushboard [--connect URL] [--no-server] [--transport T] [--theme light|dark] [server
/// options]`: the dashboard window. Unless `--connect` or `--no-server`, it starts the embedded
/// server first and watches it over loopback like any remote client. Needs a QApplication.
int runDashboard(const QStringList &arguments);

} // namespace Pushboard::Gui
