#include "inspectcommand.h"

#include "captureexport.h"
#include "terminal.h"
#include "unixsignals.h"
#include "wire/capturelog.h"
#include "wiretap.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QTimer>

namespace Pushboard::Cli {

int runInspect(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Relay a port to an HTTP, SSE or WebSocket server and print every frame that crosses it "
        "as JSON lines; export the session as JSON, HAR or pcapng."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("listen"), QStringLiteral("Port to listen on (0: any free one, printed)."),
            QStringLiteral("PORT")},
        {QStringLiteral("bind"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
            QStringLiteral("ADDR"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("upstream"),
            QStringLiteral("The server: http://HOST:PORT or ws://HOST:PORT."),
            QStringLiteral("URL")},
        {QStringLiteral("json"), QStringLiteral("On exit, write the session as JSON to FILE."),
            QStringLiteral("FILE")},
        {QStringLiteral("har"), QStringLiteral("On exit, write the session as HAR 1.2 to FILE."),
            QStringLiteral("FILE")},
        {QStringLiteral("pcapng"), QStringLiteral("On exit, write the session as pcapng to FILE."),
            QStringLiteral("FILE")},
        {QStringLiteral("latency"), QStringLiteral("Fault: delay every byte by MS, each way."),
            QStringLiteral("MS")},
        {QStringLiteral("bandwidth"),
            QStringLiteral("Fault: at most B bytes per second, each way."), QStringLiteral("B")},
        {QStringLiteral("stall"),
            QStringLiteral("Fault: hold the server's bytes (as a buffering proxy does).")},
        {QStringLiteral("black-hole"), QStringLiteral("Fault: accept connections, never answer.")},
        {QStringLiteral("buffering"),
            QStringLiteral("Fault: buffer streamed responses (SSE) until 8 KiB gather, as nginx "
                           "does; 'honour' passes those that send X-Accel-Buffering: no, "
                           "'ignore' buffers them too."),
            QStringLiteral("honour|ignore")},
        {QStringLiteral("duration"), QStringLiteral("Exit after S seconds (exports are written)."),
            QStringLiteral("S")},
        {QStringLiteral("quiet"), QStringLiteral("Print no items (only the exports).")},
    });
    const auto usage = [](const QString &message) {
        printLine(stderr,
            QStringLiteral("pushboard inspect: %1 (see pushboard inspect --help)").arg(message));
        return 2;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        printLine(stdout, helpText(parser, QStringLiteral("pushboard inspect")));
        return 0;
    }
    if (parser.positionalArguments().size() > 1)
        return usage(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(1)));
    if (!parser.isSet(QStringLiteral("listen")) || !parser.isSet(QStringLiteral("upstream")))
        return usage(QStringLiteral("--listen PORT and --upstream URL are both needed"));
    bool ok = false;
    const uint port = parser.value(QStringLiteral("listen")).toUInt(&ok);
    if (!ok || port > 65535)
        return usage(QStringLiteral("--listen takes a port number from 0 to 65535"));
    const QHostAddress bind(parser.value(QStringLiteral("bind")));
    if (bind.isNull())
        return usage(QStringLiteral("--bind takes an IP address"));
    const QUrl upstream(parser.value(QStringLiteral("upstream")), QUrl::StrictMode);

    WireTap::Faults faults;
    if (parser.isSet(QStringLiteral("latency"))) {
        faults.latencyMs = parser.value(QStringLiteral("latency")).toInt(&ok);
        if (!ok || faults.latencyMs < 0 || faults.latencyMs > 600'000)
            return usage(QStringLiteral("--latency takes milliseconds from 0 to 600000"));
    }
    if (parser.isSet(QStringLiteral("bandwidth"))) {
        faults.bytesPerSecond = parser.value(QStringLiteral("bandwidth")).toLongLong(&ok);
        if (!ok || faults.bytesPerSecond < 1)
            return usage(QStringLiteral("--bandwidth takes bytes per second, at least 1"));
    }
    faults.stall = parser.isSet(QStringLiteral("stall"));
    faults.blackHole = parser.isSet(QStringLiteral("black-hole"));
    if (parser.isSet(QStringLiteral("buffering"))) {
        const QString mode = parser.value(QStringLiteral("buffering"));
        if (mode == u"honour")
            faults.buffering = WireTap::Buffering::HonourHeader;
        else if (mode == u"ignore")
            faults.buffering = WireTap::Buffering::IgnoreHeader;
        else
            return usage(QStringLiteral("--buffering takes honour or ignore"));
    }
    double durationS = -1;
    if (parser.isSet(QStringLiteral("duration"))) {
        durationS = parser.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || durationS <= 0 || durationS > 365 * 24 * 3600)
            return usage(QStringLiteral("--duration takes a positive number of seconds"));
    }

    CaptureLog log;
    WireTap tap(&log);
    if (!tap.listen(bind, quint16(port), upstream)) {
        printLine(stderr, QStringLiteral("pushboard inspect: ") + tap.errorString());
        return upstream.isValid() && !upstream.host().isEmpty() ? 1 : 2;
    }
    tap.setFaults(faults);
    printLine(stderr,
        QStringLiteral("pushboard inspect: relaying %1 to %2")
            .arg(tap.relayUrl().toString(), upstream.toString()));

    const bool quiet = parser.isSet(QStringLiteral("quiet"));
    qint64 printedSequence = 0;
    size_t printedMarks = 0;
    if (!quiet) {
        QObject::connect(&log, &CaptureLog::itemsAdded, &log, [&] {
            for (qint64 s = qMax(printedSequence + 1, log.firstSequence()); s < log.nextSequence();
                 ++s)
                printLine(stdout,
                    QString::fromUtf8(QJsonDocument(CaptureExport::itemJson(*log.item(s)))
                                          .toJson(QJsonDocument::Compact)));
            printedSequence = log.nextSequence() - 1;
        });
        QObject::connect(&log, &CaptureLog::marksAdded, &log, [&] {
            const auto &marks = log.marks();
            printedMarks = qMin(printedMarks, marks.size());
            for (; printedMarks < marks.size(); ++printedMarks) {
                const WireMark &m = marks[printedMarks];
                const QJsonObject line {{QStringLiteral("mark"), m.text},
                    {QStringLiteral("connection"), qint64(m.connection)},
                    {QStringLiteral("timeUs"), m.timeUs}};
                printLine(
                    stdout, QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact)));
            }
        });
    }
    if (durationS > 0)
        QTimer::singleShot(qint64(durationS * 1000), QCoreApplication::instance(),
            [] { QCoreApplication::exit(0); });
    quitOnTerminationSignals(QCoreApplication::instance());
    QCoreApplication::exec();

    QString error;
    bool written = true;
    const std::pair<const char *, QByteArray (*)(const CaptureLog &)> exports[]
        = {{"json", &CaptureExport::toJson}, {"har", &CaptureExport::toHar},
            {"pcapng", &CaptureExport::toPcapng}};
    for (const auto &[option, render] : exports) {
        const QString name = QString::fromLatin1(option);
        if (!parser.isSet(name))
            continue;
        if (!writeFile(parser.value(name), render(log), &error)) {
            printLine(stderr, QStringLiteral("pushboard inspect: ") + error);
            written = false;
        }
    }
    if (log.droppedItems() > 0)
        printLine(stderr,
            QStringLiteral("pushboard inspect: the capture cap dropped the oldest %1 items")
                .arg(log.droppedItems()));
    return written ? 0 : 1;
}

} // namespace Pushboard::Cli
