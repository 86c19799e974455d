#include "httptestclient.h"
#include "pollservice.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTest>

using namespace Pushboard;

namespace {

QByteArrayList idsOf(const HttpAnswer &answer)
{
    QByteArrayList ids;
    for (const QJsonValue &event : answer.json().value(QStringLiteral("events")).toArray())
        ids.append(event.toObject().value(QStringLiteral("id")).toString().toUtf8());
    return ids;
}

QString nextOf(const HttpAnswer &answer)
{
    return answer.json().value(QStringLiteral("next")).toString();
}

} // namespace

/// `GET /api/events`: short and long polling against a real server.
class tst_PollService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
        m_http.setPort(m_server->port());
    }
    void cleanup() { m_server.reset(); }

    void poll_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArrayList>("ids");
        QTest::addColumn<QString>("next");
        // The log: 1 a, 2 b, 3 a, 4 c, 5 a.
        QTest::newRow("no after: from now")
            << QByteArray("") << QByteArrayList {} << QStringLiteral("5");
        QTest::newRow("after 0") << QByteArray("after=0")
                                 << QByteArrayList {"1", "2", "3", "4", "5"} << QStringLiteral("5");
        QTest::newRow("after 3") << QByteArray("after=3") << QByteArrayList {"4", "5"}
                                 << QStringLiteral("5");
        QTest::newRow("up to date")
            << QByteArray("after=5") << QByteArrayList {} << QStringLiteral("5");
        QTest::newRow("limit") << QByteArray("after=0&limit=2") << QByteArrayList {"1", "2"}
                               << QStringLiteral("2");
        QTest::newRow("topics") << QByteArray("after=0&topics=a,c")
                                << QByteArrayList {"1", "3", "4", "5"} << QStringLiteral("5");
        QTest::newRow("topics skip to newest")
            << QByteArray("after=0&topics=b") << QByteArrayList {"2"} << QStringLiteral("5");
        QTest::newRow("topics with limit") << QByteArray("after=0&topics=a&limit=2")
                                           << QByteArrayList {"1", "3"} << QStringLiteral("3");
        QTest::newRow("wait with events returns at once")
            << QByteArray("after=4&wait=60") << QByteArrayList {"5"} << QStringLiteral("5");
    }
    void poll()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArrayList, ids);
        QFETCH(QString, next);
        appendLog();
        const HttpAnswer answer = m_http.get("/api/events?" + query);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(idsOf(answer), ids);
        QCOMPARE(nextOf(answer), next);
        QVERIFY(!answer.json().contains(QStringLiteral("gap")));
        QVERIFY(!answer.json().contains(QStringLiteral("reset")));
    }

    void eventShape()
    {
        const EventList stored
            = m_server->store().append({EventDraft {QStringLiteral("shape"), R"({"k":[1,"x"]})"}});
        const QJsonObject event = m_http.get("/api/events?after=0")
                                      .json()
                                      .value(QStringLiteral("events"))
                                      .toArray()
                                      .at(0)
                                      .toObject();
        QCOMPARE(event.value(QStringLiteral("id")).toString(), QStringLiteral("1"));
        QCOMPARE(event.value(QStringLiteral("topic")).toString(), QStringLiteral("shape"));
        QCOMPARE(event.value(QStringLiteral("time")).toInteger(), stored.at(0).timeMs);
        QCOMPARE(event.value(QStringLiteral("data"))
                     .toObject()
                     .value(QStringLiteral("k"))
                     .toArray()
                     .at(1)
                     .toString(),
            QStringLiteral("x"));
    }

    void badParameters_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("error");
        QTest::newRow("after text") << QByteArray("after=abc") << QStringLiteral("bad after 'abc'");
        QTest::newRow("after negative")
            << QByteArray("after=-1") << QStringLiteral("bad after '-1'");
        QTest::newRow("after empty") << QByteArray("after=") << QStringLiteral("bad after ''");
        QTest::newRow("topic") << QByteArray("topics=a,B") << QStringLiteral("bad topic 'B'");
        QTest::newRow("limit zero") << QByteArray("limit=0") << QStringLiteral("bad limit '0'");
        QTest::newRow("limit big")
            << QByteArray("limit=1001") << QStringLiteral("bad limit '1001'");
        QTest::newRow("limit text") << QByteArray("limit=ten") << QStringLiteral("bad limit 'ten'");
        QTest::newRow("wait big") << QByteArray("wait=61") << QStringLiteral("bad wait '61'");
        QTest::newRow("wait negative") << QByteArray("wait=-1") << QStringLiteral("bad wait '-1'");
        QTest::newRow("wait nan") << QByteArray("wait=nan") << QStringLiteral("bad wait 'nan'");
    }
    void badParameters()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, error);
        const HttpAnswer answer = m_http.get("/api/events?" + query);
        QCOMPARE(answer.status, 400);
        QVERIFY2(answer.error().startsWith(error), qPrintable(answer.error()));
    }

    void gapAndReset()
    {
        m_server->config.store.keepCount = 2;
        m_server->config.store.keepAgeMs = 0;
        QVERIFY(m_server->start());
        m_http.setPort(m_server->port());
        m_server->append(6);
        m_server->store().pruneNow();
        const HttpAnswer gap = m_http.get("/api/events?after=1");
        QCOMPARE(idsOf(gap), (QByteArrayList {"5", "6"}));
        QCOMPARE(gap.json().value(QStringLiteral("gap")).toObject(),
            (QJsonObject {{QStringLiteral("from"), QStringLiteral("2")},
                {QStringLiteral("to"), QStringLiteral("4")}}));

        const HttpAnswer reset = m_http.get("/api/events?after=100&wait=30"); // answered at once
        QCOMPARE(idsOf(reset), QByteArrayList {});
        QCOMPARE(reset.json().value(QStringLiteral("reset")).toBool(), true);
        QCOMPARE(nextOf(reset), QStringLiteral("6"));
    }

    void longPollReturnsWhenAMatchingEventArrives()
    {
        QNetworkReply *reply = m_http.nam().get(
            QNetworkRequest(m_http.url("/api/events?after=0&topics=want&wait=60")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);
        m_server->append(2, QStringLiteral("other")); // Not for this poll: it keeps waiting.
        QCoreApplication::processEvents();
        QCOMPARE(m_server->host->pollService()->waiterCount(), 1);
        QVERIFY(!reply->isFinished());
        m_server->append(1, QStringLiteral("want"));
        QTRY_VERIFY(reply->isFinished());
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(body.value(QStringLiteral("events")).toArray().size(), 1);
        QCOMPARE(body.value(QStringLiteral("events"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            QStringLiteral("3"));
        QCOMPARE(body.value(QStringLiteral("next")).toString(), QStringLiteral("3"));
        QCOMPARE(m_server->host->pollService()->waiterCount(), 0);
        reply->deleteLater();
    }

    void longPollTimesOutWithAnEmptyList()
    {
        m_server->append(3);
        const HttpAnswer answer = m_http.get("/api/events?wait=0.2");
        QCOMPARE(answer.status, 200);
        QCOMPARE(idsOf(answer), QByteArrayList {});
        QCOMPARE(nextOf(answer), QStringLiteral("3"));
    }

    void longPollLimitAppliesToTheWakingBatch()
    {
        QNetworkReply *reply
            = m_http.nam().get(QNetworkRequest(m_http.url("/api/events?wait=60&limit=2")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);
        m_server->append(5);
        QTRY_VERIFY(reply->isFinished());
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(body.value(QStringLiteral("events")).toArray().size(), 2);
        QCOMPARE(body.value(QStringLiteral("next")).toString(),
            QStringLiteral("2")); // 3..5 on the next poll
        reply->deleteLater();
    }

    void disconnectedWaiterIsForgotten()
    {
        QNetworkReply *reply = m_http.nam().get(QNetworkRequest(m_http.url("/api/events?wait=60")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);
        const HttpAnswer connections = m_http.get("/api/connections");
        const QJsonArray list = connections.json().value(QStringLiteral("connections")).toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toObject().value(QStringLiteral("transport")).toString(),
            QStringLiteral("longpoll"));
        reply->abort();
        reply->deleteLater();
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 0);
        m_server->append(1); // Nobody to answer: no crash, no stray write.
    }

    void shutdownReleasesWaiters()
    {
        QNetworkReply *reply = m_http.nam().get(QNetworkRequest(m_http.url("/api/events?wait=60")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);
        m_server->host->stop();
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(QJsonDocument::fromJson(reply->readAll())
                     .object()
                     .value(QStringLiteral("events"))
                     .toArray()
                     .size(),
            0);
        reply->deleteLater();
    }

private:
    void appendLog()
    {
        for (const char *topic : {"a", "b", "a", "c", "a"})
            m_server->append(1, QString::fromLatin1(topic));
    }

    std::unique_ptr<TestServer> m_server;
    HttpTestClient m_http;
};

QTEST_GUILESS_MAIN(tst_PollService)
#include "tst_pollservice.moc"
