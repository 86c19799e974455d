#include "chartfeeder.h"
#include "dashboardsource.h"
#include "testserver.h"

#include <QApplication>
#include <QTest>
#include <QtCharts/QLineSeries>
#include <QtCharts/QPieSeries>

using namespace Pushboard;

/// ChartFeeder: which points reach the line, scaled, when they are replaced, and what it does
/// with a half-set-up binding (QML sets properties in any order).
class tst_ChartFeeder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
        m_source = std::make_unique<DashboardSource>();
    }
    void cleanup()
    {
        m_source.reset();
        m_server.reset();
    }

    void feedsTheWindowScaledInAnyOrderOfProperties_data()
    {
        QTest::addColumn<QString>("order"); // the order QML might set source, series, key
        QTest::newRow("source, series, key") << QStringLiteral("ask");
        QTest::newRow("key, series, source") << QStringLiteral("kas");
        QTest::newRow("series, key, source") << QStringLiteral("sak");
    }
    void feedsTheWindowScaledInAnyOrderOfProperties()
    {
        QFETCH(QString, order);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_server->store().append({
            EventDraft {QStringLiteral("queue.depth"), "4", now - 3000},
            EventDraft {QStringLiteral("queue.depth"), "8", now - 2000},
        });
        m_source->setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_COMPARE(m_source->points(QStringLiteral("topic.queue.depth")).size(), 2);

        QLineSeries line;
        ChartFeeder feeder;
        feeder.setScale(0.5);
        for (const QChar step : order) {
            if (step == u'a')
                feeder.setSource(m_source.get());
            else if (step == u's')
                feeder.setSeries(&line);
            else
                feeder.setKey(QStringLiteral("topic.queue.depth"));
        }
        QCOMPARE(line.count(), 2);
        QCOMPARE(line.at(0), QPointF(double(now - 3000), 2.0));
        QCOMPARE(line.at(1), QPointF(double(now - 2000), 4.0));

        // New points arrive with the source's (throttled) seriesChanged, replacing the line.
        m_server->store().append({EventDraft {QStringLiteral("queue.depth"), "10", now - 1000}});
        QTRY_COMPARE(line.count(), 3);
        QCOMPARE(line.at(2).y(), 5.0);
        feeder.setScale(1);
        QCOMPARE(line.at(2).y(), 10.0); // a new scale applies at once
    }

    void pointsOutsideTheWindowAreLeftOut()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_server->store().append({
            EventDraft {QStringLiteral("queue.depth"), "1", now - 10 * 60000},
            EventDraft {QStringLiteral("queue.depth"), "2", now - 1000},
        });
        m_source->setWindowMinutes(5);
        m_source->setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_VERIFY(!m_source->points(QStringLiteral("topic.queue.depth")).isEmpty());
        QLineSeries line;
        ChartFeeder feeder;
        feeder.setSource(m_source.get());
        feeder.setSeries(&line);
        feeder.setKey(QStringLiteral("topic.queue.depth"));
        QCOMPARE(line.count(), 1);
        QCOMPARE(line.at(0).y(), 2.0);
        m_source->setWindowMinutes(15); // kept, so widening shows it at once
        feeder.refresh();
        QCOMPARE(line.count(), 2);
    }

    void harmlessWhenNotAnXySeriesOrGone()
    {
        QPieSeries pie; // not a QXYSeries: nothing to feed, nothing to crash
        ChartFeeder feeder;
        feeder.setSource(m_source.get());
        feeder.setKey(QStringLiteral("cpu.total"));
        feeder.setSeries(&pie);
        feeder.refresh();
        QCOMPARE(pie.count(), 0);
        {
            QLineSeries line;
            feeder.setSeries(&line);
        } // the series is deleted under the feeder (a chart removed it)
        feeder.refresh();
        QVERIFY(!feeder.series());
        m_source.reset(); // and the source too
        feeder.refresh();
        QVERIFY(!feeder.source());
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<DashboardSource> m_source;
};

QTEST_MAIN(tst_ChartFeeder)
#include "tst_chartfeeder.moc"
