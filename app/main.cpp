#include "checkcommand.h"
#include "dashboardcommand.h"
#include "inspectcommand.h"
#include "labcommand.h"
#include "servecommand.h"
#include "tailcommand.h"

#include <QApplication>
#include <QCoreApplication>
#include <QGuiApplication>

#include <cstdio>

namespace {

const char Usage[]
    = "Usage: pushboard [COMMAND] [options]\n"
      "\n"
      "Without a command: the dashboard window and its embedded server (without a display:\n"
      "the server alone). Options: --connect URL, --no-server, --transport sse|ws|poll|longpoll,\n"
      "--theme light|dark, --inspect [--inspect-port PORT] (open on the connection inspector), "
      "and\n"
      "the server options of 'pushboard serve --help'.\n"
      "\n"
      "Commands:\n"
      "  serve   Serve this machine's metrics and published events (no window).\n"
      "  tail    Print the events of an SSE, WebSocket or polling stream as JSON lines.\n"
      "  inspect Relay a port to any HTTP/SSE/WebSocket server; print every frame, export\n"
      "          the session as JSON, HAR or pcapng.\n"
      "  lab     Run a protocol-lab scenario headless and print its figures.\n"
      "  check   Check anyone's SSE or WebSocket endpoint: one verdict per item, with\n"
      "          its evidence (exit code 0 pass, 1 warn, 2 fail, 3 unreachable).\n"
      "\n"
      "Run 'pushboard COMMAND --help' for a command's options.\n";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QStringLiteral("pushboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PUSHBOARD_VERSION));
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();

    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        std::printf("pushboard %s\n", PUSHBOARD_VERSION);
        return 0;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        std::fputs(Usage, stdout);
        return 0;
    }
    if (command == QLatin1String("serve")) {
        // Qt's own poll() dispatcher rather than glib's, unless told otherwise: a window needs
        // nothing from glib here, and glib's bookkeeping of socket notifiers grows with the
        // number of sockets, which halved TLS fan-out to 1000 subscribers (bench/README.md).
        if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
            qputenv("QT_NO_GLIB", "1");
        QCoreApplication app(argc, argv);
        return Pushboard::Cli::runServe(QCoreApplication::arguments());
    }
    if (command == QLatin1String("tail")) {
        QCoreApplication app(argc, argv);
        return Pushboard::Cli::runTail(QCoreApplication::arguments());
    }
    if (command == QLatin1String("inspect")) {
        QCoreApplication app(argc, argv);
        return Pushboard::Cli::runInspect(QCoreApplication::arguments());
    }
    if (command == QLatin1String("check")) {
        QCoreApplication app(argc, argv);
        return Pushboard::Cli::runCheck(QCoreApplication::arguments());
    }
    if (command == QLatin1String("lab")) {
        // No window, but the PNG chart needs fonts: a GUI application on the offscreen platform.
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        return Pushboard::Cli::runLab(QCoreApplication::arguments());
    }
    if (command.isEmpty() || command.startsWith(QLatin1Char('-'))) {
        const bool display = qEnvironmentVariableIsSet("DISPLAY")
            || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
            || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
        if (!display) {
            std::fputs("pushboard: no display (DISPLAY is not set): starting the server without a "
                       "window\n",
                stderr);
            QCoreApplication app(argc, argv);
            QStringList arguments = QCoreApplication::arguments();
            arguments.insert(1, QStringLiteral("serve"));
            return Pushboard::Cli::runServe(arguments);
        }
        QApplication app(argc, argv); // Qt Charts from QML needs QApplication
        return Pushboard::Gui::runDashboard(QApplication::arguments());
    }
    std::fprintf(stderr, "pushboard: unknown command '%s'\n", argv[1]);
    std::fputs(Usage, stderr);
    return 2;
}
