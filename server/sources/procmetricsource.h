#pragma once

#include "metricsource.h"
#include "procparsers.h"

#include <QElapsedTimer>
#include <QString>

#include <functional>
#include <optional>

namespace Pushboard {

/// This machine's CPU, memory, load, network and disk, read from /proc and /sys.
///
/// Publishes `system.cpu`, `system.memory`, `system.load`, `system.net` and `system.disk` with the
/// payloads of docs/protocol.md. CPU, network and disk are rates since the previous sample, so they
/// appear from the second sample on; an interface appears in `system.net` from its second sample
/// too. The loopback interface is left out (it would mostly show Pushboard's own traffic).
class ProcMetricSource final : public MetricSource
{
public:
    using MonotonicClock = std::function<qint64()>; ///< Milliseconds, any origin.

    /// `root` prefixes every path read ("/" on a real machine, a fixture tree in tests).
    explicit ProcMetricSource(QString root = QStringLiteral("/"), MonotonicClock clock = {});

    QList<EventDraft> sample() override;

private:
    std::optional<EventDraft> sampleCpu(qint64 elapsedMs);
    std::optional<EventDraft> sampleMemory();
    std::optional<EventDraft> sampleLoad();
    std::optional<EventDraft> sampleNet(qint64 elapsedMs);
    std::optional<EventDraft> sampleDisk(qint64 elapsedMs);
    [[nodiscard]] QByteArray read(const QString &path) const;
    [[nodiscard]] QSet<QString> diskDevices() const;

    QString m_root;
    MonotonicClock m_clock;
    QElapsedTimer m_elapsed;
    qint64 m_previousMs = -1;
    std::optional<Proc::CpuStat> m_cpu;
    QMap<QString, Proc::NetCounters> m_net;
    std::optional<Proc::DiskCounters> m_disk;
};

} // namespace Pushboard
