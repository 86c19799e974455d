#include "controlchannel.h"
#include "faultstate.h"
#include "httptestclient.h"
#include "pollservice.h"
#include "samplingscheduler.h"
#include "sseclient.h"
#include "ssepublisher.h"
#include "testserver.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

namespace {

QByteArrayList range(int first, int last)
{
    QByteArrayList ids;
    for (int id = first; id <= last; ++id)
        ids.append(QByteArray::number(id));
    return ids;
}

/// A client frame as RFC 6455 wants it: FIN, the opcode, masked payload.
QByteArray maskedFrame(const QByteArray &payload, quint8 opcode = 0x1)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((payload.size() >> 8) & 0xff));
        frame.append(char(payload.size() & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ key[i % 4]));
    return frame;
}

/// A raw TCP client that performs the opening handshake itself and then does what it is told
/// (nothing, for the ping-timeout and slow-consumer tests).
struct RawWsClient
{
    QTcpSocket socket;
    QByteArray received;
    bool reading = true;

    void connectAndUpgrade(
        quint16 port, const QByteArray &path = "/ws", const QList<QByteArray> &extra = {})
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, [this] {
            if (reading)
                received += socket.readAll();
        });
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        QByteArray request = "GET " + path
            + " HTTP/1.1\r\nUpgrade: websocket\r\n"
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Sec-WebSocket-Version: 13\r\n";
        bool host = false;
        for (const QByteArray &header : extra) {
            request += header + "\r\n";
            host = host || header.startsWith("Host:");
        }
        if (!host) // exactly one Host (RFC 9112 3.2)
            request += "Host: 127.0.0.1\r\n";
        socket.write(request + "\r\n");
    }
    int status() const { return received.startsWith("HTTP/1.1 ") ? received.mid(9, 3).toInt() : 0; }
};

/// A client frame with the given first byte, masked or not, the length in 7/16/64-bit form.
QByteArray clientFrame(
    quint8 first, const QByteArray &payload, bool masked = true, bool long64 = false)
{
    QByteArray out(1, char(first));
    const char mask = masked ? char(0x80) : 0;
    if (long64 || payload.size() > 0xffff) {
        out.append(char(mask | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(payload.size()) >> shift) & 0xff));
    } else if (payload.size() >= 126) {
        out.append(char(mask | 126));
        out.append(char(payload.size() >> 8));
        out.append(char(payload.size() & 0xff));
    } else {
        out.append(char(mask | char(payload.size())));
    }
    if (!masked)
        return out + payload;
    const QByteArray key("\x12\x34\x56\x78", 4);
    QByteArray body = payload;
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(body[i] ^ key[i % 4]);
    return out + key + body;
}

} // namespace

/// `/ws` against a real server with real QWebSocket clients (and raw sockets where a client must
/// misbehave).
class tst_ControlChannel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void stateOnConnect()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(!ws.messages.isEmpty());
        const QJsonObject state = ws.messages.constFirst();
        QCOMPARE(state.value(QStringLiteral("op")).toString(), QStringLiteral("state"));
        QCOMPARE(state.value(QStringLiteral("interval")).toInt(), 1000);
        QCOMPARE(state.value(QStringLiteral("paused")).toBool(), false);
        QCOMPARE(state.value(QStringLiteral("keepalive")).toInt(), 15);
        QCOMPARE(state.value(QStringLiteral("latency")).toInt(), 0);
        QCOMPARE(state.value(QStringLiteral("stallRemaining")).toInt(), 0);
        QCOMPARE(state.value(QStringLiteral("connections"))
                     .toObject()
                     .value(QStringLiteral("ws"))
                     .toInt(),
            1);
    }

    void upgradeOnlyOnWs_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray upgrade
            = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        QTest::newRow("plain GET /ws")
            << QByteArray("GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n") << 426;
        QTest::newRow("upgrade on /events")
            << QByteArray("GET /events HTTP/1.1\r\nHost: localhost\r\n" + upgrade + "\r\n") << 404;
        QTest::newRow("upgrade on /api/health")
            << QByteArray("GET /api/health HTTP/1.1\r\nHost: localhost\r\n" + upgrade + "\r\n")
            << 404;
        QTest::newRow("upgrade on /wsx")
            << QByteArray("GET /wsx HTTP/1.1\r\nHost: localhost\r\n" + upgrade + "\r\n") << 404;
    }
    void upgradeOnlyOnWs()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
        socket.write(request);
        QTRY_VERIFY(received.endsWith('}'));
        QCOMPARE(received.mid(9, 3).toInt(), status);
        QVERIFY(!received.contains("101"));
        QCOMPARE(m_server->host->controlChannel()->clientCount(), 0);
        if (status == 426)
            QVERIFY(received.contains("\r\nUpgrade: websocket\r\n"));
        QTRY_VERIFY(
            socket.state() == QAbstractSocket::UnconnectedState || received.count("HTTP/1.1") == 1);
        QTest::qWait(50); // Nothing else may follow (a late 101 would show up here).
        QCOMPARE(received.count("HTTP/1.1"), 1);
    }

    void handshakeFields_data()
    {
        // RFC 6455 4.2.1/4.2.2, with the RFC's own example key and accept value.
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("answer");
        const QByteArray head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\n";
        QTest::newRow("rfc example")
            << head
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                          "Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        QTest::newRow("version 8") << head
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"
                                   << QByteArray("HTTP/1.1 426 Upgrade Required\r\n");
        QTest::newRow("no key") << head + "Sec-WebSocket-Version: 13\r\n\r\n"
                                << QByteArray("HTTP/1.1 400 Bad Request\r\n");
        QTest::newRow("key of 15 bytes")
            << head + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\nSec-WebSocket-Version: 13\r\n\r\n"
            << QByteArray("HTTP/1.1 400 Bad Request\r\n");
        QTest::newRow("key without padding") << head
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\nSec-WebSocket-Version: 13\r\n\r\n"
                                             << QByteArray("HTTP/1.1 400 Bad Request\r\n");
        QTest::newRow("http/1.0") << QByteArray(
            "GET /ws HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                                  << QByteArray("HTTP/1.1 400 Bad Request\r\n");
    }
    void handshakeFields()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, answer);
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
        socket.write(request);
        QTRY_VERIFY(received.contains("\r\n\r\n"));
        QVERIFY2(received.startsWith(answer), received.constData());
        if (answer.contains("426"))
            QVERIFY(received.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        if (!answer.contains("101"))
            QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    }

    void originAndToken_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArrayList>("headers");
        QTest::addColumn<int>("status");
        QTest::newRow("no token") << QByteArray("/ws") << QByteArrayList {} << 401;
        QTest::newRow("wrong token") << QByteArray("/ws?token=nope") << QByteArrayList {} << 401;
        QTest::newRow("query token") << QByteArray("/ws?token=s3") << QByteArrayList {} << 101;
        QTest::newRow("bearer token")
            << QByteArray("/ws") << QByteArrayList {"Authorization: Bearer s3"} << 101;
        QTest::newRow("foreign origin")
            << QByteArray("/ws?token=s3") << QByteArrayList {"Origin: https://evil.example"} << 403;
        QTest::newRow("allowed origin")
            << QByteArray("/ws?token=s3") << QByteArrayList {"Origin: https://dash.example"} << 101;
        QTest::newRow("own origin") << QByteArray("/ws?token=s3")
                                    << QByteArrayList {"Origin: http://127.0.0.1:PORT"} << 101;
    }
    void originAndToken()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArrayList, headers);
        QFETCH(int, status);
        m_server->config.token = QStringLiteral("s3");
        m_server->config.allowedOrigins = {QStringLiteral("https://dash.example")};
        QVERIFY(m_server->start());
        for (QByteArray &header : headers)
            header.replace("PORT", QByteArray::number(m_server->port()));
        headers.prepend("Host: 127.0.0.1:" + QByteArray::number(m_server->port()));
        RawWsClient client;
        client.connectAndUpgrade(m_server->port(), path, headers);
        QTRY_VERIFY(client.received.contains("\r\n\r\n"));
        QCOMPARE(client.status(), status);
        QTRY_COMPARE(m_server->host->controlChannel()->clientCount(), status == 101 ? 1 : 0);
    }

    void subscribeReplaysThenLive_data()
    {
        QTest::addColumn<QJsonValue>("after");
        QTest::addColumn<QByteArrayList>("ids");
        QTest::newRow("live only") << QJsonValue(QJsonValue::Undefined) << range(6, 6);
        QTest::newRow("after 2") << QJsonValue(QStringLiteral("2")) << range(3, 6);
        QTest::newRow("after 0") << QJsonValue(QStringLiteral("0")) << range(1, 6);
        QTest::newRow("up to date") << QJsonValue(QStringLiteral("5")) << range(6, 6);
    }
    void subscribeReplaysThenLive()
    {
        QFETCH(QJsonValue, after);
        QFETCH(QByteArrayList, ids);
        m_server->append(5);
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        QJsonObject subscribe {
            {QStringLiteral("op"), QStringLiteral("subscribe")}, {QStringLiteral("ref"), 1}};
        if (!after.isUndefined())
            subscribe.insert(QStringLiteral("after"), after);
        ws.send(subscribe);
        QTRY_COMPARE(ws.answerTo(1).value(QStringLiteral("op")).toString(), QStringLiteral("ack"));
        m_server->append(1);
        QTRY_COMPARE(ws.eventIds(), ids);
        const QJsonObject last = ws.withOp("event").constLast();
        QCOMPARE(last.value(QStringLiteral("topic")).toString(), QStringLiteral("test.n"));
        QCOMPARE(last.value(QStringLiteral("data")).toInt(), 0);
        QVERIFY(last.value(QStringLiteral("time")).isDouble());
    }

    void gapAndReset()
    {
        m_server->config.store.keepCount = 2;
        m_server->config.store.keepAgeMs = 0;
        QVERIFY(m_server->start());
        m_server->append(6);
        m_server->store().pruneNow();
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.send({{QStringLiteral("op"), QStringLiteral("subscribe")},
            {QStringLiteral("after"), QStringLiteral("1")}});
        QTRY_COMPARE(ws.eventIds(), range(5, 6));
        QCOMPARE(ws.withOp("gap").constFirst(),
            (QJsonObject {{QStringLiteral("op"), QStringLiteral("gap")},
                {QStringLiteral("from"), QStringLiteral("2")},
                {QStringLiteral("to"), QStringLiteral("4")}}));
        ws.send({{QStringLiteral("op"), QStringLiteral("subscribe")},
            {QStringLiteral("after"), QStringLiteral("99")}});
        QTRY_COMPARE(ws.withOp("reset").size(), 1);
        QCOMPARE(ws.withOp("reset").constFirst().value(QStringLiteral("newest")).toString(),
            QStringLiteral("6"));
        m_server->append(1);
        QTRY_COMPARE(ws.eventIds(), range(5, 7));
    }

    void topicsAndUnsubscribe()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.send({{QStringLiteral("op"), QStringLiteral("subscribe")},
            {QStringLiteral("topics"), QJsonArray {QStringLiteral("a")}},
            {QStringLiteral("ref"), 1}});
        QTRY_VERIFY(!ws.answerTo(1).isEmpty());
        m_server->append(1, QStringLiteral("b"));
        m_server->append(1, QStringLiteral("a"));
        QTRY_COMPARE(ws.eventIds(), QByteArrayList {"2"});
        ws.send(
            {{QStringLiteral("op"), QStringLiteral("unsubscribe")}, {QStringLiteral("ref"), 2}});
        QTRY_VERIFY(!ws.answerTo(2).isEmpty());
        m_server->append(1, QStringLiteral("a"));
        ws.send(
            {{QStringLiteral("op"), QStringLiteral("unsubscribe")}, {QStringLiteral("ref"), 3}});
        QTRY_VERIFY(!ws.answerTo(3).isEmpty()); // Answered in order: the event would be before it.
        QCOMPARE(ws.eventIds(), QByteArrayList {"2"});
    }

    void publishIsAcknowledgedAndDelivered()
    {
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.send({{QStringLiteral("op"), QStringLiteral("publish")},
            {QStringLiteral("topic"), QStringLiteral("chat")},
            {QStringLiteral("data"), QJsonObject {{QStringLiteral("m"), QStringLiteral("hi")}}},
            {QStringLiteral("ref"), QStringLiteral("p1")}});
        QTRY_VERIFY(!ws.answerTo(QStringLiteral("p1")).isEmpty());
        QCOMPARE(ws.answerTo(QStringLiteral("p1")),
            (QJsonObject {{QStringLiteral("op"), QStringLiteral("ack")},
                {QStringLiteral("ref"), QStringLiteral("p1")},
                {QStringLiteral("id"), QStringLiteral("1")}}));
        QTRY_COMPARE(sse.eventIds(), QByteArrayList {"1"});
        QCOMPARE(m_server->store().after(0).constFirst().data, QByteArray(R"({"m":"hi"})"));
    }

    void badMessagesGetErrorsAndKeepTheConnection_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("error");
        QTest::newRow("bad json") << QByteArray(R"({"op":"publish",)")
                                  << QStringLiteral("bad JSON");
        QTest::newRow("unknown op")
            << QByteArray(R"({"op":"fly","ref":9})") << QStringLiteral("unknown op 'fly'");
        QTest::newRow("bad publish topic")
            << QByteArray(R"({"op":"publish","topic":"UP","data":1,"ref":9})")
            << QStringLiteral("\"topic\" must be a topic name");
        QTest::newRow("unknown action")
            << QByteArray(R"({"op":"control","action":"explode","ref":9})")
            << QStringLiteral("unknown action 'explode'");
        QTest::newRow("interval too small")
            << QByteArray(R"({"op":"control","action":"setInterval","args":{"ms":5},"ref":9})")
            << QStringLiteral("args.ms must be a whole number from 10");
        QTest::newRow("interval not a number")
            << QByteArray(R"({"op":"control","action":"setInterval","args":{"ms":"fast"},"ref":9})")
            << QStringLiteral("args.ms must be a whole number");
        QTest::newRow("bad transport") << QByteArray(
            R"({"op":"control","action":"dropConnections","args":{"transport":"x"},"ref":9})")
                                       << QStringLiteral(
                                              "args.transport must be sse, ws, poll or all");
        QTest::newRow("burst count 0")
            << QByteArray(
                   R"({"op":"control","action":"burst","args":{"topic":"b","count":0},"ref":9})")
            << QStringLiteral("args.count must be a whole number from 1 to 10000");
        QTest::newRow("burst bad topic") << QByteArray(
            R"({"op":"control","action":"burst","args":{"topic":"B B","count":3},"ref":9})")
                                         << QStringLiteral("args.topic must be a topic name");
        QTest::newRow("stall too long")
            << QByteArray(R"({"op":"control","action":"stall","args":{"ms":600001},"ref":9})")
            << QStringLiteral("args.ms must be a whole number from 0 to 600000");
    }
    void badMessagesGetErrorsAndKeepTheConnection()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, error);
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.sendRaw(message);
        QTRY_COMPARE(ws.withOp("error").size(), 1);
        const QJsonObject answer = ws.withOp("error").constFirst();
        QVERIFY2(answer.value(QStringLiteral("error")).toString().startsWith(error),
            qPrintable(answer.value(QStringLiteral("error")).toString()));
        if (message.contains("\"ref\":9"))
            QCOMPARE(answer.value(QStringLiteral("ref")).toInt(), 9);
        QCOMPARE(m_server->store().newestId(), 0u);
        QCOMPARE(m_server->host->scheduler()->interval(), 1000);
        ws.send(
            {{QStringLiteral("op"), QStringLiteral("unsubscribe")}, {QStringLiteral("ref"), 10}});
        QTRY_COMPARE(ws.answerTo(10).value(QStringLiteral("op")).toString(), QStringLiteral("ack"));
        QVERIFY(ws.isOpen());
    }

    void binaryMessageGetsAnError()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.socket.sendBinaryMessage(QByteArray("\x01\x02", 2));
        QTRY_COMPARE(ws.withOp("error").size(), 1);
        QVERIFY(ws.withOp("error")
                    .constFirst()
                    .value(QStringLiteral("error"))
                    .toString()
                    .startsWith(QStringLiteral("binary messages")));
        QVERIFY(ws.isOpen());
    }

    void messageOverTheLimitIsClosedWith1009()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        ws.sendRaw(
            R"({"op":"publish","topic":"t","data":")" + QByteArray(70 * 1024, 'x') + R"("})");
        QTRY_VERIFY(ws.closed);
        QCOMPARE(int(ws.socket.closeCode()), 1009);
        QCOMPARE(m_server->store().newestId(), 0u);
    }

    void shutdownClosesWith1001()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        m_server->host->stop();
        QTRY_VERIFY(ws.closed);
        QCOMPARE(int(ws.socket.closeCode()), 1001);
    }

    void clientPingIsAnswered()
    {
        WsTestClient ws;
        ws.open(m_server->port());
        QTRY_VERIFY(ws.isOpen());
        bool ponged = false;
        connect(&ws.socket, &QWebSocket::pong, this,
            [&](quint64, const QByteArray &payload) { ponged = payload == "hello"; });
        ws.socket.ping("hello");
        QTRY_VERIFY(ponged);
    }

    void rfc6455ViolationsFailTheConnection_data()
    {
        // Each MUST of RFC 6455 a server can check, from a raw socket: the server answers with a
        // Close frame carrying the code, closes the TCP connection, and nobody else is disturbed.
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<int>("code");
        const QByteArray close1000 = QByteArray("\x03\xe8", 2);
        QTest::newRow("unmasked frame (5.1)") << clientFrame(0x81, "{}", false) << 1002;
        QTest::newRow("rsv1 without extension (5.2)") << clientFrame(0xc1, "{}") << 1002;
        QTest::newRow("rsv2 (5.2)") << clientFrame(0xa1, "{}") << 1002;
        QTest::newRow("rsv3 (5.2)") << clientFrame(0x91, "{}") << 1002;
        QTest::newRow("reserved opcode 3 (5.2)") << clientFrame(0x83, "{}") << 1002;
        QTest::newRow("reserved opcode 12 (5.2)") << clientFrame(0x8c, "{}") << 1002;
        QTest::newRow("ping over 125 bytes (5.5)")
            << clientFrame(0x89, QByteArray(126, 'p')) << 1002;
        QTest::newRow("fragmented ping (5.5)") << clientFrame(0x09, "p") << 1002;
        QTest::newRow("continuation without start (5.4)") << clientFrame(0x80, "{}") << 1002;
        QTest::newRow("text inside a fragmented message (5.4)")
            << clientFrame(0x01, "{") + clientFrame(0x81, "{}") << 1002;
        QTest::newRow("invalid utf-8 text (8.1)") << clientFrame(0x81, "\"\xc3(\"") << 1007;
        QTest::newRow("close with one byte (5.5.1)") << clientFrame(0x88, "x") << 1002;
        QTest::newRow("close code 1006 (7.4.1)")
            << clientFrame(0x88, QByteArray("\x03\xee", 2)) << 1002;
        QTest::newRow("close code 0") << clientFrame(0x88, QByteArray("\x00\x00", 2)) << 1002;
        QTest::newRow("close reason not utf-8 (5.5.1)")
            << clientFrame(0x88, close1000 + "\xff") << 1007;
        QTest::newRow("64-bit length top bit (5.2)")
            << QByteArray::fromHex("81ff8000000000000002") + QByteArray(6, 'k') << 1002;
        QTest::newRow("over 64 KiB, 64-bit length (1009)")
            << clientFrame(0x81, QByteArray(70000, ' ')) << 1009;
        // Still arriving when the server decides: it must drain rather than close with unread
        // bytes, whose reset could destroy its Close frame on the way (found by pushboard check).
        QTest::newRow("16 MiB, still sending (1009)")
            << clientFrame(0x81, QByteArray(16 * 1024 * 1024, ' ')) << 1009;
        QTest::newRow("clean close echoes the code (5.5.1)")
            << clientFrame(0x88, close1000 + "bye") << 1000;
    }
    void rfc6455ViolationsFailTheConnection()
    {
        QFETCH(QByteArray, frames);
        QFETCH(int, code);
        WsTestClient bystander;
        bystander.open(m_server->port());
        QTRY_VERIFY(bystander.isOpen());
        RawWsClient client;
        client.connectAndUpgrade(m_server->port());
        QTRY_COMPARE(client.status(), 101);
        QTRY_VERIFY(client.received.contains("\"op\":\"state\""));
        const qsizetype before = client.received.size();
        client.socket.write(frames);
        QTRY_COMPARE_WITH_TIMEOUT(client.socket.state(), QAbstractSocket::UnconnectedState, 10000);
        const QByteArray after = client.received.mid(before);
        // A server Close frame: 0x88, an unmasked length, the code.
        const qsizetype at = after.indexOf(char(0x88));
        QVERIFY2(at >= 0 && after.size() >= at + 4, after.toHex().constData());
        QCOMPARE(int(uchar(after.at(at + 1)) & 0x80), 0);
        QCOMPARE((uchar(after.at(at + 2)) << 8) | uchar(after.at(at + 3)), code);
        QTRY_COMPARE(m_server->host->controlChannel()->clientCount(), 1);
        QVERIFY(bystander.isOpen());
    }

    void tooBigOverTlsStillGets1009()
    {
        // Over TLS the server's Close travels in a record that a reset can destroy before the
        // client reads it: a server that closes with the rest of a 16 MiB message unread sent
        // one, and clients saw a dropped connection instead of 1009. It must drain instead.
        m_server->config.tlsSelfSigned = true;
        QVERIFY(m_server->start());
        for (int attempt = 0; attempt < 3; ++attempt) {
            QSslSocket socket;
            socket.setPeerVerifyMode(QSslSocket::VerifyNone);
            QByteArray received;
            connect(&socket, &QSslSocket::readyRead, &socket,
                [&received, &socket] { received += socket.readAll(); });
            socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_server->port());
            QTRY_VERIFY(socket.isEncrypted()); // the server runs in this thread: never block
            socket.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n");
            QTRY_VERIFY(received.contains("\"op\":\"state\""));
            const qsizetype before = received.size();
            socket.write(clientFrame(0x81, QByteArray(16 * 1024 * 1024, ' ')));
            QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
            const QByteArray after = received.mid(before);
            const qsizetype at = after.indexOf(char(0x88));
            QVERIFY2(at >= 0 && after.size() >= at + 4,
                qPrintable(QStringLiteral("attempt %1: no Close frame in '%2'")
                               .arg(attempt)
                               .arg(QString::fromLatin1(after.toHex()))));
            QCOMPARE((uchar(after.at(at + 2)) << 8) | uchar(after.at(at + 3)), 1009);
        }
    }

    void framesInEveryLengthFormAreRead()
    {
        // A publish in a frame with a 64-bit length (and one with 16-bit) is read and answered.
        RawWsClient client;
        client.connectAndUpgrade(m_server->port());
        QTRY_COMPARE(client.status(), 101);
        const QByteArray small = "{\"op\":\"publish\",\"topic\":\"t.a\",\"data\":1,\"ref\":1}";
        client.socket.write(clientFrame(0x81, small, true, true));
        QTRY_VERIFY(client.received.contains("\"ref\":1"));
        const QByteArray padded = "{\"op\":\"publish\",\"topic\":\"t.b\",\"data\":\""
            + QByteArray(300, 'x') + "\",\"ref\":2}";
        client.socket.write(clientFrame(0x81, padded));
        QTRY_VERIFY(client.received.contains("\"ref\":2"));
        QCOMPARE(m_server->store().count(), 2);
        // A client's ping is answered with a pong carrying the same payload.
        client.socket.write(clientFrame(0x89, "hey"));
        QTRY_VERIFY(client.received.contains(QByteArray("\x8a\x03hey", 5)));
    }

    void silentPeerIsDroppedAfterTwoIntervals()
    {
        m_server->config.keepaliveS = 1;
        QVERIFY(m_server->start());
        WsTestClient alive; // QWebSocket answers pings by itself: it stays.
        alive.open(m_server->port());
        RawWsClient silent; // Completes the handshake, then never answers a ping.
        silent.connectAndUpgrade(m_server->port());
        QTRY_COMPARE(silent.status(), 101);
        QTRY_COMPARE(m_server->host->controlChannel()->clientCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(silent.socket.state() == QAbstractSocket::UnconnectedState, 15000);
        QVERIFY(silent.received.contains(char(0x89))); // It was pinged first.
        QCOMPARE(m_server->host->controlChannel()->clientCount(), 1);
        QVERIFY(alive.isOpen());
    }

    void controlsActOnTheServer()
    {
        WsTestClient controller, watcher;
        controller.open(m_server->port());
        watcher.open(m_server->port());
        QTRY_VERIFY(controller.isOpen() && watcher.isOpen());
        int ref = 0;
        const auto control = [&](const QString &action, const QJsonObject &args = {}) {
            controller.send({{QStringLiteral("op"), QStringLiteral("control")},
                {QStringLiteral("action"), action}, {QStringLiteral("args"), args},
                {QStringLiteral("ref"), ++ref}});
            return QTest::qWaitFor([&] { return !controller.answerTo(ref).isEmpty(); }, 5000)
                && controller.answerTo(ref).value(QStringLiteral("op")).toString()
                == QLatin1String("ack");
        };

        QVERIFY(control(QStringLiteral("setInterval"), {{QStringLiteral("ms"), 250}}));
        QCOMPARE(m_server->host->scheduler()->interval(), 250);
        QTRY_COMPARE(
            watcher.lastState().value(QStringLiteral("interval")).toInt(), 250); // broadcast

        QVERIFY(control(QStringLiteral("pauseSources")));
        QVERIFY(m_server->host->scheduler()->isPaused());
        QTRY_COMPARE(watcher.lastState().value(QStringLiteral("paused")).toBool(), true);
        QVERIFY(control(QStringLiteral("resumeSources")));
        QVERIFY(!m_server->host->scheduler()->isPaused());

        QVERIFY(control(QStringLiteral("setKeepalive"), {{QStringLiteral("s"), 7}}));
        QTRY_COMPARE(watcher.lastState().value(QStringLiteral("keepalive")).toInt(), 7);
        // It acts: with keepalive 1 s an SSE stream gets comments (the default is 15 s).
        QVERIFY(control(QStringLiteral("setKeepalive"), {{QStringLiteral("s"), 1}}));
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_VERIFY_WITH_TIMEOUT(sse.body.contains(": keepalive"), 10000);
        QVERIFY(control(QStringLiteral("setKeepalive"), {{QStringLiteral("s"), 7}}));

        QVERIFY(control(QStringLiteral("setLatency"), {{QStringLiteral("ms"), 30}}));
        QCOMPARE(m_server->host->faults()->latency(), 30);
        QTRY_COMPARE(watcher.lastState().value(QStringLiteral("latency")).toInt(), 30);
        watcher.send(
            {{QStringLiteral("op"), QStringLiteral("subscribe")}, {QStringLiteral("ref"), 100}});
        QTRY_VERIFY(!watcher.answerTo(100).isEmpty());
        m_server->append(1);
        QTRY_COMPARE(watcher.eventIds(), range(1, 1)); // Delayed, not lost.
        QVERIFY(control(QStringLiteral("setLatency"), {{QStringLiteral("ms"), 0}}));

        QVERIFY(control(QStringLiteral("burst"),
            {{QStringLiteral("topic"), QStringLiteral("burst.t")}, {QStringLiteral("count"), 50}}));
        QTRY_COMPARE(m_server->store().newestId(), 51u);
        QTRY_COMPARE(watcher.eventIds().size(), 51);
        QCOMPARE(watcher.withOp("event").constLast().value(QStringLiteral("data")).toObject(),
            (QJsonObject {{QStringLiteral("n"), 50}, {QStringLiteral("of"), 50}}));

        // /api/connections and /metrics show the state too.
        HttpTestClient http(m_server->port());
        const QJsonObject connections = http.get("/api/connections").json();
        QCOMPARE(connections.value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("interval"))
                     .toInt(),
            250);
        QCOMPARE(connections.value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("keepalive"))
                     .toInt(),
            7);
        int ws = 0;
        for (const QJsonValue &c : connections.value(QStringLiteral("connections")).toArray())
            ws += c.toObject().value(QStringLiteral("transport")).toString() == QLatin1String("ws");
        QCOMPARE(ws, 2);
        const QByteArray metrics = http.get("/metrics").body;
        QVERIFY(metrics.contains("\npushboard_sampling_interval_ms 250\n"));
        QVERIFY(metrics.contains("\npushboard_keepalive_seconds 7\n"));
        QVERIFY(metrics.contains("\npushboard_connections{transport=\"ws\"} 2\n"));
        QVERIFY(metrics.contains("\npushboard_events_delivered_total{transport=\"ws\"} 51\n"));
    }

    void stallHoldsEveryTransportThenFlushes()
    {
        WsTestClient controller, wsSub;
        controller.open(m_server->port());
        wsSub.open(m_server->port());
        QTRY_VERIFY(controller.isOpen() && wsSub.isOpen());
        wsSub.send(
            {{QStringLiteral("op"), QStringLiteral("subscribe")}, {QStringLiteral("ref"), 1}});
        QTRY_VERIFY(!wsSub.answerTo(1).isEmpty());
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        QTRY_VERIFY(sse.body.startsWith("retry:"));
        HttpTestClient http(m_server->port());
        QNetworkReply *longPoll = http.nam().get(QNetworkRequest(http.url("/api/events?wait=60")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);

        controller.send({{QStringLiteral("op"), QStringLiteral("control")},
            {QStringLiteral("action"), QStringLiteral("stall")},
            {QStringLiteral("args"), QJsonObject {{QStringLiteral("ms"), 600000}}},
            {QStringLiteral("ref"), 1}});
        QTRY_VERIFY(!controller.answerTo(1).isEmpty());
        QVERIFY(m_server->host->faults()->isStalled());
        QTRY_VERIFY(controller.lastState().value(QStringLiteral("stallRemaining")).toInt() > 0);
        m_server->append(3);
        // Round trips through the server prove it did not write them (answers are in order).
        for (int i = 0; i < 3; ++i) {
            wsSub.send({{QStringLiteral("op"), QStringLiteral("publish")},
                {QStringLiteral("topic"), QStringLiteral("probe")}, {QStringLiteral("data"), i},
                {QStringLiteral("ref"), 10 + i}});
            QTRY_VERIFY(!wsSub.answerTo(10 + i).isEmpty());
        }
        QCOMPARE(wsSub.eventIds(), QByteArrayList {});
        QCOMPARE(sse.eventIds(), QByteArrayList {});
        QVERIFY(!longPoll->isFinished());
        // A resume during the stall is held too: its replay waits like live events.
        WsTestClient resumer;
        resumer.open(m_server->port());
        QTRY_VERIFY(resumer.isOpen());
        resumer.send({{QStringLiteral("op"), QStringLiteral("subscribe")},
            {QStringLiteral("after"), QStringLiteral("0")}, {QStringLiteral("ref"), 1}});
        QTRY_VERIFY(!resumer.answerTo(1).isEmpty());
        resumer.send({{QStringLiteral("op"), QStringLiteral("publish")},
            {QStringLiteral("topic"), QStringLiteral("probe")}, {QStringLiteral("data"), 9},
            {QStringLiteral("ref"), 2}});
        QTRY_VERIFY(!resumer.answerTo(2).isEmpty()); // answered after anything sent before it
        QCOMPARE(resumer.eventIds(), QByteArrayList {});

        controller.send({{QStringLiteral("op"), QStringLiteral("control")},
            {QStringLiteral("action"), QStringLiteral("stall")},
            {QStringLiteral("args"), QJsonObject {{QStringLiteral("ms"), 0}}},
            {QStringLiteral("ref"), 2}});
        QTRY_COMPARE(wsSub.eventIds(), range(1, 7)); // All of it, in order, at once.
        QTRY_COMPARE(sse.eventIds(), range(1, 7));
        QTRY_COMPARE(resumer.eventIds(), range(1, 7));
        QTRY_VERIFY(longPoll->isFinished());
        // The held long poll answers the events that woke it, and a `next` that resumes right
        // after them: asking after it then gets everything published during the stall.
        const QJsonObject answer = QJsonDocument::fromJson(longPoll->readAll()).object();
        QByteArrayList ids;
        for (const QJsonValue &event : answer.value(QStringLiteral("events")).toArray())
            ids.append(event.toObject().value(QStringLiteral("id")).toString().toUtf8());
        QCOMPARE(ids, range(1, 3));
        QCOMPARE(answer.value(QStringLiteral("next")).toString(), QStringLiteral("3"));
        longPoll->deleteLater();
        const HttpAnswer rest = http.get("/api/events?after=3");
        QByteArrayList restIds;
        for (const QJsonValue &event : rest.json().value(QStringLiteral("events")).toArray())
            restIds.append(event.toObject().value(QStringLiteral("id")).toString().toUtf8());
        QCOMPARE(restIds, range(4, 7));
        QCOMPARE(rest.json().value(QStringLiteral("next")).toString(), QStringLiteral("7"));
    }

    void stallRunsOutAndSaysSo()
    {
        WsTestClient controller;
        controller.open(m_server->port());
        QTRY_VERIFY(controller.isOpen());
        controller.send(
            {{QStringLiteral("op"), QStringLiteral("subscribe")}, {QStringLiteral("ref"), 1}});
        controller.send({{QStringLiteral("op"), QStringLiteral("control")},
            {QStringLiteral("action"), QStringLiteral("stall")},
            {QStringLiteral("args"), QJsonObject {{QStringLiteral("ms"), 300}}},
            {QStringLiteral("ref"), 2}});
        QTRY_VERIFY(!controller.answerTo(2).isEmpty());
        bool stalled = false; // some state said so (the last one may already be the end)
        for (const QJsonObject &state : controller.withOp("state"))
            stalled = stalled || state.value(QStringLiteral("stallRemaining")).toInt() > 0;
        QVERIFY(stalled);
        m_server->append(2); // held...
        // ...until the stall runs out by itself: then released, and a new state says so.
        QTRY_COMPARE(controller.eventIds(), range(1, 2));
        QTRY_COMPARE(controller.lastState().value(QStringLiteral("stallRemaining")).toInt(), 0);
    }

    void dropConnections()
    {
        WsTestClient controller, other;
        controller.open(m_server->port());
        other.open(m_server->port());
        QTRY_VERIFY(controller.isOpen() && other.isOpen());
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        // A raw socket: QNetworkAccessManager would silently send a dropped GET again.
        SseTestClient longPoll;
        longPoll.get(m_server->port(), "/api/events?wait=60");
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);

        const auto drop = [&](const char *transport, int ref) {
            controller.send({{QStringLiteral("op"), QStringLiteral("control")},
                {QStringLiteral("action"), QStringLiteral("dropConnections")},
                {QStringLiteral("args"),
                    QJsonObject {{QStringLiteral("transport"), QLatin1String(transport)}}},
                {QStringLiteral("ref"), ref}});
        };
        drop("sse", 1);
        QTRY_COMPARE(sse.socket.state(), QAbstractSocket::UnconnectedState);
        QTRY_COMPARE(
            controller.answerTo(1).value(QStringLiteral("op")).toString(), QStringLiteral("ack"));
        QVERIFY(other.isOpen());
        QCOMPARE(longPoll.socket.state(), QAbstractSocket::ConnectedState);

        drop("all", 2);
        QTRY_VERIFY(other.closed);
        QTRY_COMPARE(longPoll.socket.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(!longPoll.headReceived()); // dropped, not answered
        QTRY_COMPARE(
            controller.answerTo(2).value(QStringLiteral("op")).toString(), QStringLiteral("ack"));
        QVERIFY(controller.isOpen()); // The asking connection is spared.
        QTRY_COMPARE(controller.lastState()
                         .value(QStringLiteral("connections"))
                         .toObject()
                         .value(QStringLiteral("ws"))
                         .toInt(),
            1);
    }

    void slowWebSocketConsumerIsDroppedAlone()
    {
        m_server->config.sseQueueLimit = 64 * 1024;
        QVERIFY(m_server->start());
        RawWsClient slow;
        slow.socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        slow.connectAndUpgrade(m_server->port());
        QTRY_COMPARE(slow.status(), 101);
        slow.socket.write(maskedFrame(R"({"op":"subscribe"})"));
        QTRY_COMPARE(m_server->host->controlChannel()->clientCount(), 1);
        WsTestClient reader;
        reader.open(m_server->port());
        QTRY_VERIFY(reader.isOpen());
        reader.send(
            {{QStringLiteral("op"), QStringLiteral("subscribe")}, {QStringLiteral("ref"), 1}});
        QTRY_VERIFY(!reader.answerTo(1).isEmpty());
        slow.reading = false; // From now on it reads nothing, and Qt does not read for it either.
        slow.socket.setReadBufferSize(4096);

        const QByteArray payload = '"' + QByteArray(32 * 1024, 'x') + '"';
        int published = 0;
        while (m_server->host->controlChannel()->stats().slowDisconnects == 0 && published < 2000) {
            m_server->store().append({EventDraft {QStringLiteral("big"), payload}});
            ++published;
            QCoreApplication::processEvents();
        }
        QCOMPARE(m_server->host->controlChannel()->stats().slowDisconnects, 1u);
        QTRY_COMPARE(reader.eventIds().size(), published);
        QCOMPARE(m_server->host->controlChannel()->clientCount(), 1);
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_ControlChannel)
#include "tst_controlchannel.moc"
