#include "rediseventlog.h"
#include "redisserver.h"
#include "storetest.h"

#include <QSignalSpy>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace Pushboard;
using StoreTest::drafts;
using StoreTest::ids;

namespace {

QList<quint64> range(quint64 first, quint64 last)
{
    QList<quint64> out;
    for (quint64 id = first; id <= last; ++id)
        out.append(id);
    return out;
}

/// Publishes and waits for the answer: the ids, or nothing and `error` set.
QList<quint64> publishAndWait(
    EventLog &log, const QList<EventDraft> &batch, QString *error = nullptr)
{
    bool done = false;
    QList<quint64> stored;
    log.publish(batch, [&](const EventList &events, const QString &why) {
        stored = ids(events);
        if (error)
            *error = why;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        qWarning("no answer to a publish");
    return stored;
}

/// Every event a log has announced through appended(), in order.
class Received : public QObject
{
public:
    explicit Received(EventLog *log)
    {
        connect(log, &EventLog::appended, this, [this](const EventList &events) {
            for (const Event &event : events)
                ids.append(event.id);
        });
    }
    QList<quint64> ids;
};

} // namespace

class tst_RedisEventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_redis = std::make_unique<RedisServer>();
        QVERIFY(m_redis->start());
        m_address = *RedisAddress::parse(m_redis->url(), nullptr);
    }
    void cleanup() { m_redis.reset(); }

    void addresses_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected"); // Empty: refused.
        QTest::newRow("host and port") << "redis://127.0.0.1:6380"
                                       << "redis://127.0.0.1:6380/0";
        QTest::newRow("default port") << "redis://cache.internal"
                                      << "redis://cache.internal:6379/0";
        QTest::newRow("database") << "redis://127.0.0.1:6379/3"
                                  << "redis://127.0.0.1:6379/3";
        QTest::newRow("ipv6") << "redis://[::1]:7000/1"
                              << "redis://[::1]:7000/1";
        QTest::newRow("other scheme") << "http://127.0.0.1:6379"
                                      << "";
        QTest::newRow("no host") << "redis://:6379"
                                 << "";
        QTest::newRow("bad port") << "redis://h:99999"
                                  << "";
        QTest::newRow("bad database") << "redis://h:6379/x"
                                      << "";
        QTest::newRow("negative database") << "redis://h:6379/-1"
                                           << "";
        QTest::newRow("empty database") << "redis://h:6379/"
                                        << "";
        QTest::newRow("password") << "redis://user:pw@h:6379"
                                  << "";
        QTest::newRow("query") << "redis://h:6379?x=1"
                               << "";
        QTest::newRow("not a url") << "127.0.0.1:6379"
                                   << "";
    }
    void addresses()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        QString error;
        const auto address = RedisAddress::parse(url, &error);
        QCOMPARE(address ? address->toString() : QString(), expected);
        QCOMPARE(error.isEmpty(), !expected.isEmpty());
    }

    void idsAreOneSequenceAcrossServers()
    {
        RedisEventLog a, b;
        QVERIFY2(a.open(m_address, m_options), qPrintable(a.errorString()));
        QVERIFY2(b.open(m_address, m_options), qPrintable(b.errorString()));
        QTRY_VERIFY(a.isConnected() && b.isConnected());
        Received receivedA(&a), receivedB(&b);

        QCOMPARE(publishAndWait(a, drafts(2)), range(1, 2));
        QCOMPARE(publishAndWait(b, drafts(3)), range(3, 5));
        QCOMPARE(publishAndWait(a, drafts(1)), range(6, 6));
        // Each server hears every event once, in order, whoever published it.
        QTRY_COMPARE(receivedA.ids, range(1, 6));
        QTRY_COMPARE(receivedB.ids, range(1, 6));
        QCOMPARE(a.after(2), b.after(2));
        QCOMPARE(ids(b.after(0, {}, 2)), range(1, 2));
        QCOMPARE(a.newestId(), 6u);
        QCOMPARE(b.oldestId(), 1u);
        QCOMPARE(a.count(), 6);
        QCOMPARE(m_redis->cli({QStringLiteral("XLEN"), QStringLiteral("pushboard:events")}), "6");
        QCOMPARE(m_redis->cli({QStringLiteral("GET"), QStringLiteral("pushboard:last-id")}), "6");
    }

    void whenCurrentWaitsUntilTheTailHasReadEveryStoredEvent()
    {
        RedisEventLog a, b;
        QVERIFY2(a.open(m_address, m_options), qPrintable(a.errorString()));
        QVERIFY2(b.open(m_address, m_options), qPrintable(b.errorString()));
        QTRY_VERIFY(a.isConnected() && b.isConnected());
        for (int round = 1; round <= 20; ++round) {
            // Stored through a: b's tail may not have read it yet when a answers.
            const QList<quint64> stored = publishAndWait(a, drafts(1));
            QCOMPARE(stored.size(), 1);
            QObject context;
            quint64 newestWhenCalled = 0;
            bool called = false;
            b.whenCurrent(&context, [&] {
                newestWhenCalled = b.newestId();
                called = true;
            });
            QTRY_VERIFY(called);
            QVERIFY2(newestWhenCalled >= stored.constFirst(),
                qPrintable(QStringLiteral("round %1: %2 < %3")
                               .arg(round)
                               .arg(newestWhenCalled)
                               .arg(stored.constFirst())));
        }
        // A context that is gone is not called.
        bool called = false;
        {
            QObject context;
            b.whenCurrent(&context, [&] { called = true; });
        }
        QTest::qWait(200); // Time for the GET's answer; nothing may come of it.
        QVERIFY(!called);
    }

    void concurrentPublishersShareOneScript()
    {
        RedisEventLog log;
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QTRY_VERIFY(log.isConnected());
        QSignalSpy appended(&log, &EventLog::appended);
        QList<QList<quint64>> answers(3);
        int answered = 0;
        for (int publisher = 0; publisher < 3; ++publisher) {
            log.publish(drafts(publisher + 1, QStringLiteral("p%1").arg(publisher)),
                [&, publisher](const EventList &stored, const QString &error) {
                    QVERIFY(error.isEmpty());
                    answers[publisher] = ids(stored);
                    ++answered;
                });
        }
        QTRY_COMPARE(answered, 3);
        QCOMPARE(answers, (QList<QList<quint64>> {range(1, 1), range(2, 3), range(4, 6)}));
        QTRY_COMPARE(appended.count(), 1); // One script, so the tail reads them at once.
        const EventList events = appended.at(0).at(0).value<EventList>();
        QCOMPARE(events.at(1).topic, QStringLiteral("p1"));
        QCOMPARE(events.at(5).data, QByteArray("2"));
        QCOMPARE(log.topics().size(), 3);
        QCOMPARE(log.snapshot().constLast().id, 6u);
    }

    void reopeningLoadsTheRetainedStream()
    {
        {
            RedisEventLog log;
            QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
            QTRY_VERIFY(log.isConnected());
            QCOMPARE(publishAndWait(log, drafts(1500, QStringLiteral("many"))).size(), 1500);
        }
        RedisEventLog log;
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QCOMPARE(log.newestId(), 1500u); // Paged in with XRANGE, 1000 at a time.
        QCOMPARE(log.after(0).size(), 1500);
        QCOMPARE(log.after(1499).constFirst().data, QByteArray("1499"));
        QCOMPARE(log.topics().constFirst().count, 1500);
        QTRY_VERIFY(log.isConnected());
        QCOMPARE(publishAndWait(log, drafts(1)), range(1501, 1501));
    }

    void retentionTrimsTheStream()
    {
        qint64 now = 1'000'000;
        m_options.keepCount = 3;
        m_options.keepAgeMs = 1000;
        RedisEventLog log([&now] { return now; });
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QTRY_VERIFY(log.isConnected());
        QCOMPARE(publishAndWait(log, drafts(10)).size(), 10);
        QTRY_COMPARE(log.newestId(), 10u);
        log.pruneNow(); // All young: all kept.
        QCOMPARE(log.count(), 10);
        now += 1000; // Exactly keepAgeMs old: outside the age, so only the newest 3 stay.
        log.pruneNow();
        QCOMPARE(ids(log.after(0)), range(8, 10));
        QCOMPARE(log.oldestId(), 8u);
        QTRY_COMPARE(
            m_redis->cli({QStringLiteral("XLEN"), QStringLiteral("pushboard:events")}), "3");
        QCOMPARE(publishAndWait(log, drafts(1)), range(11, 11)); // Ids never reused.
    }

    void redisGoingAwayFailsPublishesThenRecovers()
    {
        RedisEventLog log, other;
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QVERIFY2(other.open(m_address, m_options), qPrintable(other.errorString()));
        QTRY_VERIFY(log.isConnected() && other.isConnected());
        Received received(&log);
        QSignalSpy changed(&log, &RedisEventLog::connectionChanged);
        QCOMPARE(publishAndWait(log, drafts(3)), range(1, 3));

        m_redis->stop();
        QTRY_VERIFY(!log.isWritable());
        QString error;
        QVERIFY(publishAndWait(log, drafts(1), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("unreachable")), qPrintable(error));
        QVERIFY(log.errorString().contains(m_redis->url()));
        QVERIFY(changed.count() >= 1);
        QCOMPARE(log.after(0).size(), 3); // What was read stays readable.

        QVERIFY(m_redis->start()); // Same port, same directory: the append-only file is read.
        QTRY_VERIFY_WITH_TIMEOUT(log.isConnected() && other.isConnected(), 20000);
        QVERIFY(log.errorString().isEmpty());
        QCOMPARE(publishAndWait(other, drafts(2)), range(4, 5)); // Acknowledged ones survived.
        QTRY_COMPARE(received.ids, range(1, 5)); // The tail resumed where it was.
    }

    void idsAreNeverReusedWhenRedisLostItsData()
    {
        RedisEventLog log;
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QTRY_VERIFY(log.isConnected());
        QCOMPARE(publishAndWait(log, drafts(4)), range(1, 4));
        QTRY_COMPARE(log.newestId(), 4u);
        QCOMPARE(m_redis->cli({QStringLiteral("FLUSHALL")}), "OK");
        QCOMPARE(publishAndWait(log, drafts(1)), range(5, 5));
    }

    void refusesKeysThatHoldSomethingElse()
    {
        QCOMPARE(m_redis->cli({QStringLiteral("SET"), QStringLiteral("pushboard:events"),
                     QStringLiteral("x")}),
            "OK");
        RedisEventLog log;
        QVERIFY(!log.open(m_address, m_options));
        QVERIFY2(log.errorString().contains(QStringLiteral("holds a string, not a stream")),
            qPrintable(log.errorString()));
        QCOMPARE(m_redis->cli({QStringLiteral("GET"), QStringLiteral("pushboard:events")}), "x");
    }

    void foreignEntriesAreSkipped()
    {
        RedisEventLog log;
        QVERIFY2(log.open(m_address, m_options), qPrintable(log.errorString()));
        QTRY_VERIFY(log.isConnected());
        Received received(&log);
        // Someone else's writes to the stream: not events of this log.
        m_redis->cli({QStringLiteral("XADD"), QStringLiteral("pushboard:events"),
            QStringLiteral("1-0"), QStringLiteral("hello"), QStringLiteral("world")});
        m_redis->cli(
            {QStringLiteral("XADD"), QStringLiteral("pushboard:events"), QStringLiteral("2-0"),
                QStringLiteral("topic"), QStringLiteral("BAD TOPIC"), QStringLiteral("time"),
                QStringLiteral("1"), QStringLiteral("data"), QStringLiteral("1")});
        m_redis->cli(
            {QStringLiteral("SET"), QStringLiteral("pushboard:last-id"), QStringLiteral("2")});
        QCOMPARE(publishAndWait(log, drafts(1)), range(3, 3));
        QTRY_COMPARE(received.ids, range(3, 3));
        QCOMPARE(ids(log.after(0)), range(3, 3));
    }

    void aHostileServerCannotMakeTheLogAllocateWithoutBound()
    {
        // Not Redis: to whatever it is asked, it announces an array of 697,763,165 answers,
        // which hiredis 0.14 would allocate at once (5.5 GB). The bounded reader refuses it.
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        QVERIFY(::listen(listener, 1) == 0);
        QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0);
        std::thread hostile([listener] {
            const int client = ::accept(listener, nullptr, nullptr);
            char request[512];
            if (::recv(client, request, sizeof request, 0) > 0) {
                const char answer[] = "*697763165\r\n$4\r\ndata\r\n";
                ::send(client, answer, sizeof answer - 1, MSG_NOSIGNAL);
            }
            while (::recv(client, request, sizeof request, 0) > 0) { } // Until the log hangs up.
            ::close(client);
        });
        RedisEventLog log;
        RedisAddress redis;
        redis.host = QStringLiteral("127.0.0.1");
        redis.port = ntohs(address.sin_port);
        const bool opened = log.open(redis, m_options);
        hostile.join();
        ::close(listener);
        QVERIFY(!opened);
        QVERIFY2(log.errorString().contains(QStringLiteral("an answer larger than allowed")),
            qPrintable(log.errorString()));
    }

    void unreachableRedisFailsOpenWithAReason()
    {
        const quint16 port = m_redis->port();
        m_redis->kill();
        RedisEventLog log;
        QVERIFY(!log.open(
            *RedisAddress::parse(QStringLiteral("redis://127.0.0.1:%1").arg(port), nullptr),
            m_options));
        QVERIFY2(log.errorString().startsWith(QStringLiteral("cannot use Redis at redis://")),
            qPrintable(log.errorString()));
        QVERIFY2(
            log.errorString().contains(QStringLiteral("refused")), qPrintable(log.errorString()));
        QString error;
        QVERIFY(publishAndWait(log, drafts(1), &error).isEmpty());
        QVERIFY(!error.isEmpty());
    }

private:
    std::unique_ptr<RedisServer> m_redis;
    RedisAddress m_address;
    StoreOptions m_options;
};

QTEST_GUILESS_MAIN(tst_RedisEventLog)
#include "tst_rediseventlog.moc"
