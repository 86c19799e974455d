#include "connectiongate.h"
#include "hostcheck.h"
#include "httpapi.h"

#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace Pushboard;

namespace {

/// A raw client: writes exactly the bytes it is given and keeps everything it receives.
struct RawClient
{
    QTcpSocket socket;
    QByteArray received;

    explicit RawClient(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, [this] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    }
    int status() const { return received.startsWith("HTTP/1.") ? received.mid(9, 3).toInt() : 0; }
    int responses() const { return int(received.count("\r\n\r\n")); }
};

} // namespace

/// The front door over real sockets: what it refuses, with which status, and that what it lets
/// through reaches the route table unchanged, also on keep-alive connections.
class tst_ConnectionGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_http = std::make_unique<HttpApi>();
        m_http->addRoute("GET", QStringLiteral("/hello"), [](const HttpRequest &, HttpReply &&r) {
            r.send(HttpReply::StatusCode::Ok, "hi", "text/plain");
        });
        m_http->addRoute(
            "POST", QStringLiteral("/size"), [](const HttpRequest &request, HttpReply &&r) {
                r.send(HttpReply::StatusCode::Ok, QByteArray::number(request.body().size()),
                    "text/plain");
            });
        m_http->addRoute(
            "GET", QStringLiteral("/auth"), [](const HttpRequest &request, HttpReply &&r) {
                r.send(HttpReply::StatusCode::Ok, request.value("Authorization"), "text/plain");
            });
        // Time-outs far longer than any test takes on a loaded machine; the tests of the
        // time-outs themselves restart the gate with short ones.
        ConnectionGate::Limits limits;
        limits.maxConnections = 3;
        limits.maxBodyBytes = 1000;
        limits.maxHeadBytes = 2048;
        restartGate(limits);
    }
    void cleanup()
    {
        m_gate.reset();
        m_http.reset();
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("garbage") << QByteArray("hello there\r\n\r\n") << 400
                                 << QByteArray("malformed request line");
        QTest::newRow("two spaces") << QByteArray("GET  /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                    << 400 << QByteArray("malformed request line");
        QTest::newRow("bad version") << QByteArray("GET /hello HTTQ/1.1\r\n\r\n") << 400
                                     << QByteArray("malformed HTTP version");
        QTest::newRow("http/2") << QByteArray("GET /hello HTTP/2.0\r\n\r\n") << 505
                                << QByteArray("only HTTP/1.0 and HTTP/1.1");
        QTest::newRow("unknown method")
            << QByteArray("BREW /pot HTTP/1.1\r\nHost: localhost\r\n\r\n") << 501
            << QByteArray("unknown method BREW");
        QTest::newRow("header without colon") << QByteArray("GET /hello HTTP/1.1\r\nHost x\r\n\r\n")
                                              << 400 << QByteArray("malformed header line 1");
        QTest::newRow("space before colon") << QByteArray("GET /hello HTTP/1.1\r\nHost : x\r\n\r\n")
                                            << 400 << QByteArray("malformed header line 1");
        QTest::newRow("folded header")
            << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\nA: b\r\n c\r\n\r\n") << 400
            << QByteArray("malformed header line 3");
        QTest::newRow("control char")
            << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\nA: b\x01\r\n\r\n") << 400
            << QByteArray("control character");
        QTest::newRow("content-length abc")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n")
            << 400 << QByteArray("bad Content-Length");
        QTest::newRow("content-length negative")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n")
            << 400 << QByteArray("bad Content-Length");
        QTest::newRow("conflicting lengths") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: "
            "2\r\n\r\n") << 400 << QByteArray("bad Content-Length");
        QTest::newRow("body too large")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1001\r\n\r\n")
            << 413 << QByteArray("request body of 1001 bytes");
        QTest::newRow("no host in HTTP/1.1")
            << QByteArray("GET /hello HTTP/1.1\r\n\r\n") << 400
            << QByteArray("an HTTP/1.1 request needs a Host header");
        QTest::newRow("two hosts")
            << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\nHost: 127.0.0.1\r\n\r\n")
            << 400 << QByteArray("more than one Host header");
        QTest::newRow("both framings")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                          "3\r\nTransfer-Encoding: chunked\r\n\r\n")
            << 400 << QByteArray("both Content-Length and Transfer-Encoding");
        QTest::newRow("unknown coding")
            << QByteArray(
                   "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n")
            << 501 << QByteArray("transfer coding 'gzip' is not supported");
        QTest::newRow("chunked not last") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
                                          << 501 << QByteArray("transfer coding 'gzip'");
        QTest::newRow("bad chunk size") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                                        << 400
                                        << QByteArray("bad chunked body: 'zz' is not a chunk size");
        QTest::newRow("chunk data too long")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n3\r\nabcd\r\n")
            << 400 << QByteArray("bad chunked body: chunk data not followed by CRLF");
        QTest::newRow("chunk size over the limit")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                          "chunked\r\n\r\nffffffff\r\n")
            << 413 << QByteArray("request body over the limit of 1000");
        QTest::newRow("chunks adding up over the limit") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1f4\r\n"
            + QByteArray(500, 'a')
            + "\r\n1f5\r\n") << 413 << QByteArray("request body over the limit of 1000");
        QTest::newRow("bad trailer")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n0\r\nnope\r\n\r\n")
            << 400 << QByteArray("bad chunked body: malformed trailer");
        QTest::newRow("expect other") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\n")
                                      << 417 << QByteArray("unsupported Expect");
        QTest::newRow("bad target") << QByteArray("GET hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                    << 400 << QByteArray("malformed request target");
        QTest::newRow("head too large") << QByteArray(
            "GET /hello HTTP/1.1\r\nHost: localhost\r\nX: " + QByteArray(3000, 'a') + "\r\n\r\n")
                                        << 431 << QByteArray("request head over 2048 bytes");
        QTest::newRow("endless head") << QByteArray(
            "GET /hello HTTP/1.1\r\nHost: localhost\r\n" + QByteArray("X: y\r\n").repeated(500))
                                      << 431 << QByteArray("request head over");
    }
    void refusals()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QByteArray, reason);
        RawClient client(m_gate->serverPort());
        client.socket.write(request);
        QTRY_VERIFY(client.socket.state() == QAbstractSocket::UnconnectedState
            || client.received.contains("}"));
        QCOMPARE(client.status(), status);
        QVERIFY(client.received.contains("\r\nContent-Type: application/json\r\n"));
        QVERIFY(client.received.contains("\r\nConnection: close\r\n"));
        QVERIFY2(client.received.contains(QByteArray("{\"error\":\"" + reason)),
            client.received.constData());
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState); // and closed
        QTRY_COMPARE(m_gate->connectionCount(), 0);
    }

    void goodRequestsPass_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("get") << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
                             << QByteArray("hi");
        QTest::newRow("bare LF line ends")
            << QByteArray("GET /hello HTTP/1.1\nHost: localhost\n\n") << QByteArray("hi");
        QTest::newRow("leading empty lines")
            << QByteArray("\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            << QByteArray("hi");
        QTest::newRow("http/1.0") << QByteArray("GET /hello HTTP/1.0\r\n\r\n") << QByteArray("hi");
        QTest::newRow("body at the limit") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"
            + QByteArray(1000, 'b')) << QByteArray("1000");
        QTest::newRow("chunked body")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n3\r\nabc\r\n"
                          "2;name=value\r\nde\r\n0\r\n\r\n")
            << QByteArray("5");
        QTest::newRow("chunked body with trailers")
            << QByteArray("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                          "Chunked\r\n\r\nA\r\n0123456789\r\n"
                          "0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n")
            << QByteArray("10");
        QTest::newRow("chunked body at the limit") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n"
            + QByteArray(1000, 'c') + "\r\n0\r\n\r\n")
                                                   << QByteArray("1000");
        QTest::newRow("chunked with bare LF") << QByteArray(
            "POST /size HTTP/1.1\nHost: localhost\nTransfer-Encoding: chunked\n\n2\nab\n0\n\n")
                                              << QByteArray("2");
        QTest::newRow("absolute-form target")
            << QByteArray("GET http://x/hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            << QByteArray("hi");
        QTest::newRow("headers kept") << QByteArray(
            "GET /auth HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t0k\r\n\r\n")
                                      << QByteArray("Bearer t0k");
    }
    void goodRequestsPass()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, body);
        RawClient client(m_gate->serverPort());
        client.socket.write(request);
        QTRY_VERIFY(client.received.endsWith(QByteArray("\r\n\r\n" + body)));
        QCOMPARE(client.status(), 200);
    }

    void requestArrivingByteByByte()
    {
        RawClient client(m_gate->serverPort());
        QVERIFY(client.socket.waitForConnected(5000));
        const QByteArray request(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nabcde");
        for (const char c : request) {
            client.socket.write(&c, 1);
            client.socket.flush();
            QTest::qWait(1);
        }
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n5"));
    }

    void keepAliveRequestsAreEachChecked()
    {
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(client.responses(), 1);
        client.socket.write(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nxyz");
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n3"));
        // Pipelined good requests are answered in order.
        client.socket.write(
            "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\nPOST /size HTTP/1.1\r\nHost: "
            "localhost\r\nContent-Length: "
            "2\r\n\r\nxyGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(client.received.count("200 OK"), 5);
        QVERIFY(client.received.contains("\r\n\r\nhi") && client.received.contains("\r\n\r\n2"));
        // A later request is held to the same limits as the first one.
        client.socket.write(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
        QTRY_VERIFY(client.received.contains("413 Content Too Large"));
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
    }

    void expectContinue()
    {
        RawClient client(m_gate->serverPort());
        client.socket.write("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                            "4\r\nExpect: 100-continue\r\n\r\n");
        QTRY_COMPARE(client.received, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        client.socket.write("abcd");
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n4"));

        RawClient refused(m_gate->serverPort()); // No 100 for a body that will be refused.
        refused.socket.write(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4000\r\nExpect: "
            "100-continue\r\n\r\n");
        QTRY_VERIFY(refused.received.contains("}"));
        QVERIFY(refused.received.startsWith("HTTP/1.1 413 "));
    }

    void slowHeadTimesOut()
    {
        restartGate(shortTimeouts(300, 75 * 1000));
        RawClient silent(m_gate->serverPort());
        RawClient partial(m_gate->serverPort());
        partial.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n");
        QTRY_VERIFY(silent.received.contains("}"));
        QTRY_VERIFY(partial.received.contains("}"));
        QVERIFY(silent.received.startsWith("HTTP/1.1 408 Request Timeout\r\n"));
        QVERIFY(partial.received.contains("request head not complete within 300 ms"));
        QTRY_COMPARE(m_gate->connectionCount(), 0);
    }

    void headTimeoutSparesIdleKeepAlive()
    {
        restartGate(shortTimeouts(300, 75 * 1000));
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(client.responses(), 1);
        // A connection accepted after the answer is the clock: once its head time-out has
        // passed, so has any the idle one could have had. Between requests there is no head.
        RawClient clock(m_gate->serverPort());
        QTRY_VERIFY(clock.received.startsWith("HTTP/1.1 408 "));
        QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        client.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(client.responses(), 2);
        QCOMPARE(m_gate->idleClosedConnections(), 0u);
    }

    void idleKeepAliveIsClosed()
    {
        restartGate(shortTimeouts(75 * 1000, 200));
        RawClient idle(m_gate->serverPort());
        idle.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(idle.responses(), 1);
        // Closed without an answer (RFC 9112 9.8), counted, and its place freed.
        QTRY_COMPARE(idle.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(idle.responses(), 1);
        QCOMPARE(m_gate->idleClosedConnections(), 1u);
        QCOMPARE(m_gate->rejectedRequests(), 0u);
        QTRY_COMPARE(m_gate->connectionCount(), 0);
    }

    void idleTimeoutSparesPendingAnswer()
    {
        restartGate(shortTimeouts(75 * 1000, 200));
        std::shared_ptr<HttpReply> held;
        m_http->addRoute(
            "GET", QStringLiteral("/held"), [&held](const HttpRequest &, HttpReply &&r) {
                held = std::make_shared<HttpReply>(std::move(r));
            });
        RawClient waiting(m_gate->serverPort());
        // Pipelined: /held is read from the buffer right after /hello's answer started the
        // idle clock, without a new byte arriving; it must stop that clock all the same.
        waiting.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
                             "GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_VERIFY(held);
        RawClient clock(m_gate->serverPort()); // Idles out after its answer: the clock.
        clock.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(clock.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(waiting.socket.state(), QAbstractSocket::ConnectedState);
        held->send(HttpReply::StatusCode::Ok, "late", "text/plain");
        QTRY_VERIFY(waiting.received.endsWith("\r\n\r\nlate"));
        held.reset();
    }

    void hostIsChecked_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        QTest::newRow("localhost") << QByteArray("localhost") << 200;
        QTest::newRow("localhost with port") << QByteArray("localhost:8765") << 200;
        QTest::newRow("LOCALHOST.") << QByteArray("LOCALHOST.") << 200;
        QTest::newRow("app.localhost") << QByteArray("app.localhost") << 200;
        QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1:1") << 200;
        QTest::newRow("127.5.6.7") << QByteArray("127.5.6.7") << 200;
        QTest::newRow("[::1]") << QByteArray("[::1]:8765") << 200;
        QTest::newRow("allowed name") << QByteArray("board.example") << 200;
        QTest::newRow("allowed name, any case") << QByteArray("Board.Example:80") << 200;
        QTest::newRow("rebinding name") << QByteArray("attacker.example") << 421;
        QTest::newRow("lookalike") << QByteArray("localhost.attacker.example") << 421;
        QTest::newRow("other address") << QByteArray("10.0.0.8") << 421;
        QTest::newRow("bad port") << QByteArray("localhost:http") << 400;
        QTest::newRow("empty") << QByteArray("") << 400;
        QTest::newRow("userinfo") << QByteArray("x@localhost") << 400;
    }
    void hostIsChecked()
    {
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        restartGate(m_gate->limits(),
            HostCheck(QHostAddress::LocalHost, {QStringLiteral("board.example")}));
        bool upgraded = false;
        connect(
            m_gate.get(), &ConnectionGate::webSocketUpgrade, this, [&upgraded](QTcpSocket *socket) {
                upgraded = true;
                socket->deleteLater();
            });
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        QTRY_COMPARE(client.responses(), 1);
        QCOMPARE(client.status(), status);
        // A WebSocket handshake with the same Host: refused before it is handed over.
        RawClient ws(m_gate->serverPort());
        ws.socket.write("GET /ws HTTP/1.1\r\nHost: " + host
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        if (status == 200) {
            QTRY_VERIFY(upgraded);
            return;
        }
        QTRY_VERIFY(client.received.endsWith("}"));
        QVERIFY(client.received.contains("Content-Type: application/json"));
        QVERIFY(client.received.contains("\"error\":"));
        QTRY_VERIFY(ws.received.endsWith("}"));
        QCOMPARE(ws.status(), status);
        QVERIFY(!upgraded);
        QCOMPARE(m_gate->rejectedRequests(), 2u);
    }

    void http10WithoutHostIsAccepted()
    {
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /hello HTTP/1.0\r\n\r\n");
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(client.status(), 200);
    }

    void connectionLimit()
    {
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_gate->serverPort()));
            clients.back()->socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        }
        for (const auto &client : clients)
            QTRY_COMPARE(client->responses(), 1);
        QCOMPARE(m_gate->connectionCount(), 3);
        RawClient fourth(m_gate->serverPort());
        QTRY_VERIFY(fourth.received.contains("}"));
        QVERIFY(fourth.received.startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
        QVERIFY(fourth.received.contains("too many connections (limit 3)"));
        QCOMPARE(m_gate->refusedConnections(), 1u);

        clients.front()->socket.disconnectFromHost(); // A place frees up.
        QTRY_COMPARE(m_gate->connectionCount(), 2);
        RawClient fifth(m_gate->serverPort());
        fifth.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(fifth.responses(), 1);
        QCOMPARE(fifth.status(), 200);
    }

    void refusalDoesNotDisturbOthers()
    {
        RawClient good(m_gate->serverPort());
        good.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(good.responses(), 1);
        RawClient bad(m_gate->serverPort());
        bad.socket.write(
            QByteArray::fromHex("160301020001000001fc0303") + "\r\n\r\n"); // TLS hello-ish bytes
        QTRY_COMPARE(bad.status(), 400);
        good.socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(good.responses(), 2);
    }

    void chunkedBodyArrivingByteByByte()
    {
        // Node's http.request() with write() and end() sends exactly this shape.
        RawClient client(m_gate->serverPort());
        QVERIFY(client.socket.waitForConnected(5000));
        const QByteArray request(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            "7\r\n{\"a\":1}\r\n0\r\n\r\n");
        for (const char c : request) {
            client.socket.write(&c, 1);
            client.socket.flush();
        }
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n7"));
        QVERIFY(!client.received.contains("Connection: close"));
    }

    void connectionCloseRules_data()
    {
        // RFC 9112 9.3 and 9.6: who closes after the answer.
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<bool>("closes");
        QTest::newRow("1.0") << QByteArray("GET /hello HTTP/1.0\r\n\r\n") << true;
        QTest::newRow("1.0 keep-alive")
            << QByteArray("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
        QTest::newRow("1.1") << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
                             << false;
        QTest::newRow("1.1 close")
            << QByteArray("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            << true;
        QTest::newRow("1.1 close among tokens") << QByteArray(
            "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: foo, Close\r\n\r\n")
                                                << true;
    }
    void connectionCloseRules()
    {
        QFETCH(QByteArray, request);
        QFETCH(bool, closes);
        RawClient client(m_gate->serverPort());
        client.socket.write(request);
        QTRY_VERIFY(client.received.endsWith("\r\n\r\nhi"));
        QCOMPARE(client.received.contains("\r\nConnection: close\r\n"), closes);
        // An HTTP/1.0 client reuses the connection only when the answer says keep-alive.
        QCOMPARE(client.received.contains("\r\nConnection: keep-alive\r\n"),
            !closes && request.contains("HTTP/1.0"));
        if (closes) {
            QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
            return;
        }
        // Still open: a second request is answered on the same connection.
        client.socket.write(request);
        QTRY_COMPARE(client.received.count("200 OK"), 2);
        QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
    }

    void exactlyOneAnswerPerRequest_data()
    {
        // An upgrade offer on a request that cannot upgrade is ignored (RFC 9110 7.8): one answer
        // each, then the closing request's answer, then the close. Nothing unsolicited.
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("firstStatus");
        QTest::newRow("POST with upgrade headers") << QByteArray(
            "POST /size HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: "
            "websocket\r\nContent-Length: 2\r\n\r\nab")
                                                   << QByteArray("HTTP/1.1 200 OK");
        QTest::newRow("HEAD /ws with upgrade headers") << QByteArray(
            "HEAD /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: "
            "websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
            "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n") << QByteArray("HTTP/1.1 426 Upgrade Required");
        QTest::newRow("GET /hello with upgrade to h2c") << QByteArray(
            "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, "
            "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
                                                        << QByteArray("HTTP/1.1 200 OK");
    }
    void exactlyOneAnswerPerRequest()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, firstStatus);
        m_http->addRoute("GET", QStringLiteral("/ws"), [](const HttpRequest &, HttpReply &&r) {
            r.sendError(HttpReply::StatusCode::UpgradeRequired, QStringLiteral("upgrade"));
        });
        RawClient client(m_gate->serverPort());
        client.socket.write(
            request + "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(client.received.count("HTTP/1.1 "), 2);
        QVERIFY2(client.received.startsWith(firstStatus), client.received.constData());
        QVERIFY(client.received.endsWith("\r\n\r\nhi"));
        if (request.startsWith("HEAD")) // and a HEAD answer has no content
            QVERIFY(client.received.contains("\r\n\r\nHTTP/1.1 200 OK"));
    }

    void pipelinedAnswersKeepTheirOrder()
    {
        // The first request is answered later than the second would be: the second waits.
        m_http->addRoute("GET", QStringLiteral("/later"), [](const HttpRequest &, HttpReply &&r) {
            auto held = std::make_shared<HttpReply>(std::move(r));
            QTimer::singleShot(
                50, [held] { held->send(HttpReply::StatusCode::Ok, "later", "text/plain"); });
        });
        RawClient client(m_gate->serverPort());
        client.socket.write(
            "GET /later HTTP/1.1\r\nHost: localhost\r\n\r\nGET /hello HTTP/1.1\r\nHost: "
            "localhost\r\n\r\n");
        QTRY_COMPARE(client.received.count("200 OK"), 2);
        QVERIFY(client.received.indexOf("later") < client.received.indexOf("\r\n\r\nhi"));
    }

    void unansweredRequestGets503()
    {
        m_http->addRoute(
            "GET", QStringLiteral("/dropped"), [](const HttpRequest &, HttpReply &&) {});
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /dropped HTTP/1.1\r\nHost: localhost\r\n\r\nGET /hello "
                            "HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(client.responses(), 2);
        QVERIFY(client.received.startsWith("HTTP/1.1 503 "));
        QVERIFY(client.received.endsWith("\r\n\r\nhi"));
    }

private:
    void restartGate(ConnectionGate::Limits limits, const HostCheck &hostCheck = {})
    {
        m_gate = std::make_unique<ConnectionGate>();
        m_gate->setLimits(limits);
        m_gate->setHostCheck(hostCheck);
        QVERIFY(m_gate->listen(QHostAddress::LocalHost, 0));
        m_gate->setRequestHandler([this](HttpRequest &&request, HttpReply &&reply) {
            m_http->handle(request, std::move(reply));
        });
    }
    [[nodiscard]] ConnectionGate::Limits shortTimeouts(int headMs, int idleMs) const
    {
        ConnectionGate::Limits limits = m_gate->limits();
        limits.headTimeoutMs = headMs;
        limits.idleTimeoutMs = idleMs;
        return limits;
    }

    std::unique_ptr<HttpApi> m_http;
    std::unique_ptr<ConnectionGate> m_gate;
};

QTEST_GUILESS_MAIN(tst_ConnectionGate)
#include "tst_connectiongate.moc"
