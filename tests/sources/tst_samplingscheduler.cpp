#include "eventstore.h"
#include "samplingscheduler.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;

namespace {

/// Returns `count` events of its topic per sample and counts its calls.
class FakeSource final : public MetricSource
{
public:
    FakeSource(QString topic, int count, int *calls)
        : m_topic(std::move(topic))
        , m_count(count)
        , m_calls(calls)
    { }
    QList<EventDraft> sample() override
    {
        ++*m_calls;
        QList<EventDraft> out;
        for (int i = 0; i < m_count; ++i)
            out.append(EventDraft {m_topic, QByteArray::number(*m_calls)});
        return out;
    }

private:
    QString m_topic;
    int m_count;
    int *m_calls;
};

} // namespace

class tst_SamplingScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        StoreOptions options;
        options.dataDir = m_dir.path();
        m_store = std::make_unique<EventStore>();
        QVERIFY(m_store->open(options));
        m_callsA = m_callsB = 0;
        std::vector<std::unique_ptr<MetricSource>> sources;
        sources.push_back(std::make_unique<FakeSource>(QStringLiteral("a"), 2, &m_callsA));
        sources.push_back(std::make_unique<FakeSource>(QStringLiteral("b"), 1, &m_callsB));
        m_scheduler = std::make_unique<SamplingScheduler>(m_store.get(), std::move(sources));
    }
    void cleanup()
    {
        m_scheduler.reset();
        m_store.reset();
    }

    void oneBatchPerTick()
    {
        QSignalSpy appended(m_store.get(), &EventStore::appended);
        QCOMPARE(m_scheduler->tick(), 3);
        QTRY_COMPARE(appended.count(), 1); // Group-committed at the next turn of the event loop.
        const auto events = appended.at(0).at(0).value<EventList>();
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).topic, QStringLiteral("a"));
        QCOMPARE(events.at(2).topic, QStringLiteral("b"));
        QCOMPARE(events.at(0).timeMs, events.at(2).timeMs); // one tick, one time
    }

    void startSamplesAtOnceThenEveryInterval()
    {
        QSignalSpy appended(m_store.get(), &EventStore::appended);
        m_scheduler->setInterval(20);
        m_scheduler->start();
        QCOMPARE(m_callsA, 1); // Sampled at once, stored at the next turn.
        QTRY_VERIFY(appended.count() >= 3);
        m_scheduler->stop();
    }

    void pauseAndResume()
    {
        QSignalSpy appended(m_store.get(), &EventStore::appended);
        m_scheduler->setInterval(20);
        m_scheduler->pause();
        QVERIFY(m_scheduler->isPaused());
        m_scheduler->start(); // Paused: no sample.
        QCOMPARE(m_callsA, 0);
        m_scheduler->resume();
        QCOMPARE(m_callsA, 1); // Resuming samples at once.
        QTRY_VERIFY(appended.count() >= 2);
        m_scheduler->pause();
        const int calls = m_callsA;
        QTest::qWait(100);
        QCOMPARE(m_callsA, calls);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<SamplingScheduler> m_scheduler;
    int m_callsA = 0;
    int m_callsB = 0;
};

QTEST_GUILESS_MAIN(tst_SamplingScheduler)
#include "tst_samplingscheduler.moc"
