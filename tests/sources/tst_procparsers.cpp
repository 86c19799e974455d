#include "procparsers.h"

#include <QFile>
#include <QTest>

using namespace Pushboard;
using namespace Pushboard::Proc;

namespace {

QByteArray fixture(const QString &relative)
{
    QFile file(QFINDTESTDATA(QStringLiteral("data/") + relative));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(relative));
    return file.readAll();
}

} // namespace

class tst_ProcParsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stat()
    {
        const auto stat = parseStat(fixture(QStringLiteral("a/proc/stat")));
        QVERIFY(stat);
        QCOMPARE(stat->all.total, 10000u);
        QCOMPARE(stat->all.busy, 2000u); // idle and iowait are not busy
        QCOMPARE(stat->cores.size(), 2);
        QCOMPARE(stat->cores.value(1).total, 5000u);
    }

    void statRejectsGarbage_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no aggregate line") << QByteArray("cpu0 1 2 3 4 5\n");
        QTest::newRow("non-numeric") << QByteArray("cpu  1 2 x 4 5\n");
        QTest::newRow("too few fields") << QByteArray("cpu  1 2\n");
    }
    void statRejectsGarbage()
    {
        QFETCH(QByteArray, text);
        QVERIFY(!parseStat(text));
    }

    void busyPercent_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<double>("percent");
        QTest::newRow("all") << QStringLiteral("all") << 50.0;
        QTest::newRow("cpu0") << QStringLiteral("0") << 80.0;
        QTest::newRow("cpu1") << QStringLiteral("1") << 20.0;
    }
    void busyPercent()
    {
        QFETCH(QString, line);
        QFETCH(double, percent);
        const auto a = *parseStat(fixture(QStringLiteral("a/proc/stat")));
        const auto b = *parseStat(fixture(QStringLiteral("b/proc/stat")));
        const auto pick = [&line](const CpuStat &s) {
            return line == QLatin1String("all") ? s.all : s.cores.value(line.toInt());
        };
        QCOMPARE(Proc::busyPercent(pick(a), pick(b)), percent);
    }

    void busyPercentEdgeCases()
    {
        QCOMPARE(Proc::busyPercent({10, 100}, {10, 100}), 0.0); // no time passed
        QCOMPARE(Proc::busyPercent({50, 100}, {10, 200}), 0.0); // counters went backwards
        QCOMPARE(Proc::busyPercent({0, 0}, {1, 3}), 33.3);
    }

    void meminfo()
    {
        const auto mem = parseMeminfo(fixture(QStringLiteral("a/proc/meminfo")));
        QVERIFY(mem);
        QCOMPARE(mem->total, 24684092ull * 1024);
        QCOMPARE(mem->available, 20000000ull * 1024);
        QCOMPARE(mem->swapTotal, 2097148ull * 1024);
        QCOMPARE(mem->swapFree, 1048576ull * 1024);
    }

    void meminfoWithoutAvailableEstimates()
    {
        const auto mem = parseMeminfo(fixture(QStringLiteral("meminfo-without-available")));
        QVERIFY(mem);
        QCOMPARE(mem->available, (100000ull + 50000 + 250000) * 1024);
        QVERIFY(!parseMeminfo("Garbage: 1 kB\n"));
    }

    void loadavg()
    {
        const auto load = parseLoadavg(fixture(QStringLiteral("a/proc/loadavg")));
        QVERIFY(load);
        QCOMPARE(load->one, 0.4);
        QCOMPARE(load->five, 0.3);
        QCOMPARE(load->fifteen, 0.2);
        QVERIFY(!parseLoadavg("0.1 x 0.3"));
        QVERIFY(!parseLoadavg(""));
    }

    void netDev()
    {
        const auto a = parseNetDev(fixture(QStringLiteral("a/proc/net/dev")));
        QCOMPARE(a.keys(),
            (QStringList {QStringLiteral("docker0"), QStringLiteral("eth0"), QStringLiteral("eth1"),
                QStringLiteral("lo")}));
        QCOMPARE(a.value(QStringLiteral("eth0")).rxBytes, 4294967000ull);
        QCOMPARE(a.value(QStringLiteral("eth0")).txBytes, 1000ull);
        // The name touches a wide counter: "eth1:10000000000".
        QCOMPARE(a.value(QStringLiteral("eth1")).rxBytes, 10000000000ull);
        const auto b = parseNetDev(fixture(QStringLiteral("b/proc/net/dev")));
        QVERIFY(!b.contains(QStringLiteral("docker0")));
        QVERIFY(b.contains(QStringLiteral("wlan0")));
        QVERIFY(parseNetDev("garbage").isEmpty());
    }

    void counterDelta_data()
    {
        QTest::addColumn<quint64>("previous");
        QTest::addColumn<quint64>("current");
        QTest::addColumn<quint64>("delta");
        QTest::newRow("growth") << quint64(100) << quint64(350) << quint64(250);
        QTest::newRow("unchanged") << quint64(7) << quint64(7) << quint64(0);
        QTest::newRow("32-bit wrap") << quint64(4294967000ull) << quint64(704) << quint64(1000);
        QTest::newRow("reset of a 64-bit counter")
            << quint64(10000000000ull) << quint64(500) << quint64(0);
    }
    void counterDelta()
    {
        QFETCH(quint64, previous);
        QFETCH(quint64, current);
        QFETCH(quint64, delta);
        QCOMPARE(Proc::counterDelta(previous, current), delta);
    }

    void diskstatsCountsOnlyChosenDevices()
    {
        const QSet<QString> disks {QStringLiteral("vda")};
        const auto a = parseDiskstats(fixture(QStringLiteral("a/proc/diskstats")), disks);
        QVERIFY(a);
        QCOMPARE(a->readBytes, 1000ull * 512); // not vda1 (a partition of vda), loop0 or dm-0
        QCOMPARE(a->writtenBytes, 2000ull * 512);
        QVERIFY(
            !parseDiskstats(fixture(QStringLiteral("a/proc/diskstats")), {QStringLiteral("sdz")}));
        const auto none = parseDiskstats(fixture(QStringLiteral("a/proc/diskstats")), {});
        QVERIFY(none);
        QCOMPARE(none->readBytes, 0u);
    }
};

QTEST_GUILESS_MAIN(tst_ProcParsers)
#include "tst_procparsers.moc"
