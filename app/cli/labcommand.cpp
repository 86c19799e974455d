#include "labcommand.h"

#include "labchart.h"
#include "labexperiment.h"
#include "terminal.h"
#include "unixsignals.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QImage>
#include <QJsonDocument>

namespace Pushboard::Cli {

int runLab(const QStringList &arguments)
{
    using namespace Pushboard::Lab;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Run a protocol-lab scenario headless and print its figures per "
                       "transport.\nScenarios: %1.")
            .arg(scenarioKeys()));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("scenario"), QStringLiteral("The scenario."));
    parser.addOptions({
        {QStringLiteral("duration"),
            QStringLiteral("Seconds to measure (default: the scenario's own)."),
            QStringLiteral("S")},
        {QStringLiteral("json"), QStringLiteral("Print the figures as one JSON document.")},
        {QStringLiteral("csv"), QStringLiteral("Also write the figures as CSV to FILE."),
            QStringLiteral("FILE")},
        {QStringLiteral("png"), QStringLiteral("Also draw the chart as PNG into FILE."),
            QStringLiteral("FILE")},
        {QStringLiteral("poll-interval"),
            QStringLiteral("Short polling's interval in ms (default 1000)."), QStringLiteral("MS"),
            QStringLiteral("1000")},
        {QStringLiteral("chromium"),
            QStringLiteral("The browser for six-connections (default: $CHROMIUM, else chromium "
                           "on the PATH)."),
            QStringLiteral("PATH")},
        {QStringLiteral("no-browser"),
            QStringLiteral("six-connections: leave the browser half out.")},
        {QStringLiteral("list"), QStringLiteral("List the scenarios and exit.")},
    });
    const auto usage = [](const QString &message) {
        printLine(
            stderr, QStringLiteral("pushboard lab: %1 (see pushboard lab --help)").arg(message));
        return 2;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        printLine(stdout, helpText(parser, QStringLiteral("pushboard lab")));
        return 0;
    }
    if (parser.isSet(QStringLiteral("list"))) {
        for (const Scenario &s : scenarios())
            printLine(stdout, QStringLiteral("%1  %2").arg(s.key, -16).arg(s.title));
        return 0;
    }
    const QStringList positional = parser.positionalArguments().mid(1); // after "lab"
    if (positional.isEmpty())
        return usage(QStringLiteral("which scenario? one of %1").arg(scenarioKeys()));
    if (positional.size() > 1)
        return usage(QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));
    const auto chosen = scenario(positional.first());
    if (!chosen)
        return usage(QStringLiteral("unknown scenario '%1': one of %2")
                         .arg(positional.first().left(64), scenarioKeys()));
    LabExperiment::Options options;
    bool ok = true;
    if (parser.isSet(QStringLiteral("duration"))) {
        options.durationS = parser.value(QStringLiteral("duration")).toInt(&ok);
        if (!ok || options.durationS < 1 || options.durationS > 3600)
            return usage(QStringLiteral("--duration takes whole seconds from 1 to 3600"));
    }
    options.pollIntervalMs = parser.value(QStringLiteral("poll-interval")).toInt(&ok);
    if (!ok || options.pollIntervalMs < 50 || options.pollIntervalMs > 60'000)
        return usage(QStringLiteral("--poll-interval takes milliseconds from 50 to 60000"));
    options.chromium = parser.value(QStringLiteral("chromium"));
    options.browser = !parser.isSet(QStringLiteral("no-browser"));

    const std::unique_ptr<LabExperiment> run = LabExperiment::create(*chosen);
    qsizetype printedMarks = 0;
    QObject::connect(run.get(), &LabExperiment::updated, run.get(), [&] {
        const LabResult now = run->result();
        for (; printedMarks < now.marks.size(); ++printedMarks) {
            const LabMark &mark = now.marks.at(printedMarks);
            printLine(stderr,
                QStringLiteral("pushboard lab: %1 s  %2").arg(mark.atS, 6, 'f', 2).arg(mark.text));
        }
    });
    QObject::connect(run.get(), &LabExperiment::finished, QCoreApplication::instance(),
        [] { QCoreApplication::exit(0); });
    if (!run->start(options)) {
        printLine(stderr, QStringLiteral("pushboard lab: ") + run->errorString());
        return 1;
    }
    printLine(stderr,
        QStringLiteral("pushboard lab: %1 (%2), %3")
            .arg(chosen->key, chosen->title,
                chosen->simulation ? QStringLiteral("a simulation")
                                   : QStringLiteral("measuring on 127.0.0.1")));
    quitOnTerminationSignals(QCoreApplication::instance());
    QCoreApplication::exec();
    run->stop(); // A signal ended it early: what was measured is the result.

    const LabResult result = run->result();
    if (parser.isSet(QStringLiteral("json")))
        printLine(stdout, QString::fromUtf8(QJsonDocument(result.toJson()).toJson()));
    else
        printLine(stdout, result.toText());
    QString error;
    bool written = true;
    if (parser.isSet(QStringLiteral("csv"))
        && !writeFile(parser.value(QStringLiteral("csv")), result.toCsv(), &error)) {
        printLine(stderr, QStringLiteral("pushboard lab: ") + error);
        written = false;
    }
    if (parser.isSet(QStringLiteral("png"))) {
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        LabChart::render(result).save(&buffer, "PNG");
        if (!writeFile(parser.value(QStringLiteral("png")), png, &error)) {
            printLine(stderr, QStringLiteral("pushboard lab: ") + error);
            written = false;
        }
    }
    return written ? 0 : 1;
}

} // namespace Pushboard::Cli
