#include "procparsers.h"

#include <QByteArray>
#include <QList>

#include <cmath>

namespace Pushboard::Proc {

namespace {

QList<QByteArrayView> fields(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const qsizetype start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            out.append(line.sliced(start, i - start));
    }
    return out;
}

template<typename Fn> void forEachLine(QByteArrayView text, Fn fn)
{
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        fn(text.sliced(start, end - start));
        start = end + 1;
    }
}

std::optional<quint64> toU64(QByteArrayView field)
{
    bool ok = false;
    const quint64 value = field.toULongLong(&ok);
    return ok ? std::optional<quint64>(value) : std::nullopt;
}

std::optional<CpuTimes> parseCpuLine(const QList<QByteArrayView> &f)
{
    // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already
    // counted in user and nice.
    if (f.size() < 5)
        return std::nullopt;
    quint64 values[8] = {};
    for (int i = 0; i < 8 && i + 1 < f.size(); ++i) {
        const auto v = toU64(f[i + 1]);
        if (!v)
            return std::nullopt;
        values[i] = *v;
    }
    CpuTimes times;
    for (quint64 v : values)
        times.total += v;
    const quint64 idle = values[3] + values[4];
    times.busy = times.total - idle;
    return times;
}

} // namespace

std::optional<CpuStat> parseStat(QByteArrayView text)
{
    CpuStat stat;
    bool haveAll = false;
    bool bad = false;
    forEachLine(text, [&](QByteArrayView line) {
        if (!line.startsWith("cpu"))
            return;
        const auto f = fields(line);
        const auto times = parseCpuLine(f);
        if (!times) {
            bad = true;
            return;
        }
        const QByteArrayView name = f[0];
        if (name == "cpu") {
            stat.all = *times;
            haveAll = true;
        } else if (const auto n = toU64(name.sliced(3))) {
            stat.cores.insert(int(*n), *times);
        }
    });
    if (!haveAll || bad)
        return std::nullopt;
    return stat;
}

std::optional<MemInfo> parseMeminfo(QByteArrayView text)
{
    MemInfo info;
    int found = 0;
    bool haveAvailable = false;
    quint64 memFree = 0, buffers = 0, cached = 0;
    forEachLine(text, [&](QByteArrayView line) {
        const auto f = fields(line);
        if (f.size() < 2)
            return;
        const auto kib = toU64(f[1]);
        if (!kib)
            return;
        const quint64 bytes = *kib * 1024;
        const QByteArrayView key = f[0];
        if (key == "MemTotal:") {
            info.total = bytes;
            ++found;
        } else if (key == "MemAvailable:") {
            info.available = bytes;
            haveAvailable = true;
        } else if (key == "MemFree:") {
            memFree = bytes;
            ++found;
        } else if (key == "Buffers:") {
            buffers = bytes;
        } else if (key == "Cached:") {
            cached = bytes;
        } else if (key == "SwapTotal:") {
            info.swapTotal = bytes;
        } else if (key == "SwapFree:") {
            info.swapFree = bytes;
        }
    });
    if (found < 2)
        return std::nullopt;
    if (!haveAvailable) // Kernels before 3.14 have no MemAvailable: estimate as free(1) did.
        info.available = qMin(info.total, memFree + buffers + cached);
    return info;
}

std::optional<LoadAvg> parseLoadavg(QByteArrayView text)
{
    const auto f = fields(text.trimmed());
    if (f.size() < 3)
        return std::nullopt;
    bool ok1 = false, ok5 = false, ok15 = false;
    LoadAvg load {f[0].toDouble(&ok1), f[1].toDouble(&ok5), f[2].toDouble(&ok15)};
    if (!ok1 || !ok5 || !ok15)
        return std::nullopt;
    return load;
}

QMap<QString, NetCounters> parseNetDev(QByteArrayView text)
{
    // "  eth0: 1234 5 0 0 0 0 0 0 5678 ..." after two header lines; the name may touch the
    // first number ("eth0:1234") when the counter is wide.
    QMap<QString, NetCounters> interfaces;
    forEachLine(text, [&](QByteArrayView line) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return;
        const QByteArrayView name = line.first(colon).trimmed();
        const auto f = fields(line.sliced(colon + 1));
        if (name.isEmpty() || f.size() < 9)
            return;
        const auto rx = toU64(f[0]);
        const auto tx = toU64(f[8]);
        if (rx && tx)
            interfaces.insert(QString::fromUtf8(name), NetCounters {*rx, *tx});
    });
    return interfaces;
}

std::optional<DiskCounters> parseDiskstats(QByteArrayView text, const QSet<QString> &devices)
{
    // major minor name reads merged sectors_read ms writes merged sectors_written ...
    DiskCounters counters;
    bool any = false;
    forEachLine(text, [&](QByteArrayView line) {
        const auto f = fields(line);
        if (f.size() < 10 || !devices.contains(QString::fromUtf8(f[2])))
            return;
        const auto read = toU64(f[5]);
        const auto written = toU64(f[9]);
        if (!read || !written)
            return;
        counters.readBytes += *read * 512;
        counters.writtenBytes += *written * 512;
        any = true;
    });
    if (!any && !devices.isEmpty())
        return std::nullopt;
    return counters;
}

double busyPercent(const CpuTimes &previous, const CpuTimes &current)
{
    if (current.total <= previous.total || current.busy < previous.busy)
        return 0.0;
    const double percent
        = 100.0 * double(current.busy - previous.busy) / double(current.total - previous.total);
    return std::round(qBound(0.0, percent, 100.0) * 10.0) / 10.0;
}

quint64 counterDelta(quint64 previous, quint64 current)
{
    if (current >= previous)
        return current - previous;
    if (previous <= 0xffffffffULL)
        return (0x100000000ULL - previous) + current;
    return 0;
}

} // namespace Pushboard::Proc
