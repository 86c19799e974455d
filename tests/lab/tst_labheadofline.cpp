#include "labheadofline.h"

#include <QJsonObject>
#include <QTest>

using namespace Pushboard::Lab;

/// The head-of-line model (a simulation, deterministic for a seed): the same losses for both
/// protocols; over TCP a loss holds back other streams' packets, over QUIC only its own
/// stream's; without loss both deliver every packet after the one-way delay.
class tst_LabHeadOfLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tcpHoldsOtherStreamsBackQuicDoesNot()
    {
        HeadOfLineModel model;
        model.durationS = 30;
        const HeadOfLineOutcome outcome = HeadOfLineOutcome::simulate(model);
        QVERIFY(qAbs(qint64(outcome.packets.size()) - 30 * 6 * 20) <= 1); // 120 a second
        qint64 lost = 0;
        qint64 heldTcp = 0;
        qint64 heldQuic = 0;
        double sumTcp = 0;
        double sumQuic = 0;
        for (const auto &p : outcome.packets) {
            lost += p.lost ? 1 : 0;
            heldTcp += p.heldByOther[0] ? 1 : 0;
            heldQuic += p.heldByOther[1] ? 1 : 0;
            // Never before it arrived; QUIC never later than TCP.
            QVERIFY(p.deliveredMs[0] >= p.arrivedMs);
            QVERIFY(p.deliveredMs[1] >= p.arrivedMs);
            QVERIFY(p.deliveredMs[1] <= p.deliveredMs[0]);
            sumTcp += p.deliveredMs[0] - p.sentMs;
            sumQuic += p.deliveredMs[1] - p.sentMs;
        }
        QVERIFY(lost > 0); // 2% of 3599 with this seed
        QVERIFY(heldTcp > lost); // each loss holds back several packets of other streams
        QCOMPARE(heldQuic, 0);
        QVERIFY(sumTcp > sumQuic);
        // The same seed, the same run.
        const HeadOfLineOutcome again = HeadOfLineOutcome::simulate(model);
        QCOMPARE(again.packets.back().deliveredMs[0], outcome.packets.back().deliveredMs[0]);
    }

    void withoutLossNothingWaits()
    {
        HeadOfLineModel model;
        model.loss = 0;
        model.durationS = 5;
        for (const auto &p : HeadOfLineOutcome::simulate(model).packets) {
            QCOMPARE(p.deliveredMs[0], p.sentMs + model.oneWayMs);
            QCOMPARE(p.deliveredMs[1], p.sentMs + model.oneWayMs);
        }
    }

    void theRunSaysItIsASimulation()
    {
        LabHeadOfLine run(*scenario(QStringLiteral("head-of-line")));
        QVERIFY(run.start({}));
        QTRY_VERIFY(run.isFinished());
        const LabResult result = run.result();
        QCOMPARE(result.lanes.size(), 2);
        QVERIFY(result.details.value(QStringLiteral("simulation")).toBool());
        QVERIFY(result.chartTitle.contains(u"SIMULATION"));
        const LaneFigures *tcp = result.lane(QStringLiteral("h2-tcp"));
        const LaneFigures *quic = result.lane(QStringLiteral("quic"));
        QVERIFY(tcp && quic);
        QVERIFY(tcp->extra.value(QStringLiteral("heldByOtherStreams")).toInt() > 0);
        QCOMPARE(quic->extra.value(QStringLiteral("heldByOtherStreams")).toInt(), 0);
        QVERIFY(tcp->note().contains(u"simulated"));
    }
};

QTEST_GUILESS_MAIN(tst_LabHeadOfLine)
#include "tst_labheadofline.moc"
