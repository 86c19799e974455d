#include "backoff.h"

#include <QTest>

using namespace Pushboard;

class tst_Backoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delays_data()
    {
        QTest::addColumn<qint64>("retry");
        QTest::addColumn<double>("random");
        QTest::addColumn<QList<qint64>>("delays");
        // Attempt 0 is always the retry; then retry + random * (min(cap, retry * 2^n) - retry).
        QTest::newRow("lowest draw")
            << qint64(2000) << 0.0 << QList<qint64> {2000, 2000, 2000, 2000};
        QTest::newRow("highest draw")
            << qint64(2000) << 0.999999 << QList<qint64> {2000, 3999, 7999, 15999, 29999, 29999};
        QTest::newRow("half") << qint64(1000) << 0.5 << QList<qint64> {1000, 1500, 2500, 4500};
        QTest::newRow("retry above the cap")
            << qint64(60000) << 0.7 << QList<qint64> {60000, 60000, 60000};
        // Never a busy loop: the floor, then backoff above it.
        QTest::newRow("retry 0") << qint64(0) << 0.5 << QList<qint64> {500, 750, 1250, 2250};
        QTest::newRow("retry 1") << qint64(1) << 0.0 << QList<qint64> {500, 500, 500};
        QTest::newRow("negative") << qint64(-5) << 0.0 << QList<qint64> {500, 500};
        // Any digits a server sends (the parser saturates) end at the ceiling, without overflow.
        const QList<qint64> hour(25, Backoff::MaxRetryMs);
        QTest::newRow("int64 max") << std::numeric_limits<qint64>::max() << 0.999999 << hour;
        QTest::newRow("2^62") << (qint64(1) << 62) << 0.5 << hour;
        QTest::newRow("just under the ceiling, many attempts")
            << (Backoff::MaxRetryMs - 1) << 0.999999 << QList<qint64>(40, Backoff::MaxRetryMs - 1);
        QTest::newRow("a broken random source")
            << qint64(1000) << 7.0 << QList<qint64> {1000, 2000, 4000, 8000};
    }
    void delays()
    {
        QFETCH(qint64, retry);
        QFETCH(double, random);
        QFETCH(QList<qint64>, delays);
        Backoff backoff([random] { return random; });
        backoff.setRetry(retry);
        for (qint64 expected : delays)
            QCOMPARE(backoff.nextDelay(), expected);
    }

    void successStartsOver()
    {
        Backoff backoff([] { return 0.999; });
        backoff.nextDelay();
        QVERIFY(backoff.nextDelay() > 2000);
        backoff.succeeded();
        QCOMPARE(backoff.nextDelay(), 2000);
    }

    void manyAttemptsStayAtTheCap()
    {
        Backoff backoff([] { return 0.999999; });
        backoff.setRetry(Backoff::MinRetryMs);
        qint64 delay = 0;
        for (int i = 0; i < 10000; ++i)
            delay = backoff.nextDelay();
        QCOMPARE(delay, Backoff::CapMs - 1);
    }

    void realRandomStaysInBounds()
    {
        Backoff backoff;
        for (int i = 0; i < 50; ++i) {
            const qint64 delay = backoff.nextDelay();
            QVERIFY(delay >= 2000 && delay <= Backoff::CapMs);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Backoff)
#include "tst_backoff.moc"
