#include "redisserver.h"
#include "scaleoutfixture.h"

#include <QTest>

#include <algorithm>

namespace {

/// True when `ids` grow strictly (nothing twice, nothing out of order).
bool strictlyIncreasing(const QList<quint64> &ids)
{
    return std::adjacent_find(ids.cbegin(), ids.cend(), std::greater_equal<quint64>())
        == ids.cend();
}

/// True when every id of `wanted` is in `ids`.
bool containsAll(const QList<quint64> &ids, const QList<quint64> &wanted)
{
    return std::all_of(wanted.cbegin(), wanted.cend(),
        [&ids](quint64 id) { return std::binary_search(ids.cbegin(), ids.cend(), id); });
}

} // namespace

/// Three `pushboard serve --backplane` processes on one Redis (and HAProxy in front of them): the
/// scale-out promises of docs/scale-out.md, end to end.
class tst_ScaleOut : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_redis = std::make_unique<RedisServer>();
        QVERIFY(m_redis->start());
        for (auto &instance : m_instances) {
            instance = std::make_unique<Instance>();
            QVERIFY2(instance->start(m_redis->url()), instance->output().constData());
        }
    }
    void cleanup()
    {
        for (auto &instance : m_instances)
            instance.reset();
        m_redis.reset();
    }

    void anEventPublishedOnOneReachesSubscribersOfAll()
    {
        std::vector<std::unique_ptr<ResumingReader>> readers;
        QList<quint16> ports;
        for (const auto &instance : m_instances) {
            readers.push_back(std::make_unique<ResumingReader>(instance->port()));
            ports.append(instance->port());
        }
        for (const auto &reader : readers)
            QTRY_VERIFY(reader->open_);
        Publisher publisher(ports); // In turn to each instance.
        publisher.start();
        QTRY_VERIFY_WITH_TIMEOUT(publisher.acknowledged.size() >= 30, 30000);
        publisher.stop();
        QTRY_VERIFY(publisher.idle());
        QCOMPARE(publisher.refused, 0);
        QVERIFY(strictlyIncreasing(publisher.acknowledged)); // One sequence across instances.
        for (const auto &reader : readers) {
            QTRY_COMPARE(reader->ids, publisher.acknowledged);
            QCOMPARE(reader->reconnects, 0);
        }
    }

    void aClientOfAKilledInstanceResumesOnAnotherWithoutLoss()
    {
        QList<quint16> ports;
        for (const auto &instance : m_instances)
            ports.append(instance->port());
        LoadBalancer balancer;
        QVERIFY(balancer.start(ports));
        ResumingReader reader(balancer.port());
        QTRY_VERIFY(reader.open_);
        Publisher publisher({balancer.port()});
        publisher.start();
        QTRY_VERIFY_WITH_TIMEOUT(reader.ids.size() >= 20, 30000);

        // SIGKILL the instance that holds the reader's stream, under load (publishing through
        // the balancer too).
        const auto holder = std::find_if(m_instances.begin(), m_instances.end(), [](const auto &i) {
            QNetworkAccessManager network;
            QNetworkReply *reply = network.get(QNetworkRequest(
                QUrl(QStringLiteral("http://127.0.0.1:%1/api/connections").arg(i->port()))));
            QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000);
            const bool holds = reply->readAll().contains("\"transport\":\"sse\"");
            delete reply;
            return holds;
        });
        QVERIFY(holder != m_instances.end());
        (*holder)->kill();
        const qsizetype acknowledgedAtKill = publisher.acknowledged.size();

        QTRY_VERIFY_WITH_TIMEOUT(publisher.acknowledged.size() >= acknowledgedAtKill + 40, 30000);
        publisher.stop();
        QTRY_VERIFY(publisher.idle());
        QTRY_VERIFY_WITH_TIMEOUT(
            reader.ids.size() >= 1 && reader.ids.constLast() >= publisher.acknowledged.constLast(),
            30000);
        QVERIFY(reader.reconnects >= 1);
        QVERIFY(strictlyIncreasing(reader.ids)); // Nothing twice,
        QVERIFY(containsAll(reader.ids, publisher.acknowledged)); // nothing acknowledged lost.
    }

    void redisRestartedMidStreamKeepsSubscribersAndLosesNothing()
    {
        ResumingReader reader(m_instances[0]->port());
        QTRY_VERIFY(reader.open_);
        Publisher publisher({m_instances[1]->port()});
        publisher.start();
        QTRY_VERIFY_WITH_TIMEOUT(publisher.acknowledged.size() >= 20, 30000);

        m_redis->stop();
        QTRY_VERIFY_WITH_TIMEOUT(publisher.refused >= 3, 30000); // 503 while Redis is away.
        QVERIFY(m_redis->start());
        const qsizetype acknowledgedBack = publisher.acknowledged.size();
        QTRY_VERIFY_WITH_TIMEOUT(publisher.acknowledged.size() >= acknowledgedBack + 20, 30000);
        publisher.stop();
        QTRY_VERIFY(publisher.idle());

        QTRY_VERIFY_WITH_TIMEOUT(
            reader.ids.size() >= 1 && reader.ids.constLast() >= publisher.acknowledged.constLast(),
            30000);
        QCOMPARE(reader.reconnects, 0); // The subscriber kept its connection throughout.
        QVERIFY(strictlyIncreasing(reader.ids));
        QVERIFY(containsAll(reader.ids, publisher.acknowledged));
        QVERIFY(strictlyIncreasing(publisher.acknowledged)); // No id given out twice.
    }

private:
    std::unique_ptr<RedisServer> m_redis;
    std::array<std::unique_ptr<Instance>, 3> m_instances;
};

QTEST_GUILESS_MAIN(tst_ScaleOut)
#include "tst_scaleout.moc"
