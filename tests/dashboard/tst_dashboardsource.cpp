#include "chartfeeder.h"
#include "dashboardsource.h"
#include "testserver.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QtCharts/QLineSeries>

using namespace Pushboard;

/// DashboardSource and ChartFeeder against a real server: the series, the tiles, other topics,
/// and a transport switch in the middle of a stream.
class tst_DashboardSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        m_server->config.retryMs = 50;
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void seriesTilesAndOtherTopics()
    {
        publishSample(QDateTime::currentMSecsSinceEpoch() - 2000);
        DashboardSource source;
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_COMPARE(source.state(), QStringLiteral("open"));
        QTRY_VERIFY(!source.points(QStringLiteral("cpu.total")).isEmpty()); // filled from the log
        QCOMPARE(source.seriesKeys(QStringLiteral("cpu.")),
            (QStringList {
                QStringLiteral("cpu.0"), QStringLiteral("cpu.1"), QStringLiteral("cpu.total")}));
        QCOMPARE(source.seriesKeys(QStringLiteral("net.")),
            (QStringList {QStringLiteral("net.eth0.rx"), QStringLiteral("net.eth0.tx")}));
        QTRY_COMPARE(source.current().value(QStringLiteral("cpu")).toDouble(), 12.5);
        QCOMPARE(source.current().value(QStringLiteral("memTotal")).toDouble(), 8000.0);
        QCOMPARE(source.current().value(QStringLiteral("rx")).toDouble(), 1200.0);
        QCOMPARE(source.maxValue({QStringLiteral("load.1m"), QStringLiteral("load.5m")}), 0.5);

        publishSample(QDateTime::currentMSecsSinceEpoch() - 1000);
        m_server->store().append({EventDraft {QStringLiteral("deploy"), R"({"v":"1.2"})"}});
        m_server->store().append({EventDraft {QStringLiteral("queue.depth"), "42"}});
        QTRY_COMPARE(source.recentEvents()->rowCount(), 2);
        QCOMPARE(source.seriesKeys(QStringLiteral("topic.")),
            QStringList {QStringLiteral("topic.queue.depth")});
        m_server->store().append(
            {EventDraft {QStringLiteral("build"), R"({"ms":1500,"ok":true,"name":"x"})"}});
        QTRY_COMPARE(source.seriesKeys(QStringLiteral("topic.")),
            (QStringList {QStringLiteral("topic.build.ms"), QStringLiteral("topic.queue.depth")}));
        // A topic with a dot and a field of a topic look alike as keys; their labels do not.
        QCOMPARE(
            source.seriesLabel(QStringLiteral("topic.queue.depth")), QStringLiteral("queue.depth"));
        QCOMPARE(
            source.seriesLabel(QStringLiteral("topic.build.ms")), QStringLiteral("ms · build"));
        QCOMPARE(source.seriesLabel(QStringLiteral("cpu.total")), QString());
        QCOMPARE(source.recentEvents()->index(2).data(RecentEventsModel::DataRole).toString(),
            QStringLiteral(R"({"v":"1.2"})"));
        QTRY_COMPARE(source.points(QStringLiteral("cpu.total")).size(), 2);

        QLineSeries line;
        ChartFeeder feeder;
        feeder.setSource(&source);
        feeder.setSeries(&line);
        feeder.setScale(2);
        feeder.setKey(QStringLiteral("cpu.total"));
        QCOMPARE(line.count(), 2);
        QCOMPARE(line.at(0).y(), 25.0);
    }

    void transportSwitchContinuesWithoutGapsOrDuplicates()
    {
        DashboardSource source;
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_COMPARE(source.state(), QStringLiteral("open"));
        int n = 0;
        const auto publish = [&](int count) {
            for (int i = 0; i < count; ++i)
                m_server->store().append(
                    {EventDraft {QStringLiteral("seq"), QByteArray::number(++n)}});
        };
        publish(3);
        QTRY_COMPARE(source.recentEvents()->rowCount(), 3);
        for (const char *transport : {"ws", "longpoll", "poll", "sse"}) {
            source.setTransport(QLatin1String(transport));
            publish(2); // while it switches
            QTRY_COMPARE_WITH_TIMEOUT(source.recentEvents()->rowCount(), n, 10000);
            QTRY_COMPARE(source.state(), QStringLiteral("open"));
        }
        // Newest first: n, n-1, ..., 1 — every event once, none missing.
        for (int row = 0; row < n; ++row)
            QCOMPARE(source.recentEvents()->index(row).data(RecentEventsModel::DataRole).toString(),
                QString::number(n - row));
    }

    void publishedSeriesAreCapped()
    {
        DashboardSource source;
        QSignalSpy removed(&source, &DashboardSource::seriesRemoved);
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_COMPARE(source.state(), QStringLiteral("open"));
        // One topic whose every event brings a new field, times oldest first: f0 idles longest.
        const qint64 start = QDateTime::currentMSecsSinceEpoch() - 60000;
        const int fields = DashboardSource::MaxTopicSeries + 5;
        for (int i = 0; i < fields; ++i) {
            m_server->store().append({EventDraft {QStringLiteral("probe"),
                QStringLiteral(R"({"f%1":%1})").arg(i).toUtf8(), start + i * 1000}});
        }
        QTRY_COMPARE(source.recentEvents()->rowCount(), fields);
        const QStringList keys = source.seriesKeys(QStringLiteral("topic."));
        QCOMPARE(keys.size(), DashboardSource::MaxTopicSeries);
        QCOMPARE(source.removedSeries(), 5);
        QCOMPARE(removed.size(), 5);
        for (int i = 0; i < 5; ++i) { // the idlest went, in order
            QCOMPARE(removed.at(i).at(0).toString(), QStringLiteral("topic.probe.f%1").arg(i));
            QVERIFY(!keys.contains(QStringLiteral("topic.probe.f%1").arg(i)));
            QCOMPARE(source.seriesLabel(QStringLiteral("topic.probe.f%1").arg(i)), QString());
        }
        QVERIFY(keys.contains(QStringLiteral("topic.probe.f%1").arg(fields - 1)));
        // A field that keeps coming is not idle: f5 is updated, so f6 goes next.
        m_server->store().append({EventDraft {QStringLiteral("probe"), R"({"f5":1,"new":2})"}});
        QTRY_COMPARE(source.removedSeries(), 6);
        QCOMPARE(removed.constLast().at(0).toString(), QStringLiteral("topic.probe.f6"));
        QVERIFY(
            source.seriesKeys(QStringLiteral("topic.")).contains(QStringLiteral("topic.probe.f5")));
        // Built-in series are bounded too, whatever the server claims.
        QByteArray cores = "[";
        for (int i = 0; i < 1000; ++i)
            cores += (i ? "," : "") + QByteArray::number(i % 100);
        m_server->store().append(
            {EventDraft {QStringLiteral("system.cpu"), R"({"total":1,"cores":)" + cores + "]}"}});
        QTRY_COMPARE(
            source.seriesKeys(QStringLiteral("cpu.")).size(), DashboardSource::MaxCores + 1);
    }

    void gapsBecomeChartMarkers()
    {
        // The log keeps 3 events: a dashboard starting from the beginning misses 1 to 7.
        TestServer small;
        small.config.store.keepCount = 3;
        small.config.store.maxCount = 3;
        QVERIFY(small.start());
        small.append(10, QStringLiteral("here"));
        small.store().pruneNow();
        QCOMPARE(small.store().oldestId(), 8u);
        DashboardSource source;
        QSignalSpy changed(&source, &DashboardSource::markersChanged);
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(small.port()));
        QTRY_COMPARE(source.markers().size(), 1);
        const QVariantMap marker = source.markers().constFirst().toMap();
        QCOMPARE(marker.value(QStringLiteral("kind")).toString(), QStringLiteral("gap"));
        QCOMPARE(marker.value(QStringLiteral("text")).toString(),
            QStringLiteral("gap: events 1 to 7 were no longer held"));
        QVERIFY(marker.value(QStringLiteral("time")).toDouble() > 0);
        QCOMPARE(changed.size(), 1);
        QTRY_COMPARE(source.recentEvents()->rowCount(), 3); // The gap is not an event.
    }

    void anotherServerStartsFromItsWholeLog()
    {
        TestServer other;
        QVERIFY(other.start());
        other.store().append({EventDraft {QStringLiteral("elsewhere"), "1"}});
        for (int i = 0; i < 5; ++i) // this server is further ahead
            m_server->store().append({EventDraft {QStringLiteral("here"), "1"}});
        DashboardSource source;
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_COMPARE(source.recentEvents()->rowCount(), 5);
        QCOMPARE(source.lastEventId(), QStringLiteral("5"));
        source.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(other.port()));
        QTRY_COMPARE(source.recentEvents()->rowCount(), 1); // not "after 5": from the start
        QCOMPARE(source.recentEvents()->index(0).data(RecentEventsModel::TopicRole).toString(),
            QStringLiteral("elsewhere"));
    }

private:
    void publishSample(qint64 time)
    {
        m_server->store().append({
            EventDraft {QStringLiteral("system.cpu"), R"({"total":12.5,"cores":[10,15]})", time},
            EventDraft {QStringLiteral("system.memory"),
                R"({"total":8000,"used":3000,"available":5000,"swapTotal":0,"swapUsed":0})", time},
            EventDraft {QStringLiteral("system.load"), R"({"1m":0.5,"5m":0.25,"15m":0.125})", time},
            EventDraft {QStringLiteral("system.net"),
                R"({"interfaces":{"eth0":{"rxBps":1200,"txBps":800}}})", time},
            EventDraft {QStringLiteral("system.disk"), R"({"readBps":0,"writeBps":40960})", time},
        });
    }

    std::unique_ptr<TestServer> m_server;
};

QTEST_MAIN(tst_DashboardSource)
#include "tst_dashboardsource.moc"
