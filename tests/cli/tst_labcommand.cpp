#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

/// `pushboard lab` as a user runs it: the real executable, its exit codes and one-line errors,
/// the JSON it prints (per transport), the CSV and PNG exports, and SIGTERM ending a run early
/// with what was measured.
class tst_LabCommand : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static Run lab(const QStringList &arguments, int timeoutMs = 120'000)
    {
        QProcess process;
        process.start(
            QStringLiteral(PUSHBOARD_BIN), QStringList {QStringLiteral("lab")} + arguments);
        Run run;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

private Q_SLOTS:
    void badCommandLines_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no scenario") << QStringList {} << QByteArray("which scenario?");
        QTest::newRow("unknown") << QStringList {QStringLiteral("nope")}
                                 << QByteArray("unknown scenario 'nope': one of idle, burst,");
        QTest::newRow("two") << QStringList {QStringLiteral("idle"), QStringLiteral("burst")}
                             << QByteArray("unexpected argument 'burst'");
        QTest::newRow("duration") << QStringList {QStringLiteral("idle"),
            QStringLiteral("--duration"), QStringLiteral("0")}
                                  << QByteArray("--duration takes whole seconds");
        QTest::newRow("poll interval") << QStringList {QStringLiteral("idle"),
            QStringLiteral("--poll-interval"), QStringLiteral("5")}
                                       << QByteArray("--poll-interval takes milliseconds");
        QTest::newRow("option") << QStringList {QStringLiteral("--bogus")}
                                << QByteArray("Unknown option 'bogus'");
    }
    void badCommandLines()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        const Run run = lab(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void list()
    {
        const Run run = lab({QStringLiteral("--list")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count('\n'), 8);
        QVERIFY(run.out.startsWith("idle "));
    }

    void jsonCsvAndPng()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("hol.csv"));
        const QString png = dir.filePath(QStringLiteral("hol.png"));
        const Run run = lab({QStringLiteral("head-of-line"), QStringLiteral("--json"),
            QStringLiteral("--csv"), csv, QStringLiteral("--png"), png});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(u"scenario").toString(), QStringLiteral("head-of-line"));
        QVERIFY(json.value(u"finished").toBool());
        const QJsonObject transports = json.value(u"transports").toObject();
        QCOMPARE(
            transports.keys(), QStringList({QStringLiteral("h2-tcp"), QStringLiteral("quic")}));
        QVERIFY(json.value(u"details").toObject().value(u"simulation").toBool());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines.at(1).startsWith("head-of-line,h2-tcp,"));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 700));
    }

    void burstOverEveryTransport()
    {
        const Run run = lab({QStringLiteral("burst"), QStringLiteral("--duration"),
            QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.err.contains("1,000 events published at once"));
        const QJsonObject transports
            = QJsonDocument::fromJson(run.out).object().value(u"transports").toObject();
        QCOMPARE(transports.size(), 4);
        for (const char *name : {"poll", "longpoll", "sse", "ws"}) {
            const QJsonObject lane = transports.value(QLatin1String(name)).toObject();
            QCOMPARE(lane.value(u"events").toInt(), 1000);
            QCOMPARE(lane.value(u"lost").toInt(), 0);
            QCOMPARE(lane.value(u"duplicated").toInt(), 0);
            const QJsonObject bytes = lane.value(u"bytes").toObject();
            QVERIFY(bytes.value(u"overhead").toInteger() > 0);
            const qint64 perEvent = bytes.value(u"payload").toInteger() / 1000;
            QVERIFY(perEvent > 15 && perEvent < 40); // {"seq":N,"at":µs}, the same on each
        }
    }

    void unwritableExportIsExitOne()
    {
        const Run run = lab({QStringLiteral("head-of-line"), QStringLiteral("--csv"),
            QStringLiteral("/proc/no/such/dir/x.csv")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("cannot write /proc/no/such/dir/x.csv"), run.err.constData());
        QVERIFY(run.out.contains("h2-tcp")); // the figures were printed all the same
    }

    void terminatedEarlyPrintsWhatWasMeasured()
    {
        QProcess process;
        process.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("lab"), QStringLiteral("idle"), QStringLiteral("--duration"),
                QStringLiteral("600"), QStringLiteral("--json")});
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += process.readAllStandardError(), err.contains("measuring")), 30'000);
        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(30'000));
        QCOMPARE(process.exitCode(), 0);
        const QJsonObject json = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        QVERIFY(json.value(u"finished").toBool());
        QVERIFY(json.value(u"elapsedS").toDouble() < 600);
        QCOMPARE(json.value(u"transports").toObject().size(), 4);
    }
};

QTEST_GUILESS_MAIN(tst_LabCommand)
#include "tst_labcommand.moc"
