#include "labstorm.h"

#include <QJsonObject>
#include <QTest>

using namespace Pushboard::Lab;

/// The reconnect storm with its thousand real sockets: every client comes back in both rounds;
/// fixed retries all try again within a moment of each other, jittered ones spread over the
/// jitter window. (Spreads compared with each other and with the window, never with a clock.)
class tst_LabStorm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jitterSpreadsTheReconnects()
    {
        LabStorm storm(*scenario(QStringLiteral("storm")));
        LabExperiment::Options options;
        options.durationS = 60; // an upper bound: the run ends when both rounds are done
        QVERIFY2(storm.start(options), qPrintable(storm.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(storm.isFinished(), 90'000);
        const LabResult result = storm.result();
        const LaneFigures *fixed = result.lane(QStringLiteral("fixed"));
        const LaneFigures *jittered = result.lane(QStringLiteral("jittered"));
        QVERIFY(fixed && jittered);
        const int clients = result.details.value(QStringLiteral("clients")).toInt();
        QVERIFY(clients >= 100);
        QCOMPARE(fixed->reconnects, clients);
        QCOMPARE(jittered->reconnects, clients);
        const double fixedSpread = fixed->extra.value(QStringLiteral("attemptSpreadMs")).toDouble();
        const double jitterSpread
            = jittered->extra.value(QStringLiteral("attemptSpreadMs")).toDouble();
        qInfo("attempts spread over %.0f ms (fixed) and %.0f ms (jittered)", fixedSpread,
            jitterSpread);
        QVERIFY(jitterSpread >= LabStorm::JitterWindowMs / 2);
        QVERIFY(fixedSpread * 4 < jitterSpread);
        // Nobody came back before the retry time.
        QVERIFY(fixed->latencyMs.samples == clients);
        QVERIFY(
            jittered->extra.value(QStringLiteral("attemptMs")).toObject().value(u"p50").toDouble()
            >= LabStorm::RetryMs);
        QVERIFY(!result.series.at(0).points.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_LabStorm)
#include "tst_labstorm.moc"
