#include "streamclient.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Pushboard;
using State = StreamClient::State;

namespace {

/// A server that answers each connection with the next scripted reply and records every request
/// head: what a reconnecting client sends, and when it stops coming back.
class ScriptedServer : public QObject
{
public:
    struct Reply
    {
        QByteArray bytes; ///< Written as soon as the request head arrived.
        bool close = true; ///< Then close the connection (else keep it open).
    };

    explicit ScriptedServer(QList<Reply> script)
        : m_script(std::move(script))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                    m_buffers[socket] += socket->readAll();
                    if (!m_buffers[socket].contains("\r\n\r\n") || m_answered.contains(socket))
                        return;
                    m_answered.insert(socket);
                    requests.append(m_buffers[socket]);
                    const Reply reply = m_script.value(requests.size() - 1, m_script.constLast());
                    socket->write(reply.bytes);
                    if (reply.close)
                        socket->disconnectFromHost();
                    else
                        m_open.append(socket);
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
        m_port = m_server.serverPort();
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(m_port)); }
    void stopListening() { m_server.close(); }
    bool listenAgain() { return m_server.listen(QHostAddress::LocalHost, m_port); }
    void closeOpenConnections()
    {
        for (QTcpSocket *socket : std::as_const(m_open))
            socket->disconnectFromHost();
        m_open.clear();
    }
    QByteArray header(int request, const QByteArray &name) const
    {
        for (const QByteArray &line : requests.value(request).split('\n')) {
            if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
                return line.mid(name.size() + 1).trimmed();
        }
        return {};
    }
    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    quint16 m_port = 0;
    QList<Reply> m_script;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QSet<QTcpSocket *> m_answered;
    QList<QTcpSocket *> m_open;
};

const QByteArray Ok = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";

struct Recorder
{
    explicit Recorder(StreamClient &client)
    {
        QObject::connect(
            &client, &StreamClient::message, [this](const SseMessage &m) { messages.append(m); });
        QObject::connect(&client, &StreamClient::stateChanged,
            [this](State s, qint64 delay, const QString &reason) {
                states.append(s);
                if (s == State::Reconnecting) {
                    delays.append(delay);
                    delayReasons.append(reason);
                }
                reasons.append(reason);
            });
    }
    QByteArrayList ids() const
    {
        QByteArrayList out;
        for (const SseMessage &m : messages)
            out.append(m.lastEventId.toUtf8());
        return out;
    }
    QList<SseMessage> messages;
    QList<State> states;
    QList<qint64> delays;
    QStringList delayReasons;
    QStringList reasons;
};

StreamClient::Options sse(const QUrl &url)
{
    StreamClient::Options options;
    options.url = url;
    options.transport = StreamClient::Transport::Sse;
    return options;
}

} // namespace

/// EventSource's reconnection rules, checked against a scripted server.
class tst_StreamClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestHeaders()
    {
        ScriptedServer server({{Ok + "data: x\n\n", false}});
        StreamClient client;
        Recorder r(client);
        auto options = sse(server.url());
        options.lastEventId = QStringLiteral("41");
        options.token = QStringLiteral("t0k");
        client.start(options);
        QTRY_COMPARE(r.messages.size(), 1);
        QCOMPARE(server.header(0, "Accept"), QByteArray("text/event-stream"));
        QCOMPARE(server.header(0, "Cache-Control"), QByteArray("no-cache"));
        QCOMPARE(server.header(0, "Last-Event-ID"), QByteArray("41"));
        QCOMPARE(server.header(0, "Authorization"), QByteArray("Bearer t0k"));
        QCOMPARE(client.state(), State::Open);
    }

    void reconnectsAfterTheStreamEndsWithLastEventIdAndRetry()
    {
        ScriptedServer server({{Ok + "retry: 600\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n", true},
            {Ok + "id: 3\ndata: c\n\n", false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(r.ids(), (QByteArrayList {"1", "2", "3"}));
        QCOMPARE(server.requests.size(), 2);
        QCOMPARE(server.header(0, "Last-Event-ID"), QByteArray());
        QCOMPARE(server.header(1, "Last-Event-ID"), QByteArray("2"));
        QCOMPARE(r.delays, QList<qint64> {600}); // the server's retry, exactly, the first time
        QCOMPARE(r.reasons.at(r.states.indexOf(State::Reconnecting)),
            QStringLiteral("the server ended the stream"));
    }

    void idOnlyBlockMovesTheResumePoint()
    {
        ScriptedServer server({{Ok + "retry: 20\nid: 1\ndata: a\n\nid: 5\n\n", true}, {Ok, false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(server.requests.size(), 2);
        QCOMPARE(server.header(1, "Last-Event-ID"), QByteArray("5"));
        QCOMPARE(r.ids(), QByteArrayList {"1"});
    }

    void fatalAnswersStopReconnecting_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<QString>("reason");
        QTest::newRow("204") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n")
                             << QStringLiteral("HTTP 204");
        QTest::newRow("500") << QByteArray(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops")
                             << QStringLiteral("HTTP 500 Internal Server Error: oops");
        QTest::newRow("404") << QByteArray("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                             << QStringLiteral("HTTP 404");
        QTest::newRow("wrong content type") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
                                            << QStringLiteral("Content-Type is 'text/plain'");
    }
    void fatalAnswersStopReconnecting()
    {
        QFETCH(QByteArray, reply);
        QFETCH(QString, reason);
        ScriptedServer server({{reply, true}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(client.state(), State::Error);
        QVERIFY2(r.reasons.constLast().startsWith(reason), qPrintable(r.reasons.constLast()));
        QVERIFY(!r.states.contains(State::Reconnecting));
        QVERIFY(!client.isReconnectPending()); // It does not come back.
        QCOMPARE(server.requests.size(), 1);
    }

    void backoffGrowsWhileFailingAndResetsOnSuccess()
    {
        ScriptedServer server(
            {{Ok + "retry: 10\nid: 1\ndata: a\n\n", false}, {Ok + "id: 2\ndata: b\n\n", true}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(r.messages.size(), 1);
        server.stopListening(); // Every reconnect is now refused...
        server.closeOpenConnections(); // ...and the stream ends.
        QTRY_VERIFY_WITH_TIMEOUT(r.delays.size() >= 3, 30000);
        QVERIFY(server.listenAgain());
        QTRY_COMPARE_WITH_TIMEOUT(r.messages.size(), 2, 30000);
        QTRY_VERIFY(r.delayReasons.count(QStringLiteral("the server ended the stream")) >= 2);
        // After a stream that was open: exactly the server's retry, here raised to the floor
        // (retry: 10 would be a busy loop). While refused: attempt n (counted since the last
        // success) waits between retry and retry * 2^n.
        const qint64 retry = Backoff::MinRetryMs;
        int attempt = 0;
        for (qsizetype i = 0; i < r.delays.size(); ++i) {
            if (r.delayReasons.at(i) == QLatin1String("the server ended the stream")) {
                QCOMPARE(r.delays.at(i), retry);
                attempt = 1;
            } else {
                QVERIFY2(r.delays.at(i) >= retry && r.delays.at(i) <= (retry << qMin(attempt, 20)),
                    qPrintable(
                        QStringLiteral("%1 at attempt %2").arg(r.delays.at(i)).arg(attempt)));
                ++attempt;
            }
        }
    }

    void hostileRetryNeverBusyLoops_data()
    {
        QTest::addColumn<QByteArray>("retry");
        QTest::addColumn<qint64>("delay");
        QTest::newRow("retry 0") << QByteArray("0") << Backoff::MinRetryMs;
        QTest::newRow("retry 1") << QByteArray("1") << Backoff::MinRetryMs;
        QTest::newRow("30 digits")
            << QByteArray("999999999999999999999999999999") << Backoff::MaxRetryMs;
        QTest::newRow("2^63") << QByteArray("9223372036854775808") << Backoff::MaxRetryMs;
    }
    void hostileRetryNeverBusyLoops()
    {
        QFETCH(QByteArray, retry);
        QFETCH(qint64, delay);
        // Each stream opens, sends retry, and ends at once.
        ScriptedServer server({{Ok + "retry: " + retry + "\ndata: x\n\n", true}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        const int reconnects = delay == Backoff::MinRetryMs ? 3 : 1;
        QTRY_VERIFY_WITH_TIMEOUT(r.delays.size() >= reconnects, 30000);
        for (const qint64 got : std::as_const(r.delays))
            QCOMPARE(got, delay); // every stream was open: exactly the (bounded) retry
    }

    void endlessLineEndsTheConnection()
    {
        // 17 Mi characters without a line end: over the parser's 16 Mi cap.
        const QByteArray endless = "data: " + QByteArray(17 * 1024 * 1024, 'x');
        ScriptedServer server(
            {{Ok + "id: 1\ndata: a\n\n" + endless, false}, {Ok + "id: 2\ndata: b\n\n", false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_VERIFY_WITH_TIMEOUT(r.delays.size() == 1, 30000);
        QVERIFY2(r.delayReasons.constFirst().contains(QStringLiteral("longer than")),
            qPrintable(r.delayReasons.constFirst()));
        QTRY_COMPARE_WITH_TIMEOUT(r.ids(), (QByteArrayList {"1", "2"}), 30000);
        QCOMPARE(server.header(1, "Last-Event-ID"), QByteArray("1"));
    }

    void eventsAlreadyDeliveredAreDropped()
    {
        // A server that ignores Last-Event-ID and replays from the start.
        ScriptedServer server({{Ok + "retry: 10\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n", true},
            {Ok + "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n", false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(server.requests.size(), 2);
        QTRY_COMPARE(r.ids(), (QByteArrayList {"1", "2", "3"}));
    }

    void eventsWithoutTheirOwnIdAreNeverDropped()
    {
        // After `id: 1`, later events without an id field carry "1" as their lastEventId (as in a
        // browser) but are new events: all of them are delivered. A replayed `id: 1` is not.
        ScriptedServer server(
            {{Ok + "retry: 10\nid: 1\ndata: a\n\ndata: b\n\nevent: t\ndata: c\n\n", true},
                {Ok + "id: 1\ndata: a\n\ndata: d\n\nid: 2\ndata: e\n\n", false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(r.messages.size(), 5);
        QStringList data;
        for (const SseMessage &m : std::as_const(r.messages))
            data.append(m.data);
        QCOMPARE(data.join(QLatin1Char(',')), QStringLiteral("a,b,c,d,e"));
        QCOMPARE(r.ids(), (QByteArrayList {"1", "1", "1", "1", "2"}));
        QCOMPARE(server.header(1, "Last-Event-ID"), QByteArray("1"));
    }

    void emptyIdFieldClearsTheResumePoint_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::newRow("empty id with data")
            << QByteArray("retry: 10\nid: 4\ndata: a\n\nid:\ndata: b\n\n");
        QTest::newRow("empty id alone") << QByteArray("retry: 10\nid: 4\ndata: a\n\nid\n\n");
    }
    void emptyIdFieldClearsTheResumePoint()
    {
        // WHATWG HTML 9.2: an empty `id` sets the last event ID to the empty string, and a
        // reconnect then sends no Last-Event-ID header at all.
        QFETCH(QByteArray, stream);
        ScriptedServer server({{Ok + stream, true}, {Ok, false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(server.requests.size(), 2);
        QVERIFY2(!server.requests.at(1).toLower().contains("last-event-id"),
            server.requests.at(1).constData());
        QCOMPARE(client.lastEventId(), QString());
    }

    void resetStartsDedupeOver()
    {
        ScriptedServer server({{Ok + "retry: 10\nid: 7\ndata: a\n\n", true},
            {Ok + "id: 2\nevent: reset\ndata: {\"newest\":\"2\"}\n\nid: 3\ndata: b\n\n", false}});
        StreamClient client;
        Recorder r(client);
        client.start(sse(server.url()));
        QTRY_COMPARE(r.ids(), (QByteArrayList {"7", "2", "3"}));
        QCOMPARE(r.messages.at(1).type, QStringLiteral("reset"));
    }

    void plainWebSocketServerMessagesAreMessages()
    {
        // Not Pushboard: no `state` first, so every text message is printed as it came.
        QWebSocketServer server(QStringLiteral("plain"), QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QList<QWebSocket *> peers;
        connect(&server, &QWebSocketServer::newConnection, this, [&] {
            QWebSocket *peer = server.nextPendingConnection();
            peers.append(peer);
            peer->sendTextMessage(QStringLiteral("hello"));
            peer->sendTextMessage(QStringLiteral("{\"op\":\"event\"}"));
        });
        StreamClient client;
        Recorder r(client);
        StreamClient::Options options;
        options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort()));
        options.transport = StreamClient::transportFor(options.url);
        QCOMPARE(options.transport, StreamClient::Transport::WebSocket);
        client.start(options);
        QTRY_COMPARE(r.messages.size(), 2);
        QCOMPARE(r.messages.at(0),
            (SseMessage {QStringLiteral("message"), QStringLiteral("hello"), QString(), false}));
        QCOMPARE(r.messages.at(1).data, QStringLiteral("{\"op\":\"event\"}"));
        client.stop();
        qDeleteAll(peers);
    }

    void noReconnectCloses()
    {
        ScriptedServer server({{Ok + "data: a\n\n", true}});
        StreamClient client;
        Recorder r(client);
        auto options = sse(server.url());
        options.reconnect = false;
        client.start(options);
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(r.messages.size(), 1);
        QCOMPARE(server.requests.size(), 1);
    }

    void http2OnClearTextIsPriorKnowledge()
    {
        // --http2 on http:// opens with the HTTP/2 preface; an HTTP/1.1 answer is not a stream.
        ScriptedServer server({{Ok + "data: a\n\n", true}});
        StreamClient client;
        Recorder r(client);
        auto options = sse(server.url());
        options.http2 = true;
        options.reconnect = false;
        options.responseTimeoutMs = 500; // Qt's HTTP/2 client waits for ever on such an answer.
        client.start(options);
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(r.reasons.constLast(), QStringLiteral("no answer from the server within 1 s"));
        QVERIFY(server.requests.constFirst().startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        QVERIFY(r.messages.isEmpty());
        QVERIFY(!r.states.contains(State::Open));
        QVERIFY(client.protocol().isEmpty());
    }

    void protocolIsHttp11WithoutHttp2()
    {
        ScriptedServer server({{Ok + "data: a\n\n", false}});
        StreamClient client;
        client.start(sse(server.url()));
        QTRY_COMPARE(client.state(), State::Open);
        QCOMPARE(client.protocol(), QStringLiteral("http/1.1"));
        QVERIFY(!server.requests.constFirst().contains("HTTP2-Settings"));
    }
};

QTEST_GUILESS_MAIN(tst_StreamClient)
#include "tst_streamclient.moc"
