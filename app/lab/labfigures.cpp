#include "labfigures.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace Pushboard::Lab {

namespace {

double rounded(double value, int decimals = 2)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n'))
        bytes = '"' + bytes.replace("\"", "\"\"") + '"';
    return bytes;
}

} // namespace

Percentiles Percentiles::of(std::vector<double> values)
{
    Percentiles p;
    if (values.empty())
        return p;
    std::sort(values.begin(), values.end());
    const auto rank = [&](double q) {
        const auto n = qint64(values.size());
        const qint64 index = qBound<qint64>(0, qint64(std::ceil(q * double(n))) - 1, n - 1);
        return values[size_t(index)];
    };
    p.p50 = rank(0.50);
    p.p99 = rank(0.99);
    p.max = values.back();
    p.samples = qint64(values.size());
    return p;
}

QJsonObject Percentiles::toJson() const
{
    if (samples == 0)
        return {{QStringLiteral("samples"), 0}};
    return {{QStringLiteral("p50"), rounded(p50)}, {QStringLiteral("p99"), rounded(p99)},
        {QStringLiteral("max"), rounded(max)}, {QStringLiteral("samples"), samples}};
}

QJsonObject LaneFigures::toJson() const
{
    QJsonObject bytes {{QStringLiteral("toServer"), bytesToServer},
        {QStringLiteral("toClient"), bytesToClient}, {QStringLiteral("wire"), wireBytes()},
        {QStringLiteral("payload"), payloadBytes}, {QStringLiteral("overhead"), overheadBytes()}};
    if (events > 0) {
        const double n = double(events);
        bytes.insert(QStringLiteral("perEvent"),
            QJsonObject {{QStringLiteral("wire"), rounded(double(wireBytes()) / n, 1)},
                {QStringLiteral("payload"), rounded(double(payloadBytes) / n, 1)},
                {QStringLiteral("overhead"), rounded(double(overheadBytes()) / n, 1)}});
    }
    QJsonObject json {{QStringLiteral("label"), label}, {QStringLiteral("expected"), expected},
        {QStringLiteral("events"), events}, {QStringLiteral("lost"), lost},
        {QStringLiteral("duplicated"), duplicated}, {QStringLiteral("replayed"), replayed},
        {QStringLiteral("latencyMs"), latencyMs.toJson()}, {QStringLiteral("requests"), requests},
        {QStringLiteral("connections"),
            QJsonObject {{QStringLiteral("opened"), connectionsOpened},
                {QStringLiteral("open"), connectionsOpen}}},
        {QStringLiteral("reconnects"), reconnects}, {QStringLiteral("bytes"), bytes}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

QString LaneFigures::note() const
{
    const QJsonObject &x = extra;
    if (x.contains(QStringLiteral("streamsOpen"))) {
        if (x.contains(QStringLiteral("error")))
            return x.value(QStringLiteral("error")).toString();
        return QStringLiteral("%1 of %2 streams open on %3 TCP connection(s)")
            .arg(x.value(QStringLiteral("streamsOpen")).toInt())
            .arg(x.value(QStringLiteral("streamsAsked")).toInt())
            .arg(x.value(QStringLiteral("tcpConnections")).toInt());
    }
    if (x.contains(QStringLiteral("attemptSpreadMs")))
        return QStringLiteral("%1 clients back; attempts spread over %2 ms; busiest 10 ms: %3")
            .arg(reconnects)
            .arg(x.value(QStringLiteral("attemptSpreadMs")).toDouble(), 0, 'f', 0)
            .arg(x.value(QStringLiteral("peakServedPer10Ms")).toInt());
    if (x.contains(QStringLiteral("heldByOtherStreams")))
        return QStringLiteral("%1 lost; %2 held back by another stream's loss; mean %3 ms, p90 %4 "
                              "ms (simulated)")
            .arg(x.value(QStringLiteral("lostPackets")).toInt())
            .arg(x.value(QStringLiteral("heldByOtherStreams")).toInt())
            .arg(x.value(QStringLiteral("delayMs"))
                     .toObject()
                     .value(QStringLiteral("mean"))
                     .toDouble())
            .arg(x.value(QStringLiteral("delayMs"))
                     .toObject()
                     .value(QStringLiteral("p90"))
                     .toDouble());
    return {};
}

const LaneFigures *LabResult::lane(const QString &name) const
{
    for (const LaneFigures &figures : lanes) {
        if (figures.name == name)
            return &figures;
    }
    return nullptr;
}

QPointF LabResult::extent() const
{
    double maxX = 1;
    double maxY = 1;
    for (const LabSeries &line : series) {
        for (const auto *points : {&line.points, &line.marked}) {
            for (const QPointF &p : *points) {
                maxX = qMax(maxX, p.x());
                maxY = qMax(maxY, p.y());
            }
        }
    }
    if (isTimeAxis()) {
        for (const LabMark &mark : marks)
            maxX = qMax(maxX, mark.atS);
        maxX = qMax(maxX, elapsedS);
    }
    return {maxX, maxY};
}

QJsonObject LabResult::toJson() const
{
    QJsonObject transports;
    QJsonArray order;
    for (const LaneFigures &figures : lanes) {
        transports.insert(figures.name, figures.toJson());
        order.append(figures.name);
    }
    QJsonArray timeline;
    for (const LabMark &mark : marks)
        timeline.append(QJsonObject {
            {QStringLiteral("atS"), rounded(mark.atS, 3)}, {QStringLiteral("text"), mark.text}});
    return {{QStringLiteral("scenario"), scenario}, {QStringLiteral("elapsedS"), rounded(elapsedS)},
        {QStringLiteral("finished"), finished}, {QStringLiteral("transports"), transports},
        {QStringLiteral("order"), order}, {QStringLiteral("marks"), timeline},
        {QStringLiteral("details"), details}};
}

QByteArray LabResult::toCsv() const
{
    QByteArray csv = "scenario,transport,events,expected,lost,duplicated,replayed,"
                     "latency_p50_ms,latency_p99_ms,latency_max_ms,requests,connections_opened,"
                     "reconnects,bytes_to_server,bytes_to_client,payload_bytes,overhead_bytes,"
                     "wire_bytes_per_event,overhead_bytes_per_event\r\n";
    for (const LaneFigures &f : lanes) {
        const auto number = [](double v) {
            return v < 0 ? QByteArray() : QByteArray::number(rounded(v), 'f', 2);
        };
        const auto perEvent = [&](qint64 bytes) {
            return f.events > 0 ? QByteArray::number(double(bytes) / double(f.events), 'f', 1)
                                : QByteArray();
        };
        const QList<QByteArray> fields {csvField(scenario), csvField(f.name),
            QByteArray::number(f.events), QByteArray::number(f.expected),
            QByteArray::number(f.lost), QByteArray::number(f.duplicated),
            QByteArray::number(f.replayed), number(f.latencyMs.p50), number(f.latencyMs.p99),
            number(f.latencyMs.max), QByteArray::number(f.requests),
            QByteArray::number(f.connectionsOpened), QByteArray::number(f.reconnects),
            QByteArray::number(f.bytesToServer), QByteArray::number(f.bytesToClient),
            QByteArray::number(f.payloadBytes), QByteArray::number(f.overheadBytes()),
            perEvent(f.wireBytes()), perEvent(f.overheadBytes())};
        csv += fields.join(',') + "\r\n";
    }
    return csv;
}

QString LabResult::toText() const
{
    QString text = QStringLiteral("%1 after %2 s\n").arg(scenario).arg(elapsedS, 0, 'f', 1);
    text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                .arg(QStringLiteral("transport"), -10)
                .arg(QStringLiteral("events"), 7)
                .arg(QStringLiteral("lost"), 5)
                .arg(QStringLiteral("dup"), 4)
                .arg(QStringLiteral("p50 ms"), 8)
                .arg(QStringLiteral("p99 ms"), 8)
                .arg(QStringLiteral("requests"), 8)
                .arg(QStringLiteral("B/event"), 8)
                .arg(QStringLiteral("overhead"), 8);
    for (const LaneFigures &f : lanes) {
        const auto ms
            = [](double v) { return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', 1); };
        const auto perEvent = [&](qint64 bytes) {
            return f.events > 0 ? QString::number(double(bytes) / double(f.events), 'f', 0)
                                : QStringLiteral("-");
        };
        text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                    .arg(f.name, -10)
                    .arg(f.events, 7)
                    .arg(f.lost, 5)
                    .arg(f.duplicated, 4)
                    .arg(ms(f.latencyMs.p50), 8)
                    .arg(ms(f.latencyMs.p99), 8)
                    .arg(f.requests, 8)
                    .arg(perEvent(f.wireBytes()), 8)
                    .arg(perEvent(f.overheadBytes()), 8);
        if (const QString note = f.note(); !note.isEmpty())
            text += QStringLiteral("           %1\n").arg(note);
    }
    for (const LabMark &mark : marks)
        text += QStringLiteral("  %1 s  %2\n").arg(mark.atS, 6, 'f', 2).arg(mark.text);
    return text;
}

} // namespace Pushboard::Lab
