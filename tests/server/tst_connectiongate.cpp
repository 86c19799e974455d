#include "connectiongate.h"
#include "httpapi.h"

#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;
using Method = QHttpServerRequest::Method;

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
        m_http->addRoute(
            Method::Get, QStringLiteral("/hello"), [](const QHttpServerRequest &, HttpReply &&r) {
                r.send(HttpReply::StatusCode::Ok, "hi", "text/plain");
            });
        m_http->addRoute(Method::Post, QStringLiteral("/size"),
            [](const QHttpServerRequest &request, HttpReply &&r) {
                r.send(HttpReply::StatusCode::Ok, QByteArray::number(request.body().size()),
                    "text/plain");
            });
        m_http->addRoute(Method::Get, QStringLiteral("/auth"),
            [](const QHttpServerRequest &request, HttpReply &&r) {
                r.send(HttpReply::StatusCode::Ok, request.value("Authorization"), "text/plain");
            });
        m_gate = new ConnectionGate();
        ConnectionGate::Limits limits;
        limits.maxConnections = 3;
        limits.maxBodyBytes = 1000;
        limits.maxHeadBytes = 2048;
        limits.headTimeoutMs = 300;
        m_gate->setLimits(limits);
        QVERIFY(m_gate->listen(QHostAddress::LocalHost, 0));
        m_http->bind(m_gate);
    }
    void cleanup() { m_http.reset(); }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("garbage") << QByteArray("hello there\r\n\r\n") << 400
                                 << QByteArray("malformed request line");
        QTest::newRow("two spaces") << QByteArray("GET  /hello HTTP/1.1\r\n\r\n") << 400
                                    << QByteArray("malformed request line");
        QTest::newRow("bad version") << QByteArray("GET /hello HTTQ/1.1\r\n\r\n") << 400
                                     << QByteArray("malformed HTTP version");
        QTest::newRow("http/2") << QByteArray("GET /hello HTTP/2.0\r\n\r\n") << 505
                                << QByteArray("only HTTP/1.0 and HTTP/1.1");
        QTest::newRow("unknown method")
            << QByteArray("BREW /pot HTTP/1.1\r\n\r\n") << 501 << QByteArray("unknown method BREW");
        QTest::newRow("header without colon") << QByteArray("GET /hello HTTP/1.1\r\nHost x\r\n\r\n")
                                              << 400 << QByteArray("malformed header line 1");
        QTest::newRow("space before colon") << QByteArray("GET /hello HTTP/1.1\r\nHost : x\r\n\r\n")
                                            << 400 << QByteArray("malformed header line 1");
        QTest::newRow("folded header") << QByteArray("GET /hello HTTP/1.1\r\nA: b\r\n c\r\n\r\n")
                                       << 400 << QByteArray("malformed header line 2");
        QTest::newRow("control char") << QByteArray("GET /hello HTTP/1.1\r\nA: b\x01\r\n\r\n")
                                      << 400 << QByteArray("control character");
        QTest::newRow("content-length abc")
            << QByteArray("POST /size HTTP/1.1\r\nContent-Length: abc\r\n\r\n") << 400
            << QByteArray("bad Content-Length");
        QTest::newRow("content-length negative")
            << QByteArray("POST /size HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400
            << QByteArray("bad Content-Length");
        QTest::newRow("conflicting lengths")
            << QByteArray("POST /size HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
            << 400 << QByteArray("bad Content-Length");
        QTest::newRow("body too large")
            << QByteArray("POST /size HTTP/1.1\r\nContent-Length: 1001\r\n\r\n") << 413
            << QByteArray("request body of 1001 bytes");
        QTest::newRow("chunked") << QByteArray(
            "POST /size HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << 411 << QByteArray("send the request body with Content-Length");
        QTest::newRow("head too large")
            << QByteArray("GET /hello HTTP/1.1\r\nX: " + QByteArray(3000, 'a') + "\r\n\r\n") << 431
            << QByteArray("request head over 2048 bytes");
        QTest::newRow("endless head")
            << QByteArray("GET /hello HTTP/1.1\r\n" + QByteArray("X: y\r\n").repeated(500)) << 431
            << QByteArray("request head over");
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
        QTest::newRow("get") << QByteArray("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                             << QByteArray("hi");
        QTest::newRow("bare LF line ends")
            << QByteArray("GET /hello HTTP/1.1\nHost: x\n\n") << QByteArray("hi");
        QTest::newRow("leading empty lines")
            << QByteArray("\r\n\r\nGET /hello HTTP/1.1\r\n\r\n") << QByteArray("hi");
        QTest::newRow("http/1.0") << QByteArray("GET /hello HTTP/1.0\r\n\r\n") << QByteArray("hi");
        QTest::newRow("body at the limit") << QByteArray(
            "POST /size HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + QByteArray(1000, 'b'))
                                           << QByteArray("1000");
        QTest::newRow("headers kept")
            << QByteArray("GET /auth HTTP/1.1\r\nAuthorization: Bearer t0k\r\n\r\n")
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
        const QByteArray request("POST /size HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde");
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
        client.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(client.responses(), 1);
        client.socket.write("POST /size HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz");
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n3"));
        // Pipelined good requests are answered in order.
        client.socket.write("GET /hello HTTP/1.1\r\n\r\nPOST /size HTTP/1.1\r\nContent-Length: "
                            "2\r\n\r\nxyGET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(client.received.count("200 OK"), 5);
        QVERIFY(client.received.contains("\r\n\r\nhi") && client.received.contains("\r\n\r\n2"));
        // A later request is held to the same limits as the first one.
        client.socket.write("POST /size HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
        QTRY_VERIFY(client.received.contains("413 Content Too Large"));
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
    }

    void expectContinue()
    {
        RawClient client(m_gate->serverPort());
        client.socket.write(
            "POST /size HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        QTRY_COMPARE(client.received, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        client.socket.write("abcd");
        QTRY_VERIFY(client.received.endsWith("\r\n\r\n4"));

        RawClient refused(m_gate->serverPort()); // No 100 for a body that will be refused.
        refused.socket.write(
            "POST /size HTTP/1.1\r\nContent-Length: 4000\r\nExpect: 100-continue\r\n\r\n");
        QTRY_VERIFY(refused.received.contains("}"));
        QVERIFY(refused.received.startsWith("HTTP/1.1 413 "));
    }

    void slowHeadTimesOut()
    {
        RawClient silent(m_gate->serverPort());
        RawClient partial(m_gate->serverPort());
        partial.socket.write("GET /hello HTTP/1.1\r\nHost: x\r\n");
        QTRY_VERIFY(silent.received.contains("}"));
        QTRY_VERIFY(partial.received.contains("}"));
        QVERIFY(silent.received.startsWith("HTTP/1.1 408 Request Timeout\r\n"));
        QVERIFY(partial.received.contains("request head not complete within 300 ms"));
        QTRY_COMPARE(m_gate->connectionCount(), 0);
    }

    void idleKeepAliveIsNotTimedOut()
    {
        RawClient client(m_gate->serverPort());
        client.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(client.responses(), 1);
        QTest::qWait(800); // Well past the head timeout: between requests there is no head.
        QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        client.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(client.responses(), 2);
    }

    void connectionLimit()
    {
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_gate->serverPort()));
            clients.back()->socket.write("GET /hello HTTP/1.1\r\n\r\n");
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
        fifth.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(fifth.responses(), 1);
        QCOMPARE(fifth.status(), 200);
    }

    void refusalDoesNotDisturbOthers()
    {
        RawClient good(m_gate->serverPort());
        good.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(good.responses(), 1);
        RawClient bad(m_gate->serverPort());
        bad.socket.write(
            QByteArray::fromHex("160301020001000001fc0303") + "\r\n\r\n"); // TLS hello-ish bytes
        QTRY_COMPARE(bad.status(), 400);
        good.socket.write("GET /hello HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(good.responses(), 2);
    }

private:
    std::unique_ptr<HttpApi> m_http;
    ConnectionGate *m_gate = nullptr;
};

QTEST_GUILESS_MAIN(tst_ConnectionGate)
#include "tst_connectiongate.moc"
