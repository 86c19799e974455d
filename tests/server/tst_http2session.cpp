#include "h2testclient.h"
#include "httptestclient.h"
#include "testserver.h"
#include "tlscredentials.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace Pushboard;
using Fields = QList<std::pair<QByteArray, QByteArray>>;

namespace {

/// The ids of the complete events in an SSE body, in order.
QList<quint64> eventIds(const QByteArray &body)
{
    QList<quint64> ids;
    const QList<QByteArray> events = body.split('\n');
    for (const QByteArray &line : events) {
        if (line.startsWith("id: "))
            ids.append(line.mid(4).toULongLong());
    }
    // The last one counts only if its event is complete (its blank line came).
    if (!ids.isEmpty() && !body.endsWith("\n\n"))
        ids.removeLast();
    return ids;
}

/// A raw connection for frames no client library sends: what it receives, split into frames.
class RawConnection
{
public:
    bool open(quint16 port)
    {
        QObject::connect(
            &socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        return QTest::qWaitFor(
            [this] { return socket.state() == QAbstractSocket::ConnectedState; }, 10000);
    }
    /// The first GOAWAY or RST_STREAM the server sent, if any.
    std::optional<RawH2::Frame> verdict()
    {
        frames += RawH2::frames(received);
        for (const RawH2::Frame &frame : std::as_const(frames)) {
            if (frame.type == NGHTTP2_GOAWAY || frame.type == NGHTTP2_RST_STREAM)
                return frame;
        }
        return std::nullopt;
    }
    static quint32 errorCode(const RawH2::Frame &frame)
    {
        return RawH2::readU32(frame.payload, frame.type == NGHTTP2_GOAWAY ? 4 : 0);
    }

    QTcpSocket socket;
    QByteArray received;
    QList<RawH2::Frame> frames;
};

} // namespace

/// The server's HTTP/2 (Http2Session behind ConnectionGate): the routes over h2c and h2, event
/// streams as streams of one connection, flow control per stream, the limits, and the framing
/// rules enforced with GOAWAY or RST_STREAM, each against a real server on 127.0.0.1.
class tst_Http2Session : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        m_server->config.limits.maxConcurrentStreams = 100;
    }
    void cleanup() { m_server.reset(); }

    void endpoints_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<Fields>("headers");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("contains"); // in the body

        QTest::newRow("health") << QByteArray("GET") << QByteArray("/api/health") << QByteArray()
                                << Fields() << 200 << QStringLiteral("\"status\":\"ok\"");
        QTest::newRow("unknown path") << QByteArray("GET") << QByteArray("/nope") << QByteArray()
                                      << Fields() << 404 << QStringLiteral("no such endpoint");
        QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/api/health")
                                      << QByteArray() << Fields() << 405 << QStringLiteral("error");
        QTest::newRow("publish") << QByteArray("POST") << QByteArray("/api/publish")
                                 << QByteArray(R"({"topic":"h2.test","data":{"n":1}})")
                                 << Fields {{"content-type", "application/json"}} << 202
                                 << QStringLiteral("\"id\"");
        QTest::newRow("publish, bad JSON")
            << QByteArray("POST") << QByteArray("/api/publish") << QByteArray("{")
            << Fields {{"content-type", "application/json"}} << 400 << QStringLiteral("error");
        QTest::newRow("body over the limit")
            << QByteArray("POST") << QByteArray("/api/publish") << QByteArray(70 * 1024, 'x')
            << Fields {{"content-type", "application/json"}} << 413
            << QStringLiteral("request body larger than");
        QTest::newRow("head over the limit")
            << QByteArray("GET") << QByteArray("/api/health") << QByteArray()
            << Fields {{"x-filler", QByteArray(20 * 1024, 'a')}} << 431
            << QStringLiteral("request header fields larger than");
        QTest::newRow("foreign host")
            << QByteArray("GET") << QByteArray("/api/health") << QByteArray()
            << Fields {{"host", "evil.example"}} << 421 << QStringLiteral("evil.example");
        QTest::newRow("websocket needs HTTP/1.1")
            << QByteArray("GET") << QByteArray("/ws") << QByteArray() << Fields() << 426
            << QStringLiteral("error");
        QTest::newRow("snapshot") << QByteArray("GET") << QByteArray("/api/snapshot")
                                  << QByteArray() << Fields() << 200 << QStringLiteral("{");
    }
    void endpoints()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(Fields, headers);
        QFETCH(int, status);
        QFETCH(QString, contains);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 id = client.request(method, path, body, headers);
        client.flush();
        QTRY_VERIFY(client.stream(id).closed);
        QCOMPARE(client.stream(id).status, status);
        QVERIFY2(client.stream(id).data.contains(contains.toUtf8()), client.stream(id).data);
        QVERIFY(!client.stream(id).headers.contains("connection"));
        if (!client.stream(id).reset) // An early answer (413) may reset the rest of the request.
            QCOMPARE(client.stream(id).headers.value("content-length").toInt(),
                client.stream(id).data.size());
        QVERIFY(client.isConnected()); // One request's error is not the connection's.
    }

    void headAnswersHeadersOnly()
    {
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 get = client.request("GET", "/api/topics");
        const qint32 head = client.request("HEAD", "/api/topics");
        client.flush();
        QTRY_VERIFY(client.stream(get).closed && client.stream(head).closed);
        QCOMPARE(client.stream(head).status, 200);
        QVERIFY(client.stream(head).data.isEmpty());
        QCOMPARE(client.stream(head).headers.value("content-length"),
            QByteArray::number(client.stream(get).data.size()));
    }

    void qtClientUsesH2c()
    {
        // Qt's own HTTP/2 client (what the client library uses) with prior knowledge.
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        QNetworkAccessManager manager;
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/health").arg(m_server->port())));
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
        QNetworkReply *reply = manager.get(request);
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QVERIFY(reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool());
        QVERIFY(reply->readAll().contains("\"status\":\"ok\""));
        reply->deleteLater();
    }

    void tlsChoosesH2ByAlpn()
    {
        m_server->config.tlsSelfSigned = true;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port(), true));
        const qint32 id = client.request("GET", "/api/health");
        client.flush();
        QTRY_VERIFY(client.stream(id).closed);
        QCOMPARE(client.stream(id).status, 200);

        // Qt's client over TLS: HTTP/2 when allowed, HTTP/1.1 when not, on the same port.
        QNetworkAccessManager manager;
        for (const bool allowH2 : {true, false}) {
            QNetworkRequest request(
                QUrl(QStringLiteral("https://127.0.0.1:%1/api/health").arg(m_server->port())));
            QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
            trusting.setCaCertificates(QSslCertificate::fromPath(
                Tls::selfSignedFiles(m_server->config.store.dataDir).authority));
            request.setSslConfiguration(trusting);
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, allowH2);
            QNetworkReply *reply = manager.get(request);
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->error(), QNetworkReply::NoError);
            QCOMPARE(reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool(), allowH2);
            reply->deleteLater();
        }
    }

    void badPrefaceAfterAlpnGetsGoaway()
    {
        m_server->config.tlsSelfSigned = true;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        QSslConfiguration configuration = socket.sslConfiguration();
        configuration.setAllowedNextProtocols({QByteArrayLiteral("h2")});
        socket.setSslConfiguration(configuration);
        QByteArray received;
        connect(&socket, &QSslSocket::readyRead, &socket, [&] { received += socket.readAll(); });
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_server->port());
        QTRY_VERIFY(socket.isEncrypted());
        QCOMPARE(socket.sslConfiguration().nextNegotiatedProtocol(), QByteArray("h2"));
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        const QList<RawH2::Frame> frames = RawH2::frames(received);
        const auto goaway = std::find_if(frames.cbegin(), frames.cend(),
            [](const RawH2::Frame &frame) { return frame.type == NGHTTP2_GOAWAY; });
        QVERIFY(goaway != frames.cend());
        QCOMPARE(RawH2::readU32(goaway->payload, 4), quint32(NGHTTP2_PROTOCOL_ERROR));
    }

    void manyEventStreamsOnOneConnection()
    {
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        QList<qint32> ids;
        for (int i = 0; i < 20; ++i)
            ids.append(client.request("GET", "/events?topics=h2.many"));
        client.flush();
        for (const qint32 id : std::as_const(ids)) {
            QTRY_COMPARE(client.stream(id).status, 200);
            QCOMPARE(client.stream(id).headers.value("content-type"),
                QByteArray("text/event-stream; charset=utf-8"));
        }
        const quint64 id = m_server->append(1, QStringLiteral("h2.many")).constFirst().id;
        for (const qint32 stream : std::as_const(ids))
            QTRY_VERIFY(eventIds(client.stream(stream).data).contains(id));

        HttpTestClient http(m_server->port());
        const QJsonArray connections
            = http.get("/api/connections").json().value(QStringLiteral("connections")).toArray();
        int h2Streams = 0;
        for (const QJsonValue &connection : connections) {
            if (connection[QStringLiteral("protocol")].toString() == u"h2"
                && connection[QStringLiteral("transport")].toString() == u"sse")
                ++h2Streams;
        }
        QCOMPARE(h2Streams, 20);
        const QByteArray metrics = http.get("/metrics").body;
        QVERIFY2(
            metrics.contains("pushboard_connections_by_protocol{protocol=\"h2\"} 1\n"), metrics);
        QVERIFY(metrics.contains("pushboard_http2_streams 20\n"));
        QVERIFY(metrics.contains("pushboard_http2_streams_total 20\n"));

        // One stream cancelled by the client: the others go on.
        client.cancel(ids.constFirst());
        QTRY_COMPARE(http.get("/api/connections").body.count("\"h2\""), 19);
        const quint64 next = m_server->append(1, QStringLiteral("h2.many")).constFirst().id;
        for (const qint32 stream : ids.mid(1))
            QTRY_VERIFY(eventIds(client.stream(stream).data).contains(next));
    }

    void stalledStreamIsCutAloneAndResumes()
    {
        m_server->config.sseQueueLimit = 64 * 1024;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        // Streams start with a 16 KiB window; the connection's is large (as browsers make it).
        H2TestClient client({16 * 1024, 16 * 1024 * 1024, true});
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 stalled = client.request("GET", "/events?topics=h2.big");
        const qint32 reading = client.request("GET", "/events?topics=h2.big");
        client.flush();
        QTRY_COMPARE(client.stream(stalled).status, 200);
        QTRY_COMPARE(client.stream(reading).status, 200);
        client.setWindow(reading, 1024 * 1024); // Room for the whole burst below.
        client.setStalled(stalled, true);
        QVERIFY(client.roundTrip()); // The server has the new window.

        // 200 events of 1 KiB: far more than the stalled stream's window and queue together.
        QList<EventDraft> drafts;
        for (int i = 0; i < 200; ++i)
            drafts.append({QStringLiteral("h2.big"), '"' + QByteArray(1000, 'a' + i % 26) + '"'});
        const EventList events = m_server->store().append(drafts);
        const quint64 last = events.constLast().id;

        QTRY_VERIFY(client.stream(stalled).reset);
        QCOMPARE(client.stream(stalled).errorCode, quint32(NGHTTP2_CANCEL));
        QTRY_VERIFY(eventIds(client.stream(reading).data).contains(last));
        QVERIFY(client.isConnected());
        QCOMPARE(eventIds(client.stream(reading).data).size(), 200);

        // The cut stream resumes where it stopped, on the same connection, and misses nothing.
        const QList<quint64> seen = eventIds(client.stream(stalled).data);
        QVERIFY(seen.size() < 200);
        const quint64 resumeFrom = seen.isEmpty() ? events.constFirst().id - 1 : seen.constLast();
        const qint32 resumed = client.request("GET", "/events?topics=h2.big", {},
            {{"last-event-id", QByteArray::number(resumeFrom)}});
        client.flush();
        QTRY_VERIFY(eventIds(client.stream(resumed).data).contains(last));
        QList<quint64> all = seen + eventIds(client.stream(resumed).data);
        QCOMPARE(all.size(), 200);
        for (int i = 0; i < all.size(); ++i)
            QCOMPARE(all.at(i), events.at(i).id);
    }

    void concurrentStreamsAreCapped()
    {
        m_server->config.limits.maxConcurrentStreams = 3;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        // All four go out before the server's SETTINGS are read, as an impolite client's would.
        QList<qint32> ids;
        for (int i = 0; i < 4; ++i)
            ids.append(client.request("GET", "/events"));
        client.flush();
        QTRY_VERIFY(client.stream(ids.at(3)).closed);
        QVERIFY(client.stream(ids.at(3)).reset);
        QCOMPARE(client.stream(ids.at(3)).errorCode, quint32(NGHTTP2_REFUSED_STREAM));
        QCOMPARE(client.maxConcurrentStreams, 3u);
        for (int i = 0; i < 3; ++i)
            QTRY_COMPARE(client.stream(ids.at(i)).status, 200);
        QVERIFY(client.isConnected());
    }

    void framingRules_data()
    {
        QTest::addColumn<QByteArray>("bytes"); // after the preface and SETTINGS
        QTest::addColumn<int>("frameType");
        QTest::addColumn<quint32>("errorCode");

        using namespace RawH2;
        const QByteArray get = headerBlock({{":method", "GET"}, {":scheme", "http"},
            {":path", "/api/health"}, {":authority", "127.0.0.1"}});
        const QByteArray events = headerBlock({{":method", "GET"}, {":scheme", "http"},
            {":path", "/events"}, {":authority", "127.0.0.1"}});
        QTest::newRow("DATA on an idle stream") << frame(NGHTTP2_DATA, 0, 1,
            "x") << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("DATA on a stream the client closed")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, get)
                + frame(NGHTTP2_DATA, 0, 1, "x")
            << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_STREAM_CLOSED);
        QTest::newRow("frame over SETTINGS_MAX_FRAME_SIZE")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, get, 16385)
                + QByteArray(16385 - get.size(), 0)
            << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_FRAME_SIZE_ERROR);
        QTest::newRow("PING of 7 bytes")
            << frame(NGHTTP2_PING, 0, 0, QByteArray(7, 0)) << int(NGHTTP2_GOAWAY)
            << quint32(NGHTTP2_FRAME_SIZE_ERROR);
        QByteArray flood;
        for (int i = 0; i < 5000; ++i)
            flood += frame(NGHTTP2_SETTINGS, 0, 0, {});
        QTest::newRow("SETTINGS flood")
            << flood << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_ENHANCE_YOUR_CALM);
        QByteArray pings;
        for (int i = 0; i < 5000; ++i)
            pings += frame(NGHTTP2_PING, 0, 0, QByteArray(8, char(i)));
        QTest::newRow("PING flood")
            << pings << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_ENHANCE_YOUR_CALM);
        QByteArray rapidReset;
        for (quint32 stream = 1; stream < 2 * 3000; stream += 2)
            rapidReset += frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM,
                              stream, events)
                + frame(NGHTTP2_RST_STREAM, 0, stream, u32(NGHTTP2_CANCEL));
        QTest::newRow("rapid reset")
            << rapidReset << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_ENHANCE_YOUR_CALM);
        QTest::newRow("HEADERS without END_HEADERS, then another stream")
            << frame(NGHTTP2_HEADERS, 0, 1, get.left(2))
                + frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 3, get)
            << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("connection window overflow") << frame(NGHTTP2_WINDOW_UPDATE, 0, 0,
            u32(0x7fffffff)) << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_FLOW_CONTROL_ERROR);
        QTest::newRow("stream window overflow")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, events)
                + frame(NGHTTP2_WINDOW_UPDATE, 0, 1, u32(0x7fffffff))
            << int(NGHTTP2_RST_STREAM) << quint32(NGHTTP2_FLOW_CONTROL_ERROR);
        QTest::newRow("WINDOW_UPDATE of 0") << frame(NGHTTP2_WINDOW_UPDATE, 0, 0,
            u32(0)) << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("stream id of the server's (even)")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 2, get)
            << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("header name in upper case")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
                   headerBlock({{":method", "GET"}, {":scheme", "http"}, {":path", "/"},
                       {":authority", "127.0.0.1"}, {"X-Upper", "1"}}))
            << int(NGHTTP2_RST_STREAM) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("connection-specific header")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
                   headerBlock({{":method", "GET"}, {":scheme", "http"}, {":path", "/"},
                       {":authority", "127.0.0.1"}, {"connection", "keep-alive"}}))
            << int(NGHTTP2_RST_STREAM) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("no :path") << frame(NGHTTP2_HEADERS,
            NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
            headerBlock({{":method", "GET"}, {":scheme", "http"}, {":authority", "x"}}))
                                  << int(NGHTTP2_RST_STREAM) << quint32(NGHTTP2_PROTOCOL_ERROR);
        QTest::newRow("undecodable header block")
            << frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
                   QByteArray("\xff\xff\xff\xff\xff\xff", 6))
            << int(NGHTTP2_GOAWAY) << quint32(NGHTTP2_COMPRESSION_ERROR);
    }
    void framingRules()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, frameType);
        QFETCH(quint32, errorCode);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

        // A well-behaved neighbour, streaming all along.
        H2TestClient neighbour;
        QVERIFY(neighbour.connectTo(m_server->port()));
        const qint32 stream = neighbour.request("GET", "/events?topics=h2.neighbour");
        neighbour.flush();
        QTRY_COMPARE(neighbour.stream(stream).status, 200);

        RawConnection raw;
        QVERIFY(raw.open(m_server->port()));
        raw.socket.write(RawH2::preface() + bytes);
        QTRY_VERIFY(raw.verdict());
        const RawH2::Frame verdict = *raw.verdict();
        QCOMPARE(int(verdict.type), frameType);
        QCOMPARE(RawConnection::errorCode(verdict), errorCode);
        if (frameType == NGHTTP2_GOAWAY) // A connection error ends the connection.
            QTRY_COMPARE(raw.socket.state(), QAbstractSocket::UnconnectedState);

        const quint64 id = m_server->append(1, QStringLiteral("h2.neighbour")).constFirst().id;
        QTRY_VERIFY(eventIds(neighbour.stream(stream).data).contains(id));
        QVERIFY(neighbour.isConnected());
    }

    void prefaceMustComeInTime()
    {
        m_server->config.limits.headTimeoutMs = 300;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        RawConnection raw;
        QVERIFY(raw.open(m_server->port()));
        raw.socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); // and no SETTINGS
        QTRY_VERIFY(raw.verdict());
        QCOMPARE(int(raw.verdict()->type), int(NGHTTP2_GOAWAY));
        QTRY_COMPARE(raw.socket.state(), QAbstractSocket::UnconnectedState);
    }

    void requestMustComeInTime()
    {
        m_server->config.limits.headTimeoutMs = 300;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 slow = client.requestWithoutBody("POST", "/api/publish");
        client.flush();
        QTRY_VERIFY(client.stream(slow).closed);
        QCOMPARE(client.stream(slow).status, 408);
        // The connection stays for other requests.
        const qint32 next = client.request("GET", "/api/health");
        client.flush();
        QTRY_COMPARE(client.stream(next).status, 200);
    }

    void idleConnectionGetsGoaway()
    {
        m_server->config.limits.idleTimeoutMs = 300;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 id = client.request("GET", "/api/health");
        client.flush();
        QTRY_COMPARE(client.stream(id).status, 200);
        QTRY_VERIFY(client.goaway);
        QCOMPARE(client.goawayError, quint32(NGHTTP2_NO_ERROR));
        QTRY_VERIFY(!client.isConnected());
    }

    void shutdownSendsGoaway()
    {
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const qint32 id = client.request("GET", "/events");
        client.flush();
        QTRY_COMPARE(client.stream(id).status, 200);
        m_server->host->stop();
        QTRY_VERIFY(client.goaway);
        QCOMPARE(client.goawayError, quint32(NGHTTP2_NO_ERROR));
        QTRY_VERIFY(client.stream(id).closed);
        QVERIFY(!client.stream(id).reset); // Ended with END_STREAM, not reset.
    }

    void longPollOverH2()
    {
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        H2TestClient client;
        QVERIFY(client.connectTo(m_server->port()));
        const quint64 newest = m_server->store().newestId();
        const qint32 poll = client.request(
            "GET", "/api/events?wait=30&topics=h2.poll&after=" + QByteArray::number(newest));
        client.flush();
        HttpTestClient http(m_server->port());
        QTRY_COMPARE(http.get("/api/connections").body.count("\"transport\":\"longpoll\""), 1);
        QVERIFY(http.get("/api/connections").body.contains("\"protocol\":\"h2\""));
        const quint64 id = m_server->append(1, QStringLiteral("h2.poll")).constFirst().id;
        QTRY_VERIFY(client.stream(poll).closed);
        QCOMPARE(client.stream(poll).status, 200);
        QVERIFY(client.stream(poll).data.contains(
            QByteArray("\"id\":\"" + QByteArray::number(id) + '"')));

        // A parked poll whose stream the client cancels is forgotten.
        const qint32 cancelled
            = client.request("GET", "/api/events?wait=30&after=" + QByteArray::number(id));
        client.flush();
        QTRY_COMPARE(http.get("/api/connections").body.count("\"transport\":\"longpoll\""), 1);
        client.cancel(cancelled);
        QTRY_COMPARE(http.get("/api/connections").body.count("\"transport\":\"longpoll\""), 0);
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_Http2Session)
#include "tst_http2session.moc"
