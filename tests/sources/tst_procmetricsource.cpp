#include "procmetricsource.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;

namespace {

// Copies fixture tree `name` over `root`, as if the kernel's counters had moved on.
bool installFixture(const QString &name, const QString &root)
{
    const QString from = QFINDTESTDATA(QStringLiteral("data/") + name);
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = root + file.mid(from.size());
        QDir().mkpath(QFileInfo(target).path());
        QFile::remove(target);
        if (!QFile::copy(file, target))
            return false;
    }
    return true;
}

QMap<QString, QJsonObject> byTopic(const QList<EventDraft> &drafts)
{
    QMap<QString, QJsonObject> out;
    for (const EventDraft &draft : drafts)
        out.insert(draft.topic, QJsonDocument::fromJson(draft.data).object());
    return out;
}

} // namespace

class tst_ProcMetricSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoSamplesGiveEveryTopic()
    {
        QTemporaryDir root;
        QVERIFY(installFixture(QStringLiteral("a"), root.path()));
        qint64 now = 5000;
        ProcMetricSource source(root.path(), [&now] { return now; });

        // First sample: levels only; rates need a second reading.
        const auto first = byTopic(source.sample());
        QCOMPARE(first.keys(),
            (QStringList {QStringLiteral("system.load"), QStringLiteral("system.memory")}));
        QCOMPARE(
            first.value(QStringLiteral("system.load")).value(QStringLiteral("1m")).toDouble(), 0.4);
        const QJsonObject mem = first.value(QStringLiteral("system.memory"));
        QCOMPARE(mem.value(QStringLiteral("total")).toInteger(), 24684092ll * 1024);
        QCOMPARE(mem.value(QStringLiteral("used")).toInteger(), (24684092ll - 20000000) * 1024);
        QCOMPARE(mem.value(QStringLiteral("available")).toInteger(), 20000000ll * 1024);
        QCOMPARE(mem.value(QStringLiteral("swapUsed")).toInteger(), (2097148ll - 1048576) * 1024);

        QVERIFY(installFixture(QStringLiteral("b"), root.path()));
        now += 1000;
        const auto second = byTopic(source.sample());
        QCOMPARE(second.size(), 5);

        const QJsonObject cpu = second.value(QStringLiteral("system.cpu"));
        QCOMPARE(cpu.value(QStringLiteral("total")).toDouble(), 50.0);
        QCOMPARE(
            cpu.value(QStringLiteral("cores")).toVariant(), QVariant(QVariantList {80.0, 20.0}));

        const QJsonObject net = second.value(QStringLiteral("system.net"))
                                    .value(QStringLiteral("interfaces"))
                                    .toObject();
        // lo is left out; docker0 disappeared; wlan0 appeared and has no rate yet; eth0's rx
        // wrapped at 32 bits; eth1's 64-bit counter was reset.
        QCOMPARE(net.keys(), (QStringList {QStringLiteral("eth0"), QStringLiteral("eth1")}));
        QCOMPARE(
            net.value(QStringLiteral("eth0")).toObject().value(QStringLiteral("rxBps")).toInteger(),
            1000);
        QCOMPARE(
            net.value(QStringLiteral("eth0")).toObject().value(QStringLiteral("txBps")).toInteger(),
            2048);
        QCOMPARE(
            net.value(QStringLiteral("eth1")).toObject().value(QStringLiteral("rxBps")).toInteger(),
            0);

        const QJsonObject disk = second.value(QStringLiteral("system.disk"));
        QCOMPARE(
            disk.value(QStringLiteral("readBps")).toInteger(), 4096); // vda only, not loop0 or dm-0
        QCOMPARE(disk.value(QStringLiteral("writeBps")).toInteger(), 40960);

        // Half a second later with unchanged counters: the new interface now has a rate.
        now += 500;
        const auto third = byTopic(source.sample());
        const QJsonObject net3 = third.value(QStringLiteral("system.net"))
                                     .value(QStringLiteral("interfaces"))
                                     .toObject();
        QVERIFY(net3.contains(QStringLiteral("wlan0")));
        QCOMPARE(net3.value(QStringLiteral("wlan0"))
                     .toObject()
                     .value(QStringLiteral("rxBps"))
                     .toInteger(),
            0);
        QCOMPARE(
            third.value(QStringLiteral("system.cpu")).value(QStringLiteral("total")).toDouble(),
            0.0);
    }

    void missingFilesGiveNoTopics()
    {
        QTemporaryDir root;
        ProcMetricSource source(root.path(), [] { return qint64(1); });
        QVERIFY(source.sample().isEmpty());
        QVERIFY(source.sample().isEmpty());
    }

    void readsThisMachine()
    {
        // The real /proc: two samples a moment apart give all five topics with sane values.
        ProcMetricSource source;
        source.sample();
        QTest::qWait(50);
        const auto topics = byTopic(source.sample());
        QVERIFY(topics.contains(QStringLiteral("system.cpu")));
        QVERIFY(topics.contains(QStringLiteral("system.memory")));
        QVERIFY(topics.contains(QStringLiteral("system.load")));
        QVERIFY(topics.contains(QStringLiteral("system.disk")));
        const double total
            = topics.value(QStringLiteral("system.cpu")).value(QStringLiteral("total")).toDouble();
        QVERIFY(total >= 0.0 && total <= 100.0);
        QVERIFY(
            topics.value(QStringLiteral("system.memory")).value(QStringLiteral("total")).toInteger()
            > 0);
    }
};

QTEST_GUILESS_MAIN(tst_ProcMetricSource)
#include "tst_procmetricsource.moc"
