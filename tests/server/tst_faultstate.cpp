#include "faultstate.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pushboard;

namespace {

EventList events(quint64 first, quint64 last)
{
    EventList list;
    for (quint64 id = first; id <= last; ++id)
        list.append(Event {id, QStringLiteral("t"), 0, "1"});
    return list;
}

QList<quint64> releasedIds(const QSignalSpy &spy)
{
    QList<quint64> ids;
    for (const QList<QVariant> &arguments : spy) {
        for (const Event &event : arguments.at(0).value<EventList>())
            ids.append(event.id);
    }
    return ids;
}

} // namespace

/// Latency and stalls on deliveries: what is held, that order is kept, and what ends a fault.
/// Nothing here measures time: the tests only say what happens before and after.
class tst_FaultState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EventList>(); }

    void withoutFaultsEverythingPassesAtOnce()
    {
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        faults.accept(events(1, 2));
        QCOMPARE(releasedIds(released), (QList<quint64> {1, 2})); // synchronously
        bool ran = false;
        faults.whenDeliverable(this, [&ran] { ran = true; });
        QVERIFY(ran);
    }

    void latencyDelaysButKeepsOrder()
    {
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        QSignalSpy changed(&faults, &FaultState::changed);
        faults.setLatency(30);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(faults.latency(), 30);
        faults.accept(events(1, 1));
        QList<int> order;
        faults.whenDeliverable(this, [&] { order.append(int(releasedIds(released).size())); });
        faults.accept(events(2, 3));
        QCOMPARE(released.size(), 0); // not now
        QTRY_COMPARE(releasedIds(released), (QList<quint64> {1, 2, 3}));
        QCOMPARE(order, QList<int> {1}); // the answer ran between the two batches, in order
    }

    void latencyIsBounded()
    {
        FaultState faults;
        faults.setLatency(-5);
        QCOMPARE(faults.latency(), 0);
        faults.setLatency(FaultState::MaxMs + 1);
        QCOMPARE(faults.latency(), FaultState::MaxMs);
    }

    void stallHoldsUntilEndedThenReleasesAllInOrder()
    {
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        faults.stall(FaultState::MaxMs);
        QVERIFY(faults.isStalled());
        QVERIFY(faults.stallRemaining() > 0);
        faults.accept(events(1, 2));
        bool answered = false;
        faults.whenDeliverable(this, [&answered] { answered = true; });
        faults.accept(events(3, 3));
        QCoreApplication::processEvents();
        QCOMPARE(released.size(), 0);
        QVERIFY(!answered);
        faults.stall(0); // ends it: everything held goes at once, in order
        QVERIFY(!faults.isStalled());
        QCOMPARE(releasedIds(released), (QList<quint64> {1, 2, 3}));
        QVERIFY(answered);
    }

    void stallRunsOutByItself()
    {
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        QSignalSpy changed(&faults, &FaultState::changed);
        faults.stall(50);
        faults.accept(events(1, 1));
        QCOMPARE(released.size(), 0);
        QTRY_COMPARE(releasedIds(released), QList<quint64> {1});
        QVERIFY(!faults.isStalled());
        QCOMPARE(changed.size(), 2); // the stall, and its end
    }

    void deliveriesAfterAHeldOneWaitForIt()
    {
        // Once something is held, later events queue behind it even if the fault is gone.
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        faults.stall(FaultState::MaxMs);
        faults.accept(events(1, 1));
        faults.setLatency(0);
        faults.accept(events(2, 2));
        QCOMPARE(released.size(), 0);
        faults.stall(0);
        QCOMPARE(releasedIds(released), (QList<quint64> {1, 2}));
    }

    void deadContextIsSkipped()
    {
        FaultState faults;
        faults.stall(FaultState::MaxMs);
        bool ran = false;
        auto context = std::make_unique<QObject>();
        faults.whenDeliverable(context.get(), [&ran] { ran = true; });
        context.reset(); // e.g. the client went away meanwhile
        faults.stall(0);
        QVERIFY(!ran);
    }

    void clearForgetsEverything()
    {
        FaultState faults;
        QSignalSpy released(&faults, &FaultState::released);
        faults.setLatency(1000);
        faults.stall(FaultState::MaxMs);
        faults.accept(events(1, 1));
        faults.clear();
        QVERIFY(!faults.isStalled());
        QCOMPARE(faults.latency(), 0);
        faults.accept(events(2, 2));
        QCOMPARE(releasedIds(released), QList<quint64> {2}); // 1 is gone, 2 passes at once
    }
};

QTEST_GUILESS_MAIN(tst_FaultState)
#include "tst_faultstate.moc"
