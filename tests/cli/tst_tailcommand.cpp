#include "testserver.h"
#include "tlscredentials.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Pushboard;

/// `pushboard tail` as a user runs it: the real executable against a real server in this process
/// (so the test waits with QTRY_*, never blocking the server's event loop).
class tst_TailCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void printsMessageEventsAsJsonLines_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("sse") << QStringLiteral("http://127.0.0.1:PORT/events") << QStringList {};
        QTest::newRow("ws") << QStringLiteral("ws://127.0.0.1:PORT/ws") << QStringList {};
        QTest::newRow("poll") << QStringLiteral("http://127.0.0.1:PORT/api/events")
                              << QStringList {
                                     QStringLiteral("--transport"), QStringLiteral("poll")};
        QTest::newRow("longpoll") << QStringLiteral("http://127.0.0.1:PORT/api/events")
                                  << QStringList {
                                         QStringLiteral("--transport"), QStringLiteral("longpoll")};
    }
    void printsMessageEventsAsJsonLines()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, extra);
        const EventList stored
            = m_server->store().append({EventDraft {QStringLiteral("a"), R"({"x":"line\nbreak"})"},
                EventDraft {QStringLiteral("b"), "2"}, EventDraft {QStringLiteral("a"), "3"}});
        QProcess tail;
        tail.start(QStringLiteral(PUSHBOARD_BIN),
            QStringList {QStringLiteral("tail"),
                url.replace(QStringLiteral("PORT"), QString::number(m_server->port())),
                QStringLiteral("--last-event-id"), QStringLiteral("0"), QStringLiteral("--topics"),
                QStringLiteral("a"), QStringLiteral("--max-events"), QStringLiteral("2")}
                + extra);
        QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 20000);
        QCOMPARE(tail.exitCode(), 0);
        const QList<QByteArray> lines = tail.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0),
            "{\"type\":\"a\",\"data\":\"{\\\"time\\\":" + QByteArray::number(stored.at(0).timeMs)
                + ",\\\"data\\\":{\\\"x\\\":\\\"line\\\\nbreak\\\"}}\",\"lastEventId\":\"1\"}");
        QCOMPARE(QJsonDocument::fromJson(lines.at(1))
                     .object()
                     .value(QStringLiteral("lastEventId"))
                     .toString(),
            QStringLiteral("3"));
        const QList<QByteArray> states = tail.readAllStandardError().trimmed().split('\n');
        QCOMPARE(QJsonDocument::fromJson(states.constFirst())
                     .object()
                     .value(QStringLiteral("state"))
                     .toString(),
            QStringLiteral("connecting"));
        QCOMPARE(QJsonDocument::fromJson(states.at(1))
                     .object()
                     .value(QStringLiteral("state"))
                     .toString(),
            QStringLiteral("open"));
    }

    void failures_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("no url") << QStringList {} << 2
                                << QStringLiteral("pushboard tail: no URL given");
        QTest::newRow("bad scheme") << QStringList {QStringLiteral("ftp://x/")} << 2
                                    << QStringLiteral("is not an http(s):// or ws(s):// URL");
        QTest::newRow("not a url") << QStringList {QStringLiteral("::::")} << 2
                                   << QStringLiteral("is not an http(s):// or ws(s):// URL");
        QTest::newRow("transport mismatch") << QStringList {
            QStringLiteral("ws://127.0.0.1:PORT/ws"), QStringLiteral("--transport"),
            QStringLiteral("poll")} << 2 << QStringLiteral("--transport poll does not fit ws");
        QTest::newRow("--http2 with a WebSocket")
            << QStringList {QStringLiteral("ws://127.0.0.1:PORT/ws"), QStringLiteral("--http2")}
            << 2 << QStringLiteral("--http2 is for http(s):// streams");
        QTest::newRow("bad topic") << QStringList {QStringLiteral("http://127.0.0.1:PORT/events"),
            QStringLiteral("--topics"), QStringLiteral("A")}
                                   << 2 << QStringLiteral("bad topic 'A'");
        QTest::newRow("refused, no reconnect")
            << QStringList {QStringLiteral("http://127.0.0.1:1/events"),
                   QStringLiteral("--no-reconnect")}
            << 1 << QStringLiteral("{\"state\":\"closed\",\"reason\":\"Connection refused\"}");
        QTest::newRow("not an event stream")
            << QStringList {QStringLiteral("http://127.0.0.1:PORT/api/health")} << 1
            << QStringLiteral("{\"state\":\"error\",\"reason\":\"Content-Type is "
                              "'application/json', not text/event-stream\"}");
        QTest::newRow("http error")
            << QStringList {QStringLiteral("http://127.0.0.1:PORT/events?topics=BAD")} << 1
            << QStringLiteral("{\"state\":\"error\",\"reason\":\"HTTP 400 Bad Request: "
                              "{\\\"error\\\":\\\"bad topic 'BAD'");
    }
    void failures()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        for (QString &argument : arguments)
            argument.replace(QStringLiteral("PORT"), QString::number(m_server->port()));
        QProcess tail;
        tail.start(QStringLiteral(PUSHBOARD_BIN), QStringList {QStringLiteral("tail")} + arguments);
        QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 20000);
        QCOMPARE(tail.exitCode(), exitCode);
        const QString err = QString::fromUtf8(tail.readAllStandardError());
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        QVERIFY(tail.readAllStandardOutput().isEmpty());
    }

    void tlsTrust_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("trust"); // ca, pin, wrongPin or none
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        for (const QString &url : {QStringLiteral("https://127.0.0.1:PORT/events"),
                 QStringLiteral("wss://127.0.0.1:PORT/ws")}) {
            const QString kind = url.section(QLatin1Char(':'), 0, 0);
            QTest::addRow("%s, --ca", qPrintable(kind)) << url << "ca" << 0 << "\"state\":\"open\"";
            QTest::addRow("%s, --pin", qPrintable(kind))
                << url << "pin" << 0 << "\"state\":\"open\"";
            QTest::addRow("%s, no trust", qPrintable(kind))
                << url << "none" << 1 << "untrusted certificate: ";
            QTest::addRow("%s, another pin", qPrintable(kind))
                << url << "wrongPin" << 1 << "is not the pinned one";
        }
        QTest::newRow("poll, --pin") << QStringLiteral("https://127.0.0.1:PORT/api/events") << "pin"
                                     << 0 << "\"state\":\"open\"";
        QTest::newRow("poll, another pin") << QStringLiteral("https://127.0.0.1:PORT/api/events")
                                           << "wrongPin" << 1 << "is not the pinned one";
    }
    void tlsTrust()
    {
        QFETCH(QString, url);
        QFETCH(QString, trust);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        m_server->config.tlsSelfSigned = true;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_server->append(1, QStringLiteral("tls.test"));
        const QString fingerprint = m_server->host->tlsFingerprint();
        QStringList arguments {QStringLiteral("tail"),
            url.replace(QStringLiteral("PORT"), QString::number(m_server->port())),
            QStringLiteral("--last-event-id"), QStringLiteral("0"), QStringLiteral("--max-events"),
            QStringLiteral("1"), QStringLiteral("--topics"), QStringLiteral("tls.test")};
        if (url.contains(QLatin1String("/api/events")))
            arguments << QStringLiteral("--transport") << QStringLiteral("poll");
        if (trust == QLatin1String("ca"))
            arguments << QStringLiteral("--ca")
                      << Tls::selfSignedFiles(m_server->config.store.dataDir).authority;
        else if (trust == QLatin1String("pin"))
            arguments << QStringLiteral("--pin") << fingerprint.toLower(); // any case will do
        else if (trust == QLatin1String("wrongPin"))
            arguments << QStringLiteral("--pin")
                      << QString(fingerprint).replace(0, 2, QStringLiteral("00"));
        QProcess tail;
        tail.start(QStringLiteral(PUSHBOARD_BIN), arguments);
        QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 20000);
        const QString err = QString::fromUtf8(tail.readAllStandardError());
        QCOMPARE(tail.exitCode(), exitCode);
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        if (exitCode == 0)
            QVERIFY(tail.readAllStandardOutput().contains("\"type\":\"tls.test\""));
    }

    void httpVersions_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QString>("protocol");
        const QStringList http2 {QStringLiteral("--http2")};
        const QStringList poll {QStringLiteral("--transport"), QStringLiteral("poll")};
        const QStringList longPoll {QStringLiteral("--transport"), QStringLiteral("longpoll")};
        const QString sse = QStringLiteral("://127.0.0.1:PORT/events");
        const QString api = QStringLiteral("://127.0.0.1:PORT/api/events");
        const QString http = QStringLiteral("http");
        const QString https = QStringLiteral("https");
        QTest::newRow("sse, clear text") << http + sse << QStringList() << false << "http/1.1";
        QTest::newRow("sse, h2c") << http + sse << http2 << false << "h2";
        QTest::newRow("poll, h2c") << http + api << poll + http2 << false << "h2";
        QTest::newRow("longpoll, h2c") << http + api << longPoll + http2 << false << "h2";
        QTest::newRow("sse, TLS offers h2") << https + sse << QStringList() << true << "h2";
        QTest::newRow("sse, TLS, --http2") << https + sse << http2 << true << "h2";
        QTest::newRow("poll, TLS offers h2") << https + api << poll << true << "h2";
        QTest::newRow("ws, TLS") << QStringLiteral("wss://127.0.0.1:PORT/ws") << QStringList()
                                 << true << "http/1.1";
    }
    void httpVersions()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, extra);
        QFETCH(bool, tls);
        QFETCH(QString, protocol);
        m_server->config.tlsSelfSigned = tls;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_server->append(1, QStringLiteral("h2.tail"));
        QStringList arguments {QStringLiteral("tail"),
            url.replace(QStringLiteral("PORT"), QString::number(m_server->port())),
            QStringLiteral("--last-event-id"), QStringLiteral("0"), QStringLiteral("--max-events"),
            QStringLiteral("1"), QStringLiteral("--topics"), QStringLiteral("h2.tail")};
        if (tls)
            arguments << QStringLiteral("--ca")
                      << Tls::selfSignedFiles(m_server->config.store.dataDir).authority;
        QProcess tail;
        tail.start(QStringLiteral(PUSHBOARD_BIN), arguments + extra);
        QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 20000);
        const QString err = QString::fromUtf8(tail.readAllStandardError());
        QCOMPARE(tail.exitCode(), 0);
        QVERIFY2(
            err.contains(QStringLiteral("{\"state\":\"open\",\"protocol\":\"%1\"").arg(protocol)),
            qPrintable(err));
        QVERIFY(tail.readAllStandardOutput().contains("\"type\":\"h2.tail\""));
        // The server saw it the same way.
        if (protocol == QLatin1String("h2"))
            QCOMPARE(m_server->host->gate()->http2Counters().connections, 1u);
    }

    void durationEndsWithZero()
    {
        QProcess tail;
        tail.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("tail"),
                QStringLiteral("http://127.0.0.1:%1/events").arg(m_server->port()),
                QStringLiteral("--duration"), QStringLiteral("0.3")});
        QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 20000);
        QCOMPARE(tail.exitStatus(), QProcess::NormalExit);
        QCOMPARE(tail.exitCode(), 0);
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_TailCommand)
#include "tst_tailcommand.moc"
