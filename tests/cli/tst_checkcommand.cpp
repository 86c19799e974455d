#include "ssepublisher.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QTimer>

using namespace Pushboard;

/// `pushboard check` as a user runs it: the real executable against Pushboard's own server in
/// this process, publishing as it goes. Against Pushboard over TLS everything passes; the
/// exit codes say what the verdicts were.
class tst_CheckCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        m_server->config.keepaliveS = 1;
    }
    void cleanup()
    {
        m_publish.stop();
        m_server.reset();
    }

    void everythingPassesAgainstPushboard_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("items");
        QTest::addColumn<QStringList>("skipped"); // what Pushboard never does
        // Pushboard never answers 204. The test drops the SSE stream once the other probes are
        // done, so that the reconnect after a server's close is checked too.
        QTest::newRow("sse") << QStringLiteral("https://127.0.0.1:PORT/events") << 17
                             << QStringList {QStringLiteral("sse.204")};
        QTest::newRow("websocket")
            << QStringLiteral("wss://127.0.0.1:PORT/ws") << 10 << QStringList {};
    }
    void everythingPassesAgainstPushboard()
    {
        QFETCH(QString, url);
        QFETCH(int, items);
        QFETCH(QStringList, skipped);
        m_server->config.tlsSelfSigned = true;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_server->append(20, QStringLiteral("check.history"));
        startPublishing();

        QProcess check;
        check.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("check"),
                url.replace(QStringLiteral("PORT"), QString::number(m_server->port())),
                QStringLiteral("--pin"), m_server->host->tlsFingerprint(),
                QStringLiteral("--duration"), QStringLiteral("8"), QStringLiteral("--idle"),
                QStringLiteral("3"), QStringLiteral("--json")});
        if (url.startsWith(QLatin1String("https"))) {
            // The resume and the very old id answered, the unknown id gone: only the main
            // stream is left. Dropping it makes the check reconnect.
            SsePublisher *sse = m_server->host->ssePublisher();
            QTRY_VERIFY_WITH_TIMEOUT(
                sse->stats().replays >= 2 && sse->streams().size() == 1, 60 * 1000);
            QCOMPARE(sse->dropAll(), 1);
        }
        QTRY_VERIFY_WITH_TIMEOUT(check.state() == QProcess::NotRunning, 90 * 1000);
        const QByteArray out = check.readAllStandardOutput();
        const QJsonObject report = QJsonDocument::fromJson(out).object();
        QVERIFY2(!report.isEmpty(), out.constData());
        QCOMPARE(report.value(QLatin1String("format")).toInt(), 1);
        QCOMPARE(report.value(QLatin1String("reached")).toBool(), true);
        const QJsonArray list = report.value(QLatin1String("items")).toArray();
        QCOMPARE(list.size(), items);
        for (const QJsonValue &value : list) {
            const QJsonObject item = value.toObject();
            const QString id = item.value(QLatin1String("id")).toString();
            const QString want
                = skipped.contains(id) ? QStringLiteral("skip") : QStringLiteral("pass");
            QVERIFY2(item.value(QLatin1String("verdict")).toString() == want,
                qPrintable(QStringLiteral("%1: %2 (%3)")
                               .arg(id, item.value(QLatin1String("verdict")).toString(),
                                   item.value(QLatin1String("evidence")).toString())));
            QVERIFY(!item.value(QLatin1String("evidence")).toString().isEmpty());
            QVERIFY(!item.value(QLatin1String("why")).toString().isEmpty());
        }
        QCOMPARE(check.exitCode(), 0);
        QCOMPARE(report.value(QLatin1String("exitCode")).toInt(), 0);
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments"); // PORT: the server's; CLOSED: a closed one
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("output"); // on stdout, or stderr for exit code 4
        // Clear text: HTTP/2 is a warning (browsers use HTTP/1.1 there).
        QTest::newRow("a warning: 1") << QStringList {
            QStringLiteral("http://127.0.0.1:PORT/events"), QStringLiteral("--idle"),
            QStringLiteral("0")} << 1 << "WARN  HTTP/2";
        QTest::newRow("a failure: 2") << QStringList {
            QStringLiteral("http://127.0.0.1:PORT/nowhere"), QStringLiteral("--idle"),
            QStringLiteral("0")} << 2 << "FAIL  Status";
        QTest::newRow("unreachable: 3")
            << QStringList {QStringLiteral("ws://127.0.0.1:CLOSED/ws")} << 3 << "FAIL  Reachable";
        QTest::newRow("not a stream URL: 4")
            << QStringList {QStringLiteral("ftp://127.0.0.1/x")} << 4 << "neither http(s)://";
        QTest::newRow("bad duration: 4") << QStringList {
            QStringLiteral("http://127.0.0.1:PORT/events"), QStringLiteral("--duration"),
            QStringLiteral("0")} << 4 << "--duration takes whole seconds";
        QTest::newRow("no URL: 4") << QStringList {} << 4 << "no URL given";
    }
    void exitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, output);
        QVERIFY(m_server->start());
        startPublishing();
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString closedPort = QString::number(closed.serverPort());
        closed.close();
        for (QString &argument : arguments) {
            argument.replace(QStringLiteral("PORT"), QString::number(m_server->port()));
            argument.replace(QStringLiteral("CLOSED"), closedPort);
        }
        QProcess check;
        check.start(QStringLiteral(PUSHBOARD_BIN),
            QStringList {QStringLiteral("check"), QStringLiteral("--duration"), QStringLiteral("2")}
                + arguments);
        QTRY_VERIFY_WITH_TIMEOUT(check.state() == QProcess::NotRunning, 60 * 1000);
        const QString out = QString::fromUtf8(
            exitCode == 4 ? check.readAllStandardError() : check.readAllStandardOutput());
        QVERIFY2(out.contains(output), qPrintable(out));
        QCOMPARE(check.exitCode(), exitCode);
        QVERIFY(!out.contains(QLatin1Char('\x1b'))); // no colour into a pipe
    }

private:
    void startPublishing()
    {
        m_publish.disconnect();
        connect(&m_publish, &QTimer::timeout, this,
            [this] { m_server->append(1, QStringLiteral("check.live")); });
        m_publish.start(200);
    }

    std::unique_ptr<TestServer> m_server;
    QTimer m_publish;
};

QTEST_GUILESS_MAIN(tst_CheckCommand)
#include "tst_checkcommand.moc"
