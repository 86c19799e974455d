#include "httpapi.h"
#include "httptestclient.h"
#include "testserver.h"

#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

/// The route table over a real server: auth on every endpoint, CORS, preflight, the built-in page.
class tst_HttpApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        m_server->config.allowedOrigins = {
            QStringLiteral("https://dash.example"), QStringLiteral("http://other.example:9000/")};
    }
    void cleanup() { m_server.reset(); }

    void everyEndpointButHealthNeedsTheToken_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("withToken");
        QTest::newRow("page") << QByteArray("GET") << QByteArray("/") << 200;
        QTest::newRow("poll") << QByteArray("GET") << QByteArray("/api/events") << 200;
        QTest::newRow("publish") << QByteArray("POST") << QByteArray("/api/publish") << 202;
        QTest::newRow("snapshot") << QByteArray("GET") << QByteArray("/api/snapshot") << 200;
        QTest::newRow("topics") << QByteArray("GET") << QByteArray("/api/topics") << 200;
        QTest::newRow("connections") << QByteArray("GET") << QByteArray("/api/connections") << 200;
        QTest::newRow("metrics") << QByteArray("GET") << QByteArray("/metrics") << 200;
    }
    void everyEndpointButHealthNeedsTheToken()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, path);
        QFETCH(int, withToken);
        m_server->config.token = QStringLiteral("t0k3n");
        QVERIFY(m_server->start());
        HttpTestClient http(m_server->port());
        const QByteArray body
            = verb == "POST" ? QByteArray(R"({"topic":"x","data":1})") : QByteArray();
        const HttpAnswer refused = http.send(verb, path, body);
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.error(), QStringLiteral("missing or wrong token"));
        QCOMPARE(m_server->store().newestId(), 0u);
        QCOMPARE(
            http.send(verb, path, body, {{"Authorization", "Bearer t0k3n"}}).status, withToken);
        const QByteArray separator = path.contains('?') ? "&" : "?";
        QCOMPARE(http.send(verb, path + separator + "token=t0k3n", body).status, withToken);
        QCOMPARE(http.get("/api/health").status, 200);
    }

    void malformedHeaderFailsClosed()
    {
        // QHttpServer 6.4 would drop every header (the token's too) and carry on; the front
        // door answers 400 before the route table runs.
        m_server->config.token = QStringLiteral("t0k3n");
        QVERIFY(m_server->start());
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
        socket.write(
            "GET /api/topics HTTP/1.1\r\nAuthorization: Bearer t0k3n\r\nBad Header\r\n\r\n");
        QTRY_VERIFY(received.endsWith('}'));
        QVERIFY2(received.startsWith("HTTP/1.1 400 "), received.constData());
    }

    void cors_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("allowOrigin");
        const QByteArray own = "http://127.0.0.1:PORT";
        QTest::newRow("no origin") << QByteArray("GET") << QByteArray("/api/topics") << QByteArray()
                                   << 200 << QByteArray();
        QTest::newRow("own origin")
            << QByteArray("GET") << QByteArray("/api/topics") << own << 200 << own;
        QTest::newRow("allowed origin")
            << QByteArray("GET") << QByteArray("/api/topics") << QByteArray("https://dash.example")
            << 200 << QByteArray("https://dash.example");
        QTest::newRow("allowed, trailing slash in option")
            << QByteArray("GET") << QByteArray("/events?x")
            << QByteArray("http://other.example:9000") << 200
            << QByteArray("http://other.example:9000");
        QTest::newRow("other origin reads without CORS")
            << QByteArray("GET") << QByteArray("/api/topics") << QByteArray("https://evil.example")
            << 200 << QByteArray();
        QTest::newRow("other origin cannot publish")
            << QByteArray("POST") << QByteArray("/api/publish")
            << QByteArray("https://evil.example") << 403 << QByteArray();
        QTest::newRow("allowed origin publishes")
            << QByteArray("POST") << QByteArray("/api/publish")
            << QByteArray("https://dash.example") << 202 << QByteArray("https://dash.example");
        QTest::newRow("errors carry CORS too")
            << QByteArray("GET") << QByteArray("/nope") << QByteArray("https://dash.example") << 404
            << QByteArray("https://dash.example");
    }
    void cors()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, origin);
        QFETCH(int, status);
        QFETCH(QByteArray, allowOrigin);
        QVERIFY(m_server->start());
        const QByteArray own = "http://127.0.0.1:" + QByteArray::number(m_server->port());
        origin.replace("http://127.0.0.1:PORT", own);
        allowOrigin.replace("http://127.0.0.1:PORT", own);
        HttpTestClient http(m_server->port());
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!origin.isEmpty())
            headers.append({"Origin", origin});
        const QByteArray body
            = verb == "POST" ? QByteArray(R"({"topic":"x","data":1})") : QByteArray();
        if (path.startsWith("/events")) {
            QNetworkRequest request(http.url(path));
            request.setRawHeader("Origin", origin);
            QNetworkReply *reply = http.nam().get(request);
            QTRY_VERIFY(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid());
            QCOMPARE(reply->rawHeader("Access-Control-Allow-Origin"), allowOrigin);
            reply->abort();
            reply->deleteLater();
            return;
        }
        const HttpAnswer answer = http.send(verb, path, body, headers);
        QCOMPARE(answer.status, status);
        QCOMPARE(answer.header("Access-Control-Allow-Origin"), allowOrigin);
        if (!allowOrigin.isEmpty())
            QCOMPARE(answer.header("Vary"), QByteArray("Origin"));
        QCOMPARE(m_server->store().newestId(), status == 202 ? 1u : 0u);
    }

    void anyOriginMayReadButNotPublish()
    {
        m_server->config.allowedOrigins = {QStringLiteral("*")};
        QVERIFY(m_server->start());
        HttpTestClient http(m_server->port());
        const HttpAnswer read = http.get("/api/snapshot", {{"Origin", "https://anyone.example"}});
        QCOMPARE(read.header("Access-Control-Allow-Origin"), QByteArray("https://anyone.example"));
        const HttpAnswer write = http.post(
            "/api/publish", R"({"topic":"x","data":1})", {{"Origin", "https://anyone.example"}});
        QCOMPARE(write.status, 403);
    }

    void preflight()
    {
        m_server->config.token = QStringLiteral("t0k3n"); // Preflights carry no credentials.
        QVERIFY(m_server->start());
        HttpTestClient http(m_server->port());
        const HttpAnswer allowed = http.send("OPTIONS", "/api/publish", {},
            {{"Origin", "https://dash.example"}, {"Access-Control-Request-Method", "POST"},
                {"Access-Control-Request-Headers", "content-type, authorization"}});
        QCOMPARE(allowed.status, 204);
        QCOMPARE(allowed.header("Access-Control-Allow-Origin"), QByteArray("https://dash.example"));
        QCOMPARE(allowed.header("Access-Control-Allow-Methods"), QByteArray("POST"));
        QVERIFY(allowed.header("Access-Control-Allow-Headers").contains("Authorization"));
        QVERIFY(allowed.header("Access-Control-Allow-Headers").contains("Content-Type"));

        const HttpAnswer refused = http.send("OPTIONS", "/api/publish", {},
            {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
        QCOMPARE(refused.status, 204);
        QVERIFY(refused.header("Access-Control-Allow-Origin").isEmpty());

        QCOMPARE(http.send("OPTIONS", "/nope", {}).status, 404);
    }

    void builtInPage()
    {
        QVERIFY(m_server->start());
        HttpTestClient http(m_server->port());
        const HttpAnswer page = http.get("/");
        QCOMPARE(page.status, 200);
        QCOMPARE(page.header("Content-Type"), QByteArray("text/html; charset=utf-8"));
        QVERIFY(page.body.startsWith("<!doctype html>"));
        QVERIFY(page.body.contains("new EventSource(\"/events\""));
        QVERIFY(!page.body.contains("http://")
            && !page.body.contains("https://")); // no external assets
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_HttpApi)
#include "tst_httpapi.moc"
