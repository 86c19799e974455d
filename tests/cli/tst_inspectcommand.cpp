#include "streamclient.h"
#include "testserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;

/// `pushboard inspect` as a user runs it: the real executable relaying to a real server in this
/// process, our own client (SSE, then WebSocket) connecting through it; the JSON lines it
/// prints and the exports it writes on SIGTERM.
class tst_InspectCommand : public QObject
{
    Q_OBJECT

    /// Waits for the first line `inspect` prints on stderr and reads the relay's port from it.
    static void relayPort(QProcess &inspect, quint16 *port)
    {
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += inspect.readAllStandardError(), err.contains('\n')), 20'000);
        const QRegularExpressionMatch m
            = QRegularExpression(QStringLiteral("relaying http://127.0.0.1:(\\d+) to"))
                  .match(QString::fromUtf8(err));
        QVERIFY2(m.hasMatch(), err.constData());
        *port = quint16(m.captured(1).toUInt());
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void relaysRecordsAndExports()
    {
        m_server->append(3, QStringLiteral("a"));
        QTemporaryDir dir;
        QProcess inspect;
        inspect.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("inspect"), QStringLiteral("--listen"), QStringLiteral("0"),
                QStringLiteral("--upstream"),
                QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()),
                QStringLiteral("--json"), dir.filePath(QStringLiteral("s.json")),
                QStringLiteral("--har"), dir.filePath(QStringLiteral("s.har")),
                QStringLiteral("--pcapng"), dir.filePath(QStringLiteral("s.pcapng"))});
        quint16 port = 0;
        relayPort(inspect, &port);
        QVERIFY(port > 0);
        const QString relay = QStringLiteral("127.0.0.1:%1").arg(port);

        // SSE through the relay, resuming after event 1: the replay comes through.
        QList<SseMessage> received;
        StreamClient sse;
        connect(&sse, &StreamClient::message, &sse,
            [&](const SseMessage &msg) { received.append(msg); });
        StreamClient::Options options;
        options.url = QUrl(QStringLiteral("http://%1/events").arg(relay));
        options.transport = StreamClient::Transport::Sse;
        options.topics = {QStringLiteral("a")};
        options.lastEventId = QStringLiteral("1");
        sse.start(options);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 20'000);
        sse.stop();

        // And a WebSocket.
        StreamClient ws;
        connect(
            &ws, &StreamClient::message, &ws, [&](const SseMessage &msg) { received.append(msg); });
        options.url = QUrl(QStringLiteral("ws://%1/ws").arg(relay));
        options.transport = StreamClient::Transport::WebSocket;
        options.lastEventId = QStringLiteral("0");
        ws.start(options);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 5, 20'000);
        ws.stop();

        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += inspect.readAllStandardOutput(), out.contains("\"ws text\"")), 20'000);
        inspect.terminate(); // SIGTERM: the exports are written, then it exits 0.
        QTRY_VERIFY_WITH_TIMEOUT(inspect.state() == QProcess::NotRunning, 20'000);
        QCOMPARE(inspect.exitStatus(), QProcess::NormalExit);
        QCOMPARE(inspect.exitCode(), 0);
        out += inspect.readAllStandardOutput();

        // Every line is JSON; items and marks.
        QStringList kinds;
        QStringList lastEventIds;
        bool maskedClientFrame = false;
        for (const QByteArray &line : out.trimmed().split('\n')) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            if (o.contains(u"mark"))
                continue;
            kinds.append(o.value(u"kind").toString());
            if (o.contains(u"event"))
                lastEventIds.append(o.value(u"event").toObject().value(u"lastEventId").toString());
            if (o.value(u"direction").toString() == u"send"
                && o.value(u"ws").toObject().value(u"masked").toBool())
                maskedClientFrame = true;
            QVERIFY(!o.value(u"raw").toString().isEmpty());
        }
        QVERIFY(kinds.contains(QStringLiteral("http request")));
        QVERIFY(kinds.contains(QStringLiteral("sse event")));
        QVERIFY(kinds.contains(QStringLiteral("ws text")));
        QCOMPARE(lastEventIds.mid(0, 2), (QStringList {QStringLiteral("2"), QStringLiteral("3")}));
        QVERIFY(maskedClientFrame);
        QVERIFY(out.contains("Last-Event-ID: 1"));

        QFile json(dir.filePath(QStringLiteral("s.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll()).object().value(u"items").toArray().size(),
            kinds.size());
        QFile har(dir.filePath(QStringLiteral("s.har")));
        QVERIFY(har.open(QIODevice::ReadOnly));
        const QJsonArray entries = QJsonDocument::fromJson(har.readAll())
                                       .object()
                                       .value(u"log")
                                       .toObject()
                                       .value(u"entries")
                                       .toArray();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).toObject().value(u"_eventSourceMessages").toArray().size(), 2);
        QVERIFY(!entries.at(1).toObject().value(u"_webSocketMessages").toArray().isEmpty());
        QFile pcapng(dir.filePath(QStringLiteral("s.pcapng")));
        QVERIFY(pcapng.open(QIODevice::ReadOnly));
        QCOMPARE(pcapng.read(4), QByteArray("\x0a\x0d\x0d\x0a", 4)); // A Section Header Block.
    }

    void bufferingProxy()
    {
        // --buffering ignore: the server's SSE stream (which says X-Accel-Buffering: no) is held
        // at the relay until 8 KiB have gathered, then passed on at once.
        QProcess inspect;
        inspect.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("inspect"), QStringLiteral("--listen"), QStringLiteral("0"),
                QStringLiteral("--upstream"),
                QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()),
                QStringLiteral("--buffering"), QStringLiteral("ignore")});
        quint16 port = 0;
        relayPort(inspect, &port);
        QVERIFY(port > 0);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(10'000));
        client.write("GET /events?topics=b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray out;
        const auto printed = [&](const char *what) {
            out += inspect.readAllStandardOutput();
            return out.contains(what);
        };
        QTRY_VERIFY_WITH_TIMEOUT(printed("http response"), 20'000); // the relay has the head...
        QCoreApplication::processEvents();
        QCOMPARE(client.bytesAvailable(), 0); // ...and holds it
        m_server->append(300, QStringLiteral("b")); // well over 8 KiB
        QTRY_VERIFY_WITH_TIMEOUT(printed("buffering proxy:"), 20'000);
        QByteArray got;
        // 8 KiB at least, in one piece (what follows may wait for the next 8 KiB).
        QTRY_VERIFY_WITH_TIMEOUT((got += client.readAll(), got.size() >= 8 * 1024), 20'000);
        QVERIFY(got.startsWith("HTTP/1.1 200"));
        QVERIFY(got.contains("X-Accel-Buffering: no"));
        inspect.terminate();
        QVERIFY(inspect.waitForFinished(20'000));
    }

    void failures_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("no upstream")
            << QStringList {QStringLiteral("--listen"), QStringLiteral("0")} << 2
            << QStringLiteral("--listen PORT and --upstream URL are both needed");
        QTest::newRow("bad port") << QStringList {QStringLiteral("--listen"),
            QStringLiteral("70000"), QStringLiteral("--upstream"),
            QStringLiteral("http://127.0.0.1:1")}
                                  << 2 << QStringLiteral("--listen takes a port number");
        QTest::newRow("https upstream")
            << QStringList {QStringLiteral("--listen"), QStringLiteral("0"),
                   QStringLiteral("--upstream"), QStringLiteral("https://example.org")}
            << 1 << QStringLiteral("http:// or ws://");
        QTest::newRow("bad latency") << QStringList {QStringLiteral("--listen"),
            QStringLiteral("0"), QStringLiteral("--upstream"), QStringLiteral("http://127.0.0.1:1"),
            QStringLiteral("--latency"), QStringLiteral("-5")}
                                     << 2 << QStringLiteral("--latency takes milliseconds");
        QTest::newRow("bad buffering") << QStringList {QStringLiteral("--listen"),
            QStringLiteral("0"), QStringLiteral("--upstream"), QStringLiteral("http://127.0.0.1:1"),
            QStringLiteral("--buffering"), QStringLiteral("always")}
                                       << 2 << QStringLiteral("--buffering takes honour or ignore");
        QTest::newRow("port in use")
            << QStringList {QStringLiteral("--listen"), QStringLiteral("PORT"),
                   QStringLiteral("--upstream"), QStringLiteral("http://127.0.0.1:1")}
            << 1 << QStringLiteral("cannot listen on 127.0.0.1:");
    }
    void failures()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        arguments.replaceInStrings(QStringLiteral("PORT"), QString::number(m_server->port()));
        QProcess inspect;
        inspect.start(
            QStringLiteral(PUSHBOARD_BIN), QStringList {QStringLiteral("inspect")} + arguments);
        QTRY_VERIFY_WITH_TIMEOUT(inspect.state() == QProcess::NotRunning, 20'000);
        QCOMPARE(inspect.exitCode(), exitCode);
        const QString err = QString::fromUtf8(inspect.readAllStandardError());
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        QCOMPARE(err.count(u'\n'), 1); // One line.
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_InspectCommand)
#include "tst_inspectcommand.moc"
