#include "labstreamrun.h"

#include <QJsonObject>
#include <QTest>

using namespace Pushboard;
using namespace Pushboard::Lab;

namespace {

/// Runs `key` for `durationS` seconds and returns its final figures.
LabResult run(const QString &key, int durationS, LabStreamRun **keep = nullptr)
{
    static std::unique_ptr<LabStreamRun> last;
    last = std::make_unique<LabStreamRun>(*scenario(key));
    LabExperiment::Options options;
    options.durationS = durationS;
    if (!last->start(options)) {
        qWarning() << last->errorString();
        return {};
    }
    // The run stops by itself: its duration, then at most 10 s for the last events.
    if (!QTest::qWaitFor([&] { return last->isFinished(); }, (durationS + 60) * 1000))
        qWarning() << "the run did not finish";
    if (keep)
        *keep = last.get();
    return last->result();
}

/// Every lane got every event exactly once.
bool complete(const LabResult &result)
{
    const qint64 published = result.details.value(QStringLiteral("published")).toInteger();
    for (const LaneFigures &lane : result.lanes) {
        if (lane.lost != 0 || lane.duplicated != 0 || lane.events != published) {
            qWarning() << lane.name << "events" << lane.events << "of" << published << "lost"
                       << lane.lost << "duplicated" << lane.duplicated;
            return false;
        }
    }
    return published > 0;
}

QJsonObject phase(const LaneFigures *lane, const QString &name)
{
    return lane->extra.value(QStringLiteral("phases")).toObject().value(name).toObject();
}

} // namespace

/// The stream scenarios of the lab, each run for real (its own server, four transports through
/// relays) and checked for what it is there to show. No timing thresholds: each lesson is a
/// count or an order, or one lane against another in the same run.
class tst_LabStreamRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idlePollingWastesRequests()
    {
        const LabResult result = run(QStringLiteral("idle"), 11); // events at 5 s and 10 s
        QVERIFY(complete(result));
        const LaneFigures *poll = result.lane(QStringLiteral("poll"));
        const LaneFigures *sse = result.lane(QStringLiteral("sse"));
        const LaneFigures *ws = result.lane(QStringLiteral("ws"));
        QVERIFY(poll && sse && ws);
        QCOMPARE(sse->requests, 1);
        QCOMPARE(ws->requests, 1); // the handshake
        QVERIFY2(poll->requests > 5 * sse->requests, qPrintable(QString::number(poll->requests)));
        QVERIFY(poll->overheadBytes() > sse->overheadBytes());
        QVERIFY(poll->overheadBytes() > ws->overheadBytes());
    }

    void burstArrivesWholeAndBatched()
    {
        const LabResult result = run(QStringLiteral("burst"), 4);
        QVERIFY(complete(result));
        QCOMPARE(result.details.value(QStringLiteral("published")).toInteger(), 1000);
        // Pages of 100: ten and a few requests, not a thousand.
        QVERIFY(result.lane(QStringLiteral("longpoll"))->requests < 100);
        QVERIFY(result.lane(QStringLiteral("poll"))->requests < 100);
        QCOMPARE(result.lane(QStringLiteral("sse"))->requests, 1);
    }

    void bufferingProxyHoldsOnlyTheStream()
    {
        LabStreamRun *kept = nullptr;
        const LabResult result = run(QStringLiteral("proxy"), 12, &kept);
        QVERIFY(complete(result)); // late, never lost: the relay lets go at the end
        // While the relay ignored X-Accel-Buffering, SSE events came in clumps of 8 KiB: the
        // first of a clump arrived dozens of events late.
        const LaneFigures *sse = result.lane(QStringLiteral("sse"));
        QVERIFY2(phase(sse, QStringLiteral("ignored")).value(u"maxBehind").toInt() >= 10,
            qPrintable(QString::number(
                phase(sse, QStringLiteral("ignored")).value(u"maxBehind").toInt())));
        QVERIFY(phase(sse, QStringLiteral("honoured")).value(u"events").toInt() > 0);
        // Only the SSE relay gathered anything: answers and WebSocket frames passed.
        for (const auto &lane : kept->lanes()) {
            bool gathered = false;
            for (const auto &mark : lane->log().marks())
                gathered = gathered || mark.text.startsWith(u"buffering proxy:");
            QCOMPARE(gathered, lane->name() == u"sse");
        }
    }

    void restartLosesNothing()
    {
        const LabResult result = run(QStringLiteral("restart"), 9);
        QVERIFY(complete(result));
        for (const LaneFigures &lane : result.lanes)
            QVERIFY2(lane.reconnects >= 1, qPrintable(lane.name));
        // The server was down longer than the retry: what was published before they were back
        // came from the log.
        QVERIFY(result.lane(QStringLiteral("sse"))->replayed > 0);
        QVERIFY(result.lane(QStringLiteral("ws"))->replayed > 0);
        QVERIFY(result.lane(QStringLiteral("longpoll"))->replayed > 0);
        bool stopped = false;
        for (const LabMark &mark : result.marks)
            stopped = stopped || mark.text == u"server stopped";
        QVERIFY(stopped);
    }

    void slowConsumerIsCutAlone()
    {
        const LabResult result = run(QStringLiteral("slow-consumer"), 20);
        QVERIFY(complete(result));
        QVERIFY(result.details.value(QStringLiteral("slowConsumerCut")).toBool());
        const LaneFigures *slow = result.lane(QStringLiteral("sse-slow"));
        QVERIFY(slow->reconnects >= 1);
        QVERIFY(slow->replayed > 0); // resumed from Last-Event-ID
        for (const LaneFigures &lane : result.lanes) {
            if (lane.name == slow->name)
                continue;
            QCOMPARE(lane.reconnects, 0); // the others were never disturbed...
            QVERIFY2(
                lane.latencyMs.p99 < slow->latencyMs.max, qPrintable(lane.name)); // ...nor held
        }
    }
};

QTEST_GUILESS_MAIN(tst_LabStreamRun)
#include "tst_labstreamrun.moc"
