#include "dashboardcommand.h"

#include "eventlog.h"
#include "labscenario.h"
#include "procmetricsource.h"
#include "serverhost.h"
#include "serveroptions.h"
#include "terminal.h"
#include "tlscredentials.h"
#include "tlstrust.h"
#include "unixsignals.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QScreen>
#include <QSettings>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(Pushboard_ClientPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_InspectorPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_LabPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_UiPlugin)

namespace Pushboard::Gui {

int runDashboard(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pushboard: a live dashboard of this machine, or of a remote Pushboard server."));
    parser.addHelpOption();
    Cli::addServerOptions(parser);
    parser.addOptions({
        {QStringLiteral("connect"),
            QStringLiteral("Watch this server instead of starting one (e.g. http://host:8765)."),
            QStringLiteral("URL")},
        {QStringLiteral("no-server"), QStringLiteral("Start no embedded server.")},
        {QStringLiteral("transport"),
            QStringLiteral("sse, ws, poll or longpoll (default: the last one used)."),
            QStringLiteral("T")},
        {QStringLiteral("theme"), QStringLiteral("light or dark (default: the system's)."),
            QStringLiteral("THEME")},
        {QStringLiteral("inspect"),
            QStringLiteral("Open on the Inspector, its relay in front of the server and the "
                           "dashboard watching through it.")},
        {QStringLiteral("inspect-port"),
            QStringLiteral("The relay's port for --inspect (default: any free one)."),
            QStringLiteral("PORT"), QStringLiteral("0")},
        {QStringLiteral("lab"),
            QStringLiteral("Open on the Lab page and run SCENARIO (see pushboard lab --list)."),
            QStringLiteral("SCENARIO")},
        {QStringLiteral("check"),
            QStringLiteral("Open on the Check page and check the stream the dashboard watches.")},
        {QStringLiteral("ca"),
            QStringLiteral("For an https:// server: trust the authorities in this PEM file too."),
            QStringLiteral("FILE")},
        {QStringLiteral("pin"),
            QStringLiteral("For an https:// server: trust exactly the certificate with this "
                           "SHA-256 fingerprint."),
            QStringLiteral("SHA256")},
    });
    if (!parser.parse(arguments)) {
        Cli::printLine(
            stderr, QStringLiteral("pushboard: %1 (see pushboard --help)").arg(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        Cli::printLine(stdout, Cli::helpText(parser, QStringLiteral("pushboard")));
        return 0;
    }
    QString error;
    const auto config = Cli::serverConfigFrom(parser, &error);
    if (!config) {
        Cli::printLine(stderr, QStringLiteral("pushboard: %1").arg(error));
        return 2;
    }
    const QString transport = parser.value(QStringLiteral("transport"));
    if (!transport.isEmpty()
        && !QStringList {QStringLiteral("sse"), QStringLiteral("ws"), QStringLiteral("poll"),
            QStringLiteral("longpoll")}
                .contains(transport)) {
        Cli::printLine(stderr,
            QStringLiteral("pushboard: --transport takes sse, ws, poll or longpoll, not '%1'")
                .arg(transport));
        return 2;
    }

    QString caFile = parser.value(QStringLiteral("ca"));
    QString pin = parser.value(QStringLiteral("pin"));
    if (!TlsTrust::fromOptions(caFile, pin, &error)) {
        Cli::printLine(stderr, QStringLiteral("pushboard: %1").arg(error));
        return 2;
    }

    const QString labScenario = parser.value(QStringLiteral("lab"));
    if (!labScenario.isEmpty() && !Lab::scenario(labScenario)) {
        Cli::printLine(stderr,
            QStringLiteral("pushboard: --lab takes one of %1, not '%2'")
                .arg(Lab::scenarioKeys(), labScenario.left(64)));
        return 2;
    }

    bool portOk = false;
    const uint inspectPort = parser.value(QStringLiteral("inspect-port")).toUInt(&portOk);
    if (!portOk || inspectPort > 65535) {
        Cli::printLine(
            stderr, QStringLiteral("pushboard: --inspect-port takes a port from 0 to 65535"));
        return 2;
    }

    // From here on SIGTERM and SIGINT end the program cleanly, also while the window loads.
    Cli::quitOnTerminationSignals(QCoreApplication::instance());
    QSettings settings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("pushboard"),
        QStringLiteral("dashboard")); // ~/.config/pushboard/dashboard.ini
    std::unique_ptr<ServerHost> host;
    QString url = parser.value(QStringLiteral("connect"));
    QString notice; // Shown in the connection bar.
    if (url.isEmpty() && !parser.isSet(QStringLiteral("no-server"))) {
        std::vector<std::unique_ptr<MetricSource>> sources;
        sources.push_back(std::make_unique<ProcMetricSource>());
        host = std::make_unique<ServerHost>(std::move(sources));
        if (host->start(*config)) {
            url = host->url();
            Cli::printLine(stdout,
                QStringLiteral("pushboard: serving on %1 (event log: %2)")
                    .arg(url, host->log()->location()));
            if (config->tls()) {
                Cli::printLine(stdout,
                    QStringLiteral("pushboard: ")
                        + Cli::tlsSummary(
                            *config, host->tlsFingerprint(), host->tlsCertificateCreated()));
                if (caFile.isEmpty() && pin.isEmpty())
                    pin = host->tlsFingerprint(); // the window trusts its own server
            }
        } else if (host->failure() == ServerHost::Failure::PortInUse
            || host->failure() == ServerHost::Failure::DataDirInUse) {
            // Most likely a `pushboard serve` service or another window: watch that one.
            url = host->runningServerUrl();
            // A self-signed server in the same data directory: trust its authority.
            const QString authority = Tls::selfSignedFiles(config->store.dataDir).authority;
            if (caFile.isEmpty() && pin.isEmpty() && config->tlsSelfSigned
                && QFile::exists(authority))
                caFile = authority;
            notice = host->failure() == ServerHost::Failure::PortInUse
                ? QStringLiteral("Port %1 is taken: watching the server already running there")
                      .arg(config->port)
                : QStringLiteral("Another Pushboard uses this data directory: watching it");
            Cli::printLine(stdout,
                QStringLiteral("pushboard: %1; watching the server at %2 instead")
                    .arg(host->errorString(), url));
            host.reset();
        } else {
            Cli::printLine(stderr, QStringLiteral("pushboard: %1").arg(host->errorString()));
            return 1;
        }
    } else if (url.isEmpty()) {
        url = settings.value(QStringLiteral("source"), QStringLiteral("http://127.0.0.1:8765"))
                  .toString();
    }

    // The charts are painted with QPainter (Qt Charts) whatever the backend, so the software
    // scene graph costs least: measured under Xvfb, 2.1% of a core and 79 MB against 5.8% and
    // 190 MB with Mesa's software OpenGL. QT_QUICK_BACKEND or QSG_RHI_BACKEND (e.g. opengl, for
    // a real GPU) still choose another.
    if (!qEnvironmentVariableIsSet("QT_QUICK_BACKEND")
        && !qEnvironmentVariableIsSet("QSG_RHI_BACKEND"))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    // Desktops match the window to its desktop entry by the application id on Wayland, and by
    // the X11 window class ("pushboard", the entry's StartupWMClass); the icon is the installed
    // theme's, else the built-in one.
    QGuiApplication::setDesktopFileName(QStringLiteral(PUSHBOARD_APP_ID));
    QIcon builtInIcon;
    for (const int size : {16, 32, 48, 64, 128, 256})
        builtInIcon.addFile(
            QStringLiteral(":/pushboard/icons/%1x%1/pushboard.png").arg(size), QSize(size, size));
    QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral(PUSHBOARD_APP_ID), builtInIcon));

    QQmlApplicationEngine engine;
    engine.setInitialProperties({
        {QStringLiteral("serverUrl"), url},
        {QStringLiteral("exportDirectory"), QDir::homePath()},
        {QStringLiteral("token"), config->token},
        {QStringLiteral("caFile"), caFile},
        {QStringLiteral("pin"), pin},
        {QStringLiteral("transport"),
            transport.isEmpty()
                ? settings.value(QStringLiteral("transport"), QStringLiteral("sse")).toString()
                : transport},
        {QStringLiteral("windowMinutes"),
            settings.value(QStringLiteral("windowMinutes"), 5).toInt()},
        {QStringLiteral("themeOverride"), parser.value(QStringLiteral("theme"))},
        {QStringLiteral("notice"), notice},
        {QStringLiteral("inspectOnStart"), parser.isSet(QStringLiteral("inspect"))},
        {QStringLiteral("inspectPort"), int(inspectPort)},
        {QStringLiteral("labOnStart"), labScenario},
        {QStringLiteral("checkOnStart"), parser.isSet(QStringLiteral("check"))},
    });
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Pushboard/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        Cli::printLine(stderr, QStringLiteral("pushboard: the dashboard could not be loaded"));
        return 1;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    // The remembered geometry if it still fits the screen (it may be another, smaller one now),
    // else the window's own size, shrunk to the screen but not below its minimum.
    if (window && window->screen()) {
        const QRect available = window->screen()->availableGeometry();
        const QRect geometry = settings.value(QStringLiteral("geometry")).toRect();
        if (geometry.isValid() && available.contains(geometry))
            window->setGeometry(geometry);
        else
            window->resize(
                window->size().boundedTo(available.size()).expandedTo(window->minimumSize()));
    }

    const int code = QApplication::exec();

    if (window) {
        settings.setValue(QStringLiteral("geometry"), window->geometry());
        if (QObject *source = window->findChild<QObject *>(QStringLiteral("source"))) {
            if (parser.isSet(QStringLiteral("connect"))
                || parser.isSet(QStringLiteral("no-server")))
                settings.setValue(QStringLiteral("source"), source->property("url"));
            settings.setValue(QStringLiteral("transport"), source->property("transport"));
            settings.setValue(QStringLiteral("windowMinutes"), source->property("windowMinutes"));
        }
    }
    if (host)
        host->stop();
    return code;
}

} // namespace Pushboard::Gui
