#pragma once

#include <QByteArrayView>
#include <QMap>
#include <QSet>
#include <QString>

#include <optional>

/// Parsers for the Linux /proc files the metric sources read. Each one is a free function over
/// the file's bytes, so tests feed them checked-in fixtures. Sizes are in bytes.
namespace Pushboard::Proc {

/// Jiffies one CPU (or all of them) spent busy and in total.
struct CpuTimes
{
    quint64 busy = 0;
    quint64 total = 0;
};

/// The `cpu` and `cpuN` lines of /proc/stat.
struct CpuStat
{
    CpuTimes all;
    QMap<int, CpuTimes> cores; ///< By CPU number; an offline CPU has no line.
};

/// /proc/meminfo, the fields Pushboard publishes.
struct MemInfo
{
    quint64 total = 0;
    quint64 available = 0;
    quint64 swapTotal = 0;
    quint64 swapFree = 0;
};

/// /proc/loadavg.
struct LoadAvg
{
    double one = 0;
    double five = 0;
    double fifteen = 0;
};

/// Byte counters of one interface in /proc/net/dev.
struct NetCounters
{
    quint64 rxBytes = 0;
    quint64 txBytes = 0;
};

/// Bytes read and written, summed over the chosen devices of /proc/diskstats.
struct DiskCounters
{
    quint64 readBytes = 0;
    quint64 writtenBytes = 0;
};

[[nodiscard]] std::optional<CpuStat> parseStat(QByteArrayView text);
[[nodiscard]] std::optional<MemInfo> parseMeminfo(QByteArrayView text);
[[nodiscard]] std::optional<LoadAvg> parseLoadavg(QByteArrayView text);
/// Every interface listed, loopback included; the caller chooses.
[[nodiscard]] QMap<QString, NetCounters> parseNetDev(QByteArrayView text);
/// Sums the devices named in `devices` (whole disks: summing partitions too would count bytes
/// twice). Sectors in /proc/diskstats are always 512 bytes.
[[nodiscard]] std::optional<DiskCounters> parseDiskstats(
    QByteArrayView text, const QSet<QString> &devices);

/// Percent of `current - previous` spent busy, rounded to 0.1; 0 when no time passed or the
/// counters went backwards (a CPU was taken offline and back).
[[nodiscard]] double busyPercent(const CpuTimes &previous, const CpuTimes &current);

/// How much a monotonic counter grew. A counter that went backwards from a value that fits in
/// 32 bits wrapped (some drivers keep 32-bit counters); from a larger value it was reset (the
/// interface was recreated), and the growth since then is unknown: 0.
[[nodiscard]] quint64 counterDelta(quint64 previous, quint64 current);

} // namespace Pushboard::Proc
