#include "labheadofline.h"

#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace Pushboard::Lab {

QJsonObject HeadOfLineModel::toJson() const
{
    return {{QStringLiteral("simulation"), true}, {QStringLiteral("streams"), streams},
        {QStringLiteral("packetsPerStreamPerSecond"), packetsPerStreamPerSecond},
        {QStringLiteral("oneWayMs"), oneWayMs}, {QStringLiteral("rtoMs"), rtoMs},
        {QStringLiteral("loss"), loss}, {QStringLiteral("durationS"), durationS},
        {QStringLiteral("seed"), qint64(seed)},
        {QStringLiteral("model"),
            QStringLiteral("each transmission lost independently with probability `loss`; a "
                           "lost packet is sent again rtoMs later; TCP delivers in connection "
                           "order, QUIC in stream order")}};
}

HeadOfLineOutcome HeadOfLineOutcome::simulate(const HeadOfLineModel &model)
{
    HeadOfLineOutcome outcome;
    QRandomGenerator random(model.seed);
    const int streams = qMax(1, model.streams);
    const double intervalMs = 1000.0 / (double(streams) * qMax(1, model.packetsPerStreamPerSecond));
    const auto count = qint64(model.durationS * 1000.0 / intervalMs);
    outcome.packets.reserve(size_t(count));
    // The delivery so far of the connection (TCP) and of each stream (QUIC), with the packet
    // that set it: a later packet that waits, waits for that one.
    double tcpDelivered = 0;
    int tcpBlocker = -1;
    std::vector<double> streamDelivered(size_t(streams), 0);
    std::vector<int> streamBlocker(size_t(streams), -1);
    for (qint64 k = 0; k < count; ++k) {
        Packet p;
        p.stream = int(k % streams);
        p.sentMs = double(k) * intervalMs;
        double lastSent = p.sentMs;
        for (int attempt = 0; attempt < 20 && random.generateDouble() < model.loss; ++attempt) {
            p.lost = true;
            lastSent += model.rtoMs;
        }
        p.arrivedMs = lastSent + model.oneWayMs;
        if (p.arrivedMs >= tcpDelivered) {
            tcpDelivered = p.arrivedMs;
            tcpBlocker = p.stream;
        } else {
            p.heldByOther[0] = tcpBlocker != p.stream;
        }
        p.deliveredMs[0] = tcpDelivered;
        double &mine = streamDelivered[size_t(p.stream)];
        if (p.arrivedMs >= mine) {
            mine = p.arrivedMs;
            streamBlocker[size_t(p.stream)] = p.stream;
        } else {
            p.heldByOther[1] = streamBlocker[size_t(p.stream)] != p.stream;
        }
        p.deliveredMs[1] = mine;
        outcome.packets.push_back(p);
    }
    return outcome;
}

LabHeadOfLine::LabHeadOfLine(const Scenario &scenario, QObject *parent)
    : LabExperiment(scenario, parent)
{ }

bool LabHeadOfLine::begin()
{
    m_model.durationS = m_durationS;
    m_outcome = HeadOfLineOutcome::simulate(m_model);
    mark(QStringLiteral("simulation: %1 streams, %2% loss, %3 ms one way, resent after %4 ms")
             .arg(m_model.streams)
             .arg(m_model.loss * 100)
             .arg(m_model.oneWayMs)
             .arg(m_model.rtoMs));
    // Computed at once; finished on the next turn of the event loop, as any run finishes.
    QTimer::singleShot(0, this, [this] { finish(); });
    return true;
}

LabResult LabHeadOfLine::result() const
{
    LabResult result = baseResult();
    result.chartTitle = QStringLiteral("Head-of-line blocking — SIMULATION");
    result.xTitle = QStringLiteral("simulated time (s)");
    result.yTitle = QStringLiteral("delivery delay (ms)");
    const QString names[2] = {QStringLiteral("h2-tcp"), QStringLiteral("quic")};
    const QString labels[2] = {QStringLiteral("HTTP/2 over TCP (simulated)"),
        QStringLiteral("HTTP/3 over QUIC (simulated)")};
    for (int protocol = 0; protocol < 2; ++protocol) {
        LaneFigures f;
        f.name = names[protocol];
        f.label = labels[protocol];
        std::vector<double> delays;
        qint64 held = 0;
        qint64 lost = 0;
        LabSeries series;
        series.lane = f.name;
        for (const auto &p : m_outcome.packets) {
            const double delay = p.deliveredMs[protocol] - p.sentMs;
            delays.push_back(delay);
            held += p.heldByOther[protocol] ? 1 : 0;
            lost += p.lost ? 1 : 0;
            (p.heldByOther[protocol] ? series.marked : series.points)
                .append(QPointF(p.sentMs / 1000, delay));
        }
        f.expected = qint64(m_outcome.packets.size());
        f.events = f.expected;
        double sum = 0;
        for (const double d : delays)
            sum += d;
        const double mean = delays.empty() ? 0 : sum / double(delays.size());
        std::vector<double> sorted = delays;
        std::sort(sorted.begin(), sorted.end());
        const double p90 = sorted.empty() ? 0 : sorted[size_t(0.9 * double(sorted.size() - 1))];
        f.latencyMs = Percentiles::of(std::move(delays));
        f.extra = {{QStringLiteral("simulation"), true}, {QStringLiteral("lostPackets"), lost},
            {QStringLiteral("heldByOtherStreams"), held},
            {QStringLiteral("delayMs"),
                QJsonObject {{QStringLiteral("mean"), std::round(mean * 100) / 100},
                    {QStringLiteral("p90"), std::round(p90 * 100) / 100}}}};
        result.lanes.append(f);
        result.series.append(series);
    }
    result.details = m_model.toJson();
    return result;
}

} // namespace Pushboard::Lab
