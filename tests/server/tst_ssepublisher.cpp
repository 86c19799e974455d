#include "protocol/sseencoder.h"
#include "sseclient.h"
#include "ssepublisher.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <sys/resource.h>

using namespace Pushboard;

namespace {

QList<QByteArray> range(int first, int last)
{
    QList<QByteArray> ids;
    for (int id = first; id <= last; ++id)
        ids.append(QByteArray::number(id));
    return ids;
}

} // namespace

/// `GET /events` against a real ServerHost on 127.0.0.1, port 0, with no metric sources: every
/// event in these tests is appended by the test itself.
class tst_SsePublisher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // 500 subscribers need 1,000 descriptors in this one process (client and server ends).
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
            limit.rlim_cur = limit.rlim_max;
            setrlimit(RLIMIT_NOFILE, &limit);
        }
    }
    void init()
    {
        m_server = std::make_unique<TestServer>();
        startHost();
    }
    void cleanup() { m_server.reset(); }

    void headersAndRetry()
    {
        SseTestClient client;
        client.get(m_server->host->port(), "/events");
        QTRY_VERIFY(client.body.startsWith("retry: 2000\n\n"));
        QVERIFY(client.head.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(client.head.contains("\r\nContent-Type: text/event-stream; charset=utf-8\r\n"));
        QVERIFY(client.head.contains("\r\nCache-Control: no-cache\r\n"));
        QVERIFY(client.head.contains("\r\nX-Accel-Buffering: no\r\n"));
        QVERIFY(!client.head.contains("Content-Length"));
        QCOMPARE(client.body, QByteArray("retry: 2000\n\n")); // No replay without a resume point.
    }

    void liveEventsAreDeliveredInOrder()
    {
        append(2); // Before the client: not replayed to a live-only subscriber.
        SseTestClient client;
        client.get(m_server->host->port(), "/events");
        QTRY_VERIFY(client.headReceived());
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        const EventList sent
            = m_server->host->store()->append({EventDraft {QStringLiteral("test.a"), R"({"v":1})"},
                EventDraft {QStringLiteral("test.b"), "[1,2]"}});
        QTRY_COMPARE(client.eventIds(), range(3, 4));
        QCOMPARE(client.body,
            SseEncoder::retry(2000) + SseEncoder::event(sent.at(0))
                + SseEncoder::event(sent.at(1)));
        const auto block = client.blocks().at(1);
        QCOMPARE(block.event, QByteArray("test.a"));
        const QJsonObject data = QJsonDocument::fromJson(block.data).object();
        QCOMPARE(data.value(QStringLiteral("time")).toInteger(), sent.at(0).timeMs);
        QCOMPARE(
            data.value(QStringLiteral("data")).toObject().value(QStringLiteral("v")).toInt(), 1);
    }

    void everySubscriberGetsTheSameBytes()
    {
        SseTestClient a, b;
        a.get(m_server->host->port(), "/events");
        b.get(m_server->host->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 2);
        append(3);
        QTRY_COMPARE(a.eventIds(), range(1, 3));
        QTRY_COMPARE(b.eventIds(), range(1, 3));
        QCOMPARE(a.body, b.body);
    }

    void fiveHundredSubscribersAllGetThePublishedEvent()
    {
        std::vector<std::unique_ptr<SseTestClient>> clients;
        for (int i = 0; i < 500; ++i) {
            clients.push_back(std::make_unique<SseTestClient>());
            clients.back()->get(m_server->port(), "/events");
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->host->ssePublisher()->streams().size(), 500, 60000);
        append(1);
        for (const auto &client : clients)
            QTRY_COMPARE_WITH_TIMEOUT(client->eventIds(), range(1, 1), 60000);
        QCOMPARE(m_server->host->ssePublisher()->stats().eventsDelivered, 500u);
    }

    void streamsCountTowardsTheConnectionLimit()
    {
        m_server->config.limits.maxConnections = 2;
        startHost();
        SseTestClient first, second, third;
        first.get(m_server->port(), "/events");
        second.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 2);
        third.get(m_server->port(), "/events");
        QTRY_VERIFY(third.headReceived());
        QCOMPARE(third.status(), 503);
        first.socket.abort();
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        SseTestClient fourth;
        fourth.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 2);
    }

    void replay_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QList<QByteArray>>("headers");
        QTest::addColumn<QList<QByteArray>>("expected");
        QTest::newRow("Last-Event-ID header")
            << QByteArray("/events") << QList<QByteArray> {"Last-Event-ID: 2"} << range(3, 6);
        QTest::newRow("lastEventId query")
            << QByteArray("/events?lastEventId=4") << QList<QByteArray> {} << range(5, 6);
        QTest::newRow("header wins over query")
            << QByteArray("/events?lastEventId=1") << QList<QByteArray> {"Last-Event-ID: 3"}
            << range(4, 6);
        QTest::newRow("from the start")
            << QByteArray("/events?lastEventId=0") << QList<QByteArray> {} << range(1, 6);
        QTest::newRow("already up to date")
            << QByteArray("/events") << QList<QByteArray> {"Last-Event-ID: 5"} << range(6, 6);
    }
    void replay()
    {
        QFETCH(QByteArray, target);
        QFETCH(QList<QByteArray>, headers);
        QFETCH(QList<QByteArray>, expected);
        append(5);
        SseTestClient client;
        client.get(m_server->host->port(), target, headers);
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        append(1); // Live after the replay, exactly once.
        QTRY_COMPARE(client.eventIds(), expected);
        QVERIFY(client.body.startsWith("retry: 2000\n\n"));
    }

    void longReplayIsPagedAndThenLive()
    {
        // More than one replay page, with live events arriving while the replay is under way.
        for (int i = 0; i < 5; ++i)
            append(400);
        SseTestClient client;
        client.get(m_server->host->port(), "/events?lastEventId=10");
        append(3);
        QTRY_COMPARE(client.eventIds().size(), 1993);
        QCOMPARE(client.eventIds(), range(11, 2003));
    }

    void gapWhenTheResumePointWasPruned_data()
    {
        QTest::addColumn<QByteArray>("resume");
        QTest::addColumn<QByteArray>("gapData");
        QTest::newRow("middle") << QByteArray("2") << QByteArray(R"({"from":"3","to":"7"})");
        QTest::newRow("zero") << QByteArray("0") << QByteArray(R"({"from":"1","to":"7"})");
    }
    void gapWhenTheResumePointWasPruned()
    {
        QFETCH(QByteArray, resume);
        QFETCH(QByteArray, gapData);
        restartHostWithRetention(3);
        append(10);
        m_server->host->store()->pruneNow();
        QCOMPARE(m_server->host->store()->oldestId(), 8u);

        SseTestClient client;
        client.get(m_server->host->port(), "/events", {"Last-Event-ID: " + resume});
        QTRY_COMPARE(client.eventIds(), range(8, 10));
        const auto blocks = client.blocks();
        QCOMPARE(blocks.at(1).event, QByteArray("gap"));
        QCOMPARE(blocks.at(1).data, gapData);
        QVERIFY(!blocks.at(1).hasId); // A gap does not move the client's last event id.
    }

    void resetWhenTheResumePointIsInTheFuture()
    {
        append(4);
        SseTestClient client;
        client.get(m_server->host->port(), "/events", {"Last-Event-ID: 999"});
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        append(1);
        QTRY_COMPARE(client.eventIds(), range(5, 5));
        const auto reset = client.blocks().at(1);
        QCOMPARE(reset.event, QByteArray("reset"));
        QCOMPARE(reset.id, QByteArray("4")); // The client resumes from the log as it is now.
        QCOMPARE(reset.data, QByteArray(R"({"newest":"4"})"));
    }

    void topicFilterAppliesToReplayAndLive()
    {
        m_server->host->store()->append({EventDraft {QStringLiteral("a"), "1"},
            EventDraft {QStringLiteral("b"), "2"}, EventDraft {QStringLiteral("c"), "3"}});
        SseTestClient client;
        client.get(m_server->host->port(), "/events?topics=a,c&lastEventId=0");
        QTRY_COMPARE(client.eventIds(), (QList<QByteArray> {"1", "3"}));
        m_server->host->store()->append(
            {EventDraft {QStringLiteral("b"), "4"}, EventDraft {QStringLiteral("c"), "5"}});
        QTRY_COMPARE(client.eventIds(), (QList<QByteArray> {"1", "3", "5"}));
        for (const auto &block : client.blocks())
            QVERIFY(block.event != "b");
    }

    void badRequestsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QList<QByteArray>>("headers");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad topic") << QByteArray("/events?topics=ok,Not-OK") << QList<QByteArray> {}
                                   << QStringLiteral("bad topic 'Not-OK'");
        QTest::newRow("bad query id")
            << QByteArray("/events?lastEventId=abc") << QList<QByteArray> {}
            << QStringLiteral("bad lastEventId 'abc'");
        QTest::newRow("empty query id")
            << QByteArray("/events?lastEventId=") << QList<QByteArray> {}
            << QStringLiteral("bad lastEventId ''");
        QTest::newRow("bad header id")
            << QByteArray("/events") << QList<QByteArray> {"Last-Event-ID: -5"}
            << QStringLiteral("bad Last-Event-ID header '-5'");
    }
    void badRequestsAreRefused()
    {
        QFETCH(QByteArray, target);
        QFETCH(QList<QByteArray>, headers);
        QFETCH(QString, reason);
        SseTestClient watcher; // Another subscriber must not notice.
        watcher.get(m_server->host->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);

        SseTestClient client;
        client.get(m_server->host->port(), target, headers);
        QTRY_VERIFY(client.headReceived());
        QCOMPARE(client.status(), 400);
        QVERIFY(client.head.contains("Content-Type: application/json"));
        QTRY_VERIFY(QJsonDocument::fromJson(client.body).isObject());
        QVERIFY2(QJsonDocument::fromJson(client.body)
                     .object()
                     .value(QStringLiteral("error"))
                     .toString()
                     .startsWith(reason),
            client.body.constData());
        QCOMPARE(m_server->host->store()->newestId(), 0u);

        append(1);
        QTRY_COMPARE(watcher.eventIds(), range(1, 1));
        QCOMPARE(m_server->host->ssePublisher()->streams().size(), 1);
    }

    void keepaliveComments()
    {
        m_server->config.keepaliveS = 1;
        startHost();
        SseTestClient client;
        client.get(m_server->host->port(), "/events");
        QTRY_VERIFY_WITH_TIMEOUT(client.body.contains("\n\n: keepalive\n\n"), 10000);
    }

    void restartContinuesIdsAndResumes()
    {
        append(3);
        m_server->host.reset(); // Stop: the lock and the database are released.
        startHost();
        QCOMPARE(m_server->host->store()->newestId(), 3u);
        append(2);
        SseTestClient client;
        client.get(m_server->host->port(), "/events", {"Last-Event-ID: 2"});
        QTRY_COMPARE(client.eventIds(), range(3, 5));
    }

    void disconnectedSubscribersAreForgotten()
    {
        SseTestClient client;
        client.get(m_server->host->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        client.socket.abort();
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 0);
        append(1); // Publishing to nobody is fine.
    }

    void slowSubscriberIsDroppedAlone()
    {
        m_server->config.sseQueueLimit = 64 * 1024;
        startHost();
        SseTestClient slow;
        slow.socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        slow.socket.setReadBufferSize(4096);
        disconnect(&slow.socket, &QTcpSocket::readyRead, nullptr, nullptr); // Never reads.
        slow.get(m_server->host->port(), "/events");
        SseTestClient reader;
        reader.get(m_server->host->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 2);

        const QByteArray payload = '"' + QByteArray(32 * 1024, 'x') + '"';
        int published = 0;
        while (m_server->host->ssePublisher()->slowDisconnects() == 0 && published < 2000) {
            m_server->host->store()->append({EventDraft {QStringLiteral("big"), payload}});
            ++published;
            QCoreApplication::processEvents();
        }
        QCOMPARE(m_server->host->ssePublisher()->slowDisconnects(), 1u);
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        QTRY_COMPARE(reader.eventIds().size(), published);
        QCOMPARE(reader.eventIds(), range(1, published));

        // The dropped subscriber resumes from what it had (here: nothing was read) and loses
        // nothing the log still holds.
        SseTestClient resumed;
        resumed.get(m_server->port(), "/events", {"Last-Event-ID: 0"});
        QTRY_COMPARE(resumed.eventIds().size(), published);
        QCOMPARE(resumed.eventIds(), range(1, published));
    }

    void stopClosesStreams()
    {
        SseTestClient client;
        client.get(m_server->host->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        append(1);
        QTRY_COMPARE(client.eventIds(), range(1, 1));
        m_server->host->stop();
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
    }

private:
    void startHost() { QVERIFY2(m_server->start(), qPrintable(m_server->errorString())); }
    void restartHostWithRetention(qint64 keepCount)
    {
        m_server->config.store.keepCount = keepCount;
        m_server->config.store.keepAgeMs = 0;
        startHost();
    }
    void append(int count) { QCOMPARE(m_server->append(count).size(), count); }

    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_SsePublisher)
#include "tst_ssepublisher.moc"
