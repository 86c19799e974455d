#include "procmetricsource.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace Pushboard {

namespace {

qint64 perSecond(quint64 delta, qint64 elapsedMs)
{
    return elapsedMs > 0 ? qint64(std::llround(double(delta) * 1000.0 / double(elapsedMs))) : 0;
}

EventDraft draft(const QString &topic, const QJsonObject &data)
{
    return EventDraft {topic, compactJson(data)};
}

} // namespace

ProcMetricSource::ProcMetricSource(QString root, MonotonicClock clock)
    : m_root(std::move(root))
    , m_clock(std::move(clock))
{
    if (!m_clock) {
        m_elapsed.start();
        m_clock = [this] { return m_elapsed.elapsed(); };
    }
}

QByteArray ProcMetricSource::read(const QString &path) const
{
    // /proc files report size 0: read until EOF rather than trusting size().
    QFile file(QDir(m_root).filePath(path));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QSet<QString> ProcMetricSource::diskDevices() const
{
    // Whole disks backed by a device (sda, vda, nvme0n1); loop, ram, dm and md devices have no
    // `device` link and would count the same bytes twice.
    QSet<QString> devices;
    const QDir block(QDir(m_root).filePath(QStringLiteral("sys/block")));
    for (const QString &name : block.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (QFileInfo::exists(block.filePath(name + QStringLiteral("/device"))))
            devices.insert(name);
    }
    return devices;
}

QList<EventDraft> ProcMetricSource::sample()
{
    QList<EventDraft> drafts;
    const qint64 now = m_clock();
    const qint64 elapsed = m_previousMs < 0 ? 0 : now - m_previousMs;
    m_previousMs = now;

    if (const auto cpu = Proc::parseStat(read(QStringLiteral("proc/stat")))) {
        if (m_cpu && elapsed > 0) {
            QJsonArray cores;
            for (auto it = cpu->cores.cbegin(); it != cpu->cores.cend(); ++it) {
                const auto before = m_cpu->cores.constFind(it.key());
                if (before != m_cpu->cores.cend())
                    cores.append(Proc::busyPercent(*before, *it));
            }
            drafts.append(draft(QStringLiteral("system.cpu"),
                {{QStringLiteral("total"), Proc::busyPercent(m_cpu->all, cpu->all)},
                    {QStringLiteral("cores"), cores}}));
        }
        m_cpu = cpu;
    }

    if (const auto mem = Proc::parseMeminfo(read(QStringLiteral("proc/meminfo")))) {
        drafts.append(draft(QStringLiteral("system.memory"),
            {{QStringLiteral("total"), qint64(mem->total)},
                {QStringLiteral("used"), qint64(mem->total - mem->available)},
                {QStringLiteral("available"), qint64(mem->available)},
                {QStringLiteral("swapTotal"), qint64(mem->swapTotal)},
                {QStringLiteral("swapUsed"),
                    qint64(mem->swapTotal - qMin(mem->swapFree, mem->swapTotal))}}));
    }

    if (const auto load = Proc::parseLoadavg(read(QStringLiteral("proc/loadavg")))) {
        drafts.append(draft(QStringLiteral("system.load"),
            {{QStringLiteral("1m"), load->one}, {QStringLiteral("5m"), load->five},
                {QStringLiteral("15m"), load->fifteen}}));
    }

    auto net = Proc::parseNetDev(read(QStringLiteral("proc/net/dev")));
    net.remove(QStringLiteral("lo"));
    if (elapsed > 0 && !net.isEmpty()) {
        QJsonObject interfaces;
        for (auto it = net.cbegin(); it != net.cend(); ++it) {
            const auto before = m_net.constFind(it.key());
            if (before == m_net.cend())
                continue;
            interfaces.insert(it.key(),
                QJsonObject {
                    {QStringLiteral("rxBps"),
                        perSecond(Proc::counterDelta(before->rxBytes, it->rxBytes), elapsed)},
                    {QStringLiteral("txBps"),
                        perSecond(Proc::counterDelta(before->txBytes, it->txBytes), elapsed)}});
        }
        if (!m_net.isEmpty())
            drafts.append(
                draft(QStringLiteral("system.net"), {{QStringLiteral("interfaces"), interfaces}}));
    }
    m_net = net;

    if (const auto disk
        = Proc::parseDiskstats(read(QStringLiteral("proc/diskstats")), diskDevices())) {
        if (m_disk && elapsed > 0) {
            drafts.append(draft(QStringLiteral("system.disk"),
                {{QStringLiteral("readBps"),
                     perSecond(Proc::counterDelta(m_disk->readBytes, disk->readBytes), elapsed)},
                    {QStringLiteral("writeBps"),
                        perSecond(Proc::counterDelta(m_disk->writtenBytes, disk->writtenBytes),
                            elapsed)}}));
        }
        m_disk = disk;
    }
    return drafts;
}

} // namespace Pushboard
