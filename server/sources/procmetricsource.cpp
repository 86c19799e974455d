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
    const qint64 now = m_clock();
    const qint64 elapsed = m_previousMs < 0 ? 0 : now - m_previousMs;
    m_previousMs = now;

    QList<EventDraft> drafts;
    for (auto event : {sampleCpu(elapsed), sampleMemory(), sampleLoad(), sampleNet(elapsed),
             sampleDisk(elapsed)}) {
        if (event)
            drafts.append(std::move(*event));
    }
    return drafts;
}

std::optional<EventDraft> ProcMetricSource::sampleCpu(qint64 elapsed)
{
    const auto cpu = Proc::parseStat(read(QStringLiteral("proc/stat")));
    if (!cpu)
        return std::nullopt;
    const auto previous = std::exchange(m_cpu, cpu);
    if (!previous || elapsed <= 0)
        return std::nullopt;
    QJsonArray cores;
    for (auto it = cpu->cores.cbegin(); it != cpu->cores.cend(); ++it) {
        const auto before = previous->cores.constFind(it.key());
        if (before != previous->cores.cend())
            cores.append(Proc::busyPercent(*before, *it));
    }
    return draft(QStringLiteral("system.cpu"),
        {{QStringLiteral("total"), Proc::busyPercent(previous->all, cpu->all)},
            {QStringLiteral("cores"), cores}});
}

std::optional<EventDraft> ProcMetricSource::sampleMemory()
{
    const auto mem = Proc::parseMeminfo(read(QStringLiteral("proc/meminfo")));
    if (!mem)
        return std::nullopt;
    const quint64 swapUsed = mem->swapTotal - qMin(mem->swapFree, mem->swapTotal);
    return draft(QStringLiteral("system.memory"),
        {{QStringLiteral("total"), qint64(mem->total)},
            {QStringLiteral("used"), qint64(mem->total - mem->available)},
            {QStringLiteral("available"), qint64(mem->available)},
            {QStringLiteral("swapTotal"), qint64(mem->swapTotal)},
            {QStringLiteral("swapUsed"), qint64(swapUsed)}});
}

std::optional<EventDraft> ProcMetricSource::sampleLoad()
{
    const auto load = Proc::parseLoadavg(read(QStringLiteral("proc/loadavg")));
    if (!load)
        return std::nullopt;
    return draft(QStringLiteral("system.load"),
        {{QStringLiteral("1m"), load->one}, {QStringLiteral("5m"), load->five},
            {QStringLiteral("15m"), load->fifteen}});
}

std::optional<EventDraft> ProcMetricSource::sampleNet(qint64 elapsed)
{
    auto net = Proc::parseNetDev(read(QStringLiteral("proc/net/dev")));
    net.remove(QStringLiteral("lo"));
    const auto previous = std::exchange(m_net, net);
    if (previous.isEmpty() || net.isEmpty() || elapsed <= 0)
        return std::nullopt;
    QJsonObject interfaces;
    for (auto it = net.cbegin(); it != net.cend(); ++it) {
        const auto before = previous.constFind(it.key());
        if (before == previous.cend())
            continue; // New interface: a rate from its next sample on.
        const quint64 rx = Proc::counterDelta(before->rxBytes, it->rxBytes);
        const quint64 tx = Proc::counterDelta(before->txBytes, it->txBytes);
        interfaces.insert(it.key(),
            QJsonObject {{QStringLiteral("rxBps"), perSecond(rx, elapsed)},
                {QStringLiteral("txBps"), perSecond(tx, elapsed)}});
    }
    return draft(QStringLiteral("system.net"), {{QStringLiteral("interfaces"), interfaces}});
}

std::optional<EventDraft> ProcMetricSource::sampleDisk(qint64 elapsed)
{
    const auto disk = Proc::parseDiskstats(read(QStringLiteral("proc/diskstats")), diskDevices());
    if (!disk)
        return std::nullopt;
    const auto previous = std::exchange(m_disk, disk);
    if (!previous || elapsed <= 0)
        return std::nullopt;
    const quint64 readBytes = Proc::counterDelta(previous->readBytes, disk->readBytes);
    const quint64 writtenBytes = Proc::counterDelta(previous->writtenBytes, disk->writtenBytes);
    return draft(QStringLiteral("system.disk"),
        {{QStringLiteral("readBps"), perSecond(readBytes, elapsed)},
            {QStringLiteral("writeBps"), perSecond(writtenBytes, elapsed)}});
}

} // namespace Pushboard
