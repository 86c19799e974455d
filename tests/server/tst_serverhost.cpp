#include "eventstore.h"
#include "httptestclient.h"
#include "metricsource.h"
#include "serverhost.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

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
        QCOMPARE(wrongMethod.header("Allow"), QByteArray("GET"));
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
    }

    void samplesSourcesEveryInterval()
    {
        std::vector<std::unique_ptr<MetricSource>> sources;
        sources.push_back(std::make_unique<TickSource>());
        ServerHost host(std::move(sources));
        m_config.intervalMs = 20;
        QVERIFY(host.start(m_config));
        QCOMPARE(host.store()->newestId(), 1u); // One sample at start.
        QTRY_VERIFY(host.store()->newestId() >= 3u);
        host.stop();
        QVERIFY(!host.store()->isOpen());
    }

private:
    HttpTestClient m_http;
    std::unique_ptr<QTemporaryDir> m_dir;
    ServerConfig m_config;
};

QTEST_GUILESS_MAIN(tst_ServerHost)
#include "tst_serverhost.moc"
