#include "servecommand.h"

#include "eventlog.h"
#include "procmetricsource.h"
#include "serverhost.h"
#include "serveroptions.h"
#include "terminal.h"
#include "unixsignals.h"

#include <QCoreApplication>

#include <cstdio>

namespace Pushboard::Cli {

int runServe(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve this machine's metrics and published events over SSE, polling and WebSocket."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("serve"), QStringLiteral("Run the server without a window."));
    addServerOptions(parser);
    if (!parser.parse(arguments)) {
        printLine(stderr,
            QStringLiteral("pushboard serve: %1 (see pushboard serve --help)")
                .arg(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printLine(stdout, helpText(parser, QStringLiteral("pushboard serve")));
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        printLine(
            stdout, QStringLiteral("pushboard %1").arg(QCoreApplication::applicationVersion()));
        return 0;
    }
    if (parser.positionalArguments().size() > 1) {
        printLine(stderr,
            QStringLiteral("pushboard serve: unexpected argument '%1'")
                .arg(parser.positionalArguments().at(1)));
        return 2;
    }
    QString error;
    const auto config = serverConfigFrom(parser, &error);
    if (!config) {
        printLine(stderr, QStringLiteral("pushboard serve: %1").arg(error));
        return 2;
    }

    std::vector<std::unique_ptr<MetricSource>> sources;
    sources.push_back(std::make_unique<ProcMetricSource>());
    ServerHost host(std::move(sources));
    if (!host.start(*config)) {
        printLine(stderr, QStringLiteral("pushboard serve: %1").arg(host.errorString()));
        return 1;
    }
    quitOnTerminationSignals(QCoreApplication::instance());
    printLine(stdout,
        QStringLiteral("pushboard serve: listening on %1://%2:%3 (event log: %4)")
            .arg(config->tls() ? QStringLiteral("https") : QStringLiteral("http"),
                config->bindAddress)
            .arg(host.port())
            .arg(host.log()->location()));
    if (config->tls())
        printLine(stdout,
            QStringLiteral("pushboard serve: ")
                + tlsSummary(*config, host.tlsFingerprint(), host.tlsCertificateCreated()));
    const int code = QCoreApplication::exec();
    host.stop();
    printLine(stdout, QStringLiteral("pushboard serve: stopped"));
    return code;
}

} // namespace Pushboard::Cli
