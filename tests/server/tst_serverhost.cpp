#include "eventstore.h"
#include "httptestclient.h"
#include "metricsource.h"
#include "serverhost.h"
#include "ssepublisher.h"
#include "tlscredentials.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <sys/resource.h>

using namespace Pushboard;

namespace {

/// A source that publishes one `test.tick` event per sample.
class TickSource final : public MetricSource
{
public:
    QList<EventDraft> sample() override { return {EventDraft {QStringLiteral("test.tick"), "{}"}}; }
};

} // namespace

/// ServerHost's composition: start-up checks and failures, health, auth, and the route table's
/// JSON 404/405, over real sockets.
class tst_ServerHost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_config = ServerConfig {};
        m_config.port = 0;
        m_config.store.dataDir = m_dir->path();
    }

    void health()
    {
        ServerHost host({});
        QVERIFY(host.start(m_config));
        m_http.setPort(host.port());
        const HttpAnswer answer = m_http.get("/api/health");
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(answer.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(answer.json().value(QStringLiteral("version")).toString(),
            QStringLiteral(PUSHBOARD_VERSION));
        QVERIFY(answer.json().value(QStringLiteral("uptimeS")).isDouble());
    }

    void unknownPathAndMethod()
    {
        ServerHost host({});
        QVERIFY(host.start(m_config));
        m_http.setPort(host.port());
        const HttpAnswer missing = m_http.get("/no/such/thing");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.error(), QStringLiteral("no such endpoint: /no/such/thing"));

        const HttpAnswer wrongMethod = m_http.post("/api/health", "{}");
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.header("Allow"), QByteArray("GET, HEAD"));
        QCOMPARE(wrongMethod.error(), QStringLiteral("method not allowed"));
    }

    void tokenIsRequired_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<int>("status");
        QTest::newRow("health is public") << QByteArray("/api/health") << QByteArray() << 200;
        QTest::newRow("no token") << QByteArray("/events") << QByteArray() << 401;
        QTest::newRow("wrong bearer") << QByteArray("/events") << QByteArray("Bearer nope") << 401;
        QTest::newRow("longer bearer")
            << QByteArray("/events") << QByteArray("Bearer s3cret-and-more") << 401;
        QTest::newRow("basic scheme")
            << QByteArray("/events") << QByteArray("Basic czNjcmV0") << 401;
        QTest::newRow("wrong query") << QByteArray("/events?token=s3cre") << QByteArray() << 401;
        QTest::newRow("right bearer")
            << QByteArray("/events") << QByteArray("Bearer s3cret") << 200;
        QTest::newRow("bearer any case")
            << QByteArray("/events") << QByteArray("bearer s3cret") << 200;
        QTest::newRow("right query") << QByteArray("/events?token=s3cret") << QByteArray() << 200;
        QTest::newRow("unknown path still 404") << QByteArray("/nope") << QByteArray() << 404;
    }
    void tokenIsRequired()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, authorization);
        QFETCH(int, status);
        m_config.token = QStringLiteral("s3cret");
        ServerHost host({});
        QVERIFY(host.start(m_config));
        QNetworkRequest request(m_http.url(path));
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        m_http.setPort(host.port());
        request.setUrl(m_http.url(path));
        QNetworkReply *reply = m_http.nam().get(request);
        QTRY_VERIFY(reply->isFinished()
            || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
        if (status == 401) {
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->rawHeader("WWW-Authenticate"), QByteArray("Bearer"));
            QCOMPARE(QJsonDocument::fromJson(reply->readAll())
                         .object()
                         .value(QStringLiteral("error"))
                         .toString(),
                QStringLiteral("missing or wrong token"));
        }
        reply->abort();
        reply->deleteLater();
    }

    void startFailures_data()
    {
        QTest::addColumn<QString>("bind");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("error");
        QTest::newRow("any address without token")
            << QStringLiteral("0.0.0.0") << QString()
            << QStringLiteral("refusing to listen on 0.0.0.0 without --token");
        QTest::newRow("not an address")
            << QStringLiteral("example.org") << QString()
            << QStringLiteral("--bind example.org is not an IP address");
    }
    void startFailures()
    {
        QFETCH(QString, bind);
        QFETCH(QString, token);
        QFETCH(QString, error);
        m_config.bindAddress = bind;
        m_config.token = token;
        ServerHost host({});
        QVERIFY(!host.start(m_config));
        QVERIFY2(host.errorString().startsWith(error), qPrintable(host.errorString()));
        QVERIFY(!host.store()->isOpen()); // Nothing half-started: the data dir is free again.
        ServerHost other({});
        m_config.bindAddress = QStringLiteral("127.0.0.1");
        QVERIFY2(other.start(m_config), qPrintable(other.errorString()));
    }

    void portInUse()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        m_config.port = squatter.serverPort();
        ServerHost host({});
        QVERIFY(!host.start(m_config));
        QCOMPARE(host.errorString(),
            QStringLiteral("port %1 on 127.0.0.1 is already in use").arg(m_config.port));
        QVERIFY(!host.store()->isOpen());
        // What a dashboard then watches instead.
        QCOMPARE(host.failure(), ServerHost::Failure::PortInUse);
        QCOMPARE(host.runningServerUrl(), QStringLiteral("http://127.0.0.1:%1").arg(m_config.port));
    }

    void dataDirInUse()
    {
        ServerHost first({});
        QVERIFY(first.start(m_config));
        ServerHost second({});
        QVERIFY(!second.start(m_config));
        QVERIFY2(second.errorString().contains(QStringLiteral("in use by another pushboard")),
            qPrintable(second.errorString()));
        m_http.setPort(first.port());
        QCOMPARE(m_http.get("/api/health").status, 200); // The first one is unaffected.
        // The second learns where the first listens from the data directory, port 0 or not.
        QCOMPARE(second.failure(), ServerHost::Failure::DataDirInUse);
        QCOMPARE(
            second.runningServerUrl(), QStringLiteral("http://127.0.0.1:%1").arg(first.port()));
        QCOMPARE(first.url(), second.runningServerUrl());
    }

    void dnsRebindingIsRefused_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        const QByteArray publish
            = "POST /api/publish HTTP/1.1\r\nContent-Type: application/json\r\n"
              "Content-Length: 28\r\nHOST\r\n\r\n{\"topic\":\"x.y\",\"data\":12345}";
        const QByteArray events = "GET /events HTTP/1.1\r\nHOST\r\n";
        const QByteArray ws = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\nHOST\r\n";
        for (const auto &[name, request, accepted] :
            {std::tuple {"publish", publish, 202}, {"events", events, 200}, {"ws", ws, 101}}) {
            QTest::addRow("%s, rebound name", name)
                << request << QByteArray("attacker.example:8765") << 421;
            QTest::addRow("%s, --allow-host name", name)
                << request << QByteArray("pushboard.lan:8765") << accepted;
            QTest::addRow("%s, localhost", name) << request << QByteArray("localhost") << accepted;
        }
    }
    void dnsRebindingIsRefused()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        m_config.allowedHosts = {QStringLiteral("pushboard.lan")};
        ServerHost host1({});
        QVERIFY(host1.start(m_config));
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), host1.port());
        request.replace("HOST", QByteArray("Host: " + host));
        socket.write(request.contains("Content-Length") ? request : request + "\r\n");
        QTRY_VERIFY(received.contains("\r\n\r\n"));
        QCOMPARE(received.mid(9, 3).toInt(), status);
        if (status == 421) {
            QTRY_VERIFY(received.endsWith("}"));
            QVERIFY(
                received.contains("\"error\":\"Host 'attacker.example' does not name this server"));
            QCOMPARE(host1.store()->newestId(), 0u); // Nothing was published.
        }
    }

    void idleConnectionsAreCounted()
    {
        m_config.limits.idleTimeoutMs = 100;
        ServerHost host({});
        QVERIFY(host.start(m_config));
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), host.port());
        socket.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        m_http.setPort(host.port());
        QVERIFY(
            m_http.get("/metrics").body.contains("\npushboard_idle_connections_closed_total 1\n"));
    }

    void fileLimitIsRaised()
    {
        rlimit limit {};
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
        const rlim_t hard = limit.rlim_max;
        limit.rlim_cur = std::min<rlim_t>(hard, 256); // Debian's default is 1024: lower still.
        QCOMPARE(setrlimit(RLIMIT_NOFILE, &limit), 0);
        // A cap above what even the hard limit allows is said once, in one line.
        m_config.limits.maxConnections = std::numeric_limits<int>::max();
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(QStringLiteral("^--max-connections \\d+ is above what "
                                              "the open-file limit \\(\\d+\\) allows")));
        ServerHost host({});
        QVERIFY(host.start(m_config));
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
        QCOMPARE(limit.rlim_cur, hard);
    }

    void samplesSourcesEveryInterval()
    {
        std::vector<std::unique_ptr<MetricSource>> sources;
        sources.push_back(std::make_unique<TickSource>());
        ServerHost host(std::move(sources));
        m_config.intervalMs = 20;
        QVERIFY(host.start(m_config));
        QTRY_VERIFY(host.store()->newestId() >= 1u); // One sample at start.
        QTRY_VERIFY(host.store()->newestId() >= 3u);
        host.stop();
        QVERIFY(!host.store()->isOpen());
    }

    void servesHttpsSseAndWssWithASelfSignedCertificate()
    {
        m_config.tlsSelfSigned = true;
        ServerHost host({});
        QVERIFY2(host.start(m_config), qPrintable(host.errorString()));
        QCOMPARE(host.url(), QStringLiteral("https://127.0.0.1:%1").arg(host.port()));
        QVERIFY(host.tlsCertificateCreated());
        const QSslConfiguration trusting = trustingConfiguration();

        // HTTPS through Qt's own client, trusting the local authority.
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(host.url() + QStringLiteral("/api/health")));
        request.setSslConfiguration(trusting);
        QNetworkReply *health = nam.get(request);
        QTRY_VERIFY(health->isFinished());
        QCOMPARE(health->error(), QNetworkReply::NoError);
        QVERIFY(health->readAll().contains("\"status\":\"ok\""));
        QCOMPARE(
            Tls::fingerprint(health->sslConfiguration().peerCertificate()), host.tlsFingerprint());
        delete health;
        // Without it the certificate is refused (another manager: no connection to reuse).
        QNetworkAccessManager plainNam;
        QNetworkReply *untrusted
            = plainNam.get(QNetworkRequest(QUrl(host.url() + QStringLiteral("/api/health"))));
        QTRY_VERIFY(untrusted->isFinished());
        QCOMPARE(untrusted->error(), QNetworkReply::SslHandshakeFailedError);
        delete untrusted;

        // An SSE stream over TLS (the stream keeps its QSslSocket) gets a published event.
        QSslSocket sse;
        sse.setSslConfiguration(trusting);
        sse.connectToHostEncrypted(QStringLiteral("localhost"), host.port());
        QTRY_VERIFY(sse.isEncrypted()); // (no blocking wait: the server shares this thread)
        sse.write("GET /events?topics=tls.test HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QByteArray received;
        QTRY_VERIFY((received += sse.readAll()).contains("retry: 2000"));
        host.store()->append({EventDraft {QStringLiteral("tls.test"), "{\"n\":1}"}});
        QTRY_VERIFY((received += sse.readAll()).contains("event: tls.test\ndata: "));
        QCOMPARE(host.ssePublisher()->streams().size(), size_t(1));

        // A WebSocket over TLS.
        QWebSocket ws;
        ws.setSslConfiguration(trusting);
        QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
        ws.open(QUrl(QStringLiteral("wss://localhost:%1/ws").arg(host.port())));
        QTRY_VERIFY(messages.size() > 0); // the server's state on connect
        QVERIFY(messages.first().first().toString().contains(QStringLiteral("\"op\":\"state\"")));
        ws.close();
        sse.disconnectFromHost();
        QTRY_COMPARE(host.ssePublisher()->streams().size(), size_t(0));
    }

    void longReplayOverTlsDeliversEachEventOnce()
    {
        // A TLS stream's socket flushes inside write(): the replay must still go page by page,
        // each event once and in order (it once delivered pages twice when the socket reported
        // bytesWritten() from inside the replay's own write).
        m_config.tlsSelfSigned = true;
        ServerHost host({});
        QVERIFY2(host.start(m_config), qPrintable(host.errorString()));
        QList<EventDraft> drafts;
        for (int i = 0; i < 3000; ++i)
            drafts.append({QStringLiteral("tls.replay"), '"' + QByteArray(200, 'r') + '"'});
        const EventList stored = host.store()->append(drafts);
        QSslSocket sse;
        sse.setSslConfiguration(trustingConfiguration());
        sse.connectToHostEncrypted(QStringLiteral("localhost"), host.port());
        QTRY_VERIFY(sse.isEncrypted());
        sse.write("GET /events?topics=tls.replay HTTP/1.1\r\nHost: localhost\r\n"
                  "Last-Event-ID: 0\r\n\r\n");
        QByteArray received;
        const QByteArray last = "id: " + QByteArray::number(stored.constLast().id) + '\n';
        QTRY_VERIFY_WITH_TIMEOUT((received += sse.readAll()).contains(last), 30000);
        QList<quint64> ids;
        for (const QByteArray &line : received.split('\n')) {
            if (line.startsWith("id: "))
                ids.append(line.mid(4).toULongLong());
        }
        QCOMPARE(ids.size(), stored.size());
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(ids.at(i), stored.at(i).id);
    }

    void tlsHandshakeIsBoundedLikeARequestHead()
    {
        m_config.tlsSelfSigned = true;
        m_config.limits.headTimeoutMs = 200;
        ServerHost host({});
        QVERIFY2(host.start(m_config), qPrintable(host.errorString()));
        // A client that connects and never starts the handshake is cut.
        QTcpSocket silent;
        silent.connectToHost(QStringLiteral("127.0.0.1"), host.port());
        QTRY_COMPARE(silent.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE(silent.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(host.gate()->tlsHandshakesTimedOut(), quint64(1));
        // Plain HTTP on the TLS port: a plain answer that says what to do, and the close.
        QTcpSocket plain;
        QByteArray plainAnswer;
        connect(&plain, &QTcpSocket::readyRead, &plain, [&] { plainAnswer += plain.readAll(); });
        plain.connectToHost(QStringLiteral("127.0.0.1"), host.port());
        plain.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(plain.state(), QAbstractSocket::UnconnectedState);
        QVERIFY2(plainAnswer.startsWith("HTTP/1.1 400 Bad Request\r\n"), plainAnswer.constData());
        QVERIFY(plainAnswer.endsWith(
            "{\"error\":\"this port speaks TLS: use https:// (or wss://) instead of http://\"}"));
        QTRY_COMPARE(host.gate()->tlsHandshakesFailed(), quint64(1)); // the time-out counts apart
        // Neither disturbed anyone: a TLS client is served.
        QSslSocket client;
        client.setSslConfiguration(trustingConfiguration());
        client.connectToHostEncrypted(QStringLiteral("localhost"), host.port());
        QTRY_VERIFY(client.isEncrypted());
        client.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY((answer += client.readAll()).contains("\"status\":\"ok\""));
        QVERIFY(answer.startsWith("HTTP/1.1 200 OK\r\n"));
    }

    void tlsStartFailures_data()
    {
        QTest::addColumn<QString>("certificate");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing file") << "/nonexistent/cert.pem"
                                      << "cannot read /nonexistent/cert.pem";
        QTest::newRow("key of no certificate") << "key"
                                               << "holds no PEM certificate";
    }
    void tlsStartFailures()
    {
        QFETCH(QString, certificate);
        QFETCH(QString, reason);
        // A key and certificate pair made elsewhere.
        QTemporaryDir other;
        bool created = false;
        QString error;
        QVERIFY(Tls::selfSigned(other.path(), {}, &created, &error));
        const Tls::SelfSignedFiles files = Tls::selfSignedFiles(other.path());
        m_config.tlsCertFile = certificate == QLatin1String("key") ? files.key : certificate;
        m_config.tlsKeyFile = files.key;
        ServerHost host({});
        QVERIFY(!host.start(m_config));
        QVERIFY2(host.errorString().contains(reason), qPrintable(host.errorString()));
        QVERIFY(!host.store()->isOpen()); // nothing is left running
    }

    void openBindWithoutTlsIsWarnedAbout()
    {
        m_config.bindAddress = QStringLiteral("0.0.0.0");
        m_config.token = QStringLiteral("s3cret");
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(QStringLiteral("^listening on 0\\.0\\.0\\.0 without TLS: the "
                                              "token and every event cross the network")));
        ServerHost host({});
        QVERIFY(host.start(m_config));
        host.stop();
        m_config.tlsSelfSigned = true; // with TLS: no warning (an unexpected one fails the test)
        QTest::failOnWarning(QRegularExpression(QStringLiteral("without TLS")));
        QVERIFY2(host.start(m_config), qPrintable(host.errorString()));
    }

private:
    /// Trusts the local authority that --tls-self-signed made in the test's data directory.
    QSslConfiguration trustingConfiguration() const
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(
            QSslCertificate::fromPath(Tls::selfSignedFiles(m_dir->path()).authority));
        return configuration;
    }

    HttpTestClient m_http;
    std::unique_ptr<QTemporaryDir> m_dir;
    ServerConfig m_config;
};

QTEST_GUILESS_MAIN(tst_ServerHost)
#include "tst_serverhost.moc"
