#include "checkcommand.h"

#include "endpointcheck.h"
#include "terminal.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

#include <unistd.h>

namespace Pushboard::Cli {

namespace {

constexpr int UsageExit = 4;

} // namespace

int runCheck(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Check anyone's SSE or WebSocket endpoint the way a careful engineer would: one "
        "verdict per item, with its evidence. Exit code: 0 all passed, 1 a warning, 2 a "
        "failure, 3 unreachable, 4 a bad command line."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"),
        QStringLiteral("http(s):// for an SSE stream, ws(s):// for a WebSocket."));
    const CheckOptions defaults;
    parser.addOptions({
        {QStringLiteral("token"), QStringLiteral("Send Authorization: Bearer T."),
            QStringLiteral("T")},
        {QStringLiteral("duration"),
            QStringLiteral("Seconds the probes run (default %1).").arg(defaults.durationS),
            QStringLiteral("S")},
        {QStringLiteral("idle"),
            QStringLiteral("The proxy idle time-out to expect, in seconds: the stream must stay "
                           "open and never be silent this long (default %1; 0 skips).")
                .arg(defaults.idleS),
            QStringLiteral("S")},
        {QStringLiteral("json"),
            QStringLiteral(
                "Print the report as one JSON document (its fields: man pushboard-check).")},
    });
    parser.addOptions(tlsTrustOptions());
    const auto usage = [](const QString &message) {
        printLine(stderr,
            QStringLiteral("pushboard check: %1 (see pushboard check --help)").arg(message));
        return UsageExit;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        printLine(stdout, helpText(parser, QStringLiteral("pushboard check")));
        return 0;
    }
    const QStringList positional = parser.positionalArguments().mid(1); // after "check"
    if (positional.size() != 1)
        return usage(
            positional.isEmpty() ? QStringLiteral("no URL given") : QStringLiteral("one URL only"));

    CheckOptions options;
    options.url = QUrl(positional.constFirst(), QUrl::StrictMode);
    options.token = parser.value(QStringLiteral("token"));
    const auto seconds = [&parser](const QString &name, int low, int fallback, int *out) {
        if (!parser.isSet(name)) {
            *out = fallback;
            return true;
        }
        bool ok = false;
        *out = parser.value(name).toInt(&ok);
        return ok && *out >= low && *out <= 3600;
    };
    if (!seconds(QStringLiteral("duration"), 1, defaults.durationS, &options.durationS))
        return usage(QStringLiteral("--duration takes whole seconds from 1 to 3600"));
    if (!seconds(QStringLiteral("idle"), 0, defaults.idleS, &options.idleS))
        return usage(QStringLiteral("--idle takes whole seconds from 0 to 3600"));
    QString error;
    const auto tls = tlsTrust(parser, &error);
    if (!tls)
        return usage(error);
    options.tls = *tls;
    const auto check = EndpointCheck::create(options, &error);
    if (!check)
        return usage(error);

    const bool json = parser.isSet(QStringLiteral("json"));
    if (!json)
        printLine(stderr,
            QStringLiteral("pushboard check: probing %1 for about %2 s (Ctrl-C ends it early)")
                .arg(options.url.toString(QUrl::RemoveUserInfo))
                .arg(qMax(options.durationS, options.idleS > 0 ? options.idleS + 1 : 0)));
    quitOnTerminationSignals(QCoreApplication::instance());
    QObject::connect(
        check.get(), &EndpointCheck::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    check->start();
    QCoreApplication::exec();
    if (!check->isFinished())
        check->stop(); // SIGINT: report what was seen so far

    const CheckReport &report = check->report();
    if (json) {
        printLine(stdout,
            QString::fromUtf8(QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented))
                .trimmed());
    } else {
        const bool colour = isatty(fileno(stdout)) && qEnvironmentVariableIsEmpty("NO_COLOR");
        std::fputs(report.toText(colour).toUtf8().constData(), stdout);
        std::fflush(stdout);
    }
    return report.exitCode();
}

} // namespace Pushboard::Cli
