#pragma once

#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QString>

#include <vector>

namespace Pushboard::Lab {

/// p50, p99 and max of a set of samples (nearest rank); all -1 when there are none.
struct Percentiles
{
    double p50 = -1;
    double p99 = -1;
    double max = -1;
    qint64 samples = 0;

    [[nodiscard]] static Percentiles of(std::vector<double> values);
    [[nodiscard]] QJsonObject toJson() const;
};

/// What one lane of a lab run measured: one client on one transport (or, in the storm and
/// simulation scenarios, one policy or one protocol).
struct LaneFigures
{
    QString name; ///< "poll", "longpoll", "sse", "ws"; "fixed", "jittered"; "h2-tcp", "quic".
    QString label; ///< What the Lab page shows: "Short polling (1 s)".
    qint64 expected = 0; ///< Events published that this lane should get.
    qint64 events = 0; ///< Distinct events received.
    qint64 lost = 0; ///< Expected and not received (by the end; during a run: gaps so far).
    qint64 duplicated = 0; ///< Received more than once.
    qint64 replayed = 0; ///< Received from the log after a reconnect.
    Percentiles latencyMs; ///< From publishing to the client's parser.
    qint64 requests = 0; ///< HTTP requests (a WebSocket handshake is one).
    qint64 connectionsOpened = 0;
    qint64 connectionsOpen = 0;
    qint64 reconnects = 0;
    qint64 bytesToServer = 0;
    qint64 bytesToClient = 0;
    qint64 payloadBytes = 0; ///< The events' `data` as published (JSON text).
    QJsonObject extra; ///< Scenario-specific figures.

    [[nodiscard]] qint64 wireBytes() const { return bytesToServer + bytesToClient; }
    [[nodiscard]] qint64 overheadBytes() const
    {
        return qMax<qint64>(0, wireBytes() - payloadBytes);
    }
    /// `{"events", "expected", "lost", ..., "bytes": {..., "perEvent": {...}}}`.
    [[nodiscard]] QJsonObject toJson() const;
    /// The scenario's own figure in words ("6 of 20 streams open on 6 TCP connection(s)");
    /// empty for the stream scenarios, whose figures are the columns.
    [[nodiscard]] QString note() const;
};

/// A line of the lab's chart: one lane's points, and those to mark (replayed events).
struct LabSeries
{
    QString lane;
    QList<QPointF> points;
    QList<QPointF> marked;
};

/// A moment on a run's timeline: "server stopped", "relay ignores X-Accel-Buffering".
struct LabMark
{
    double atS = 0;
    QString text;
};

/// Everything a lab run measured: per lane figures, the chart and its marks, and figures of the
/// scenario as a whole. What `pushboard lab --json` prints, the CSV export and the PNG chart.
struct LabResult
{
    QString scenario; ///< Its key.
    double elapsedS = 0;
    bool finished = false;
    QString chartTitle;
    QString xTitle = QStringLiteral("time (s)");
    QString yTitle = QStringLiteral("latency (ms)");
    bool lines = false; ///< Join each series' points (a distribution); else a dot per point.
    QList<LaneFigures> lanes;
    QList<LabSeries> series;
    QList<LabMark> marks;
    QJsonObject details; ///< Parameters and scenario-wide figures.

    [[nodiscard]] const LaneFigures *lane(const QString &name) const;
    /// The x axis is the run's own time (marks and elapsed time belong on it).
    [[nodiscard]] bool isTimeAxis() const { return xTitle.startsWith(u"time"); }
    /// The largest x and y the chart has to show (each at least 1): every point, and on a time
    /// axis the marks and the elapsed time.
    [[nodiscard]] QPointF extent() const;
    /// `{"scenario", "elapsedS", "finished", "transports": {NAME: LaneFigures}, "order": [...],
    /// "marks": [{"atS", "text"}], "details": {...}}`.
    [[nodiscard]] QJsonObject toJson() const;
    /// One header line, then one line per lane (RFC 4180: fields with commas are quoted).
    [[nodiscard]] QByteArray toCsv() const;
    /// A few lines for a terminal: one per lane with the figures that matter.
    [[nodiscard]] QString toText() const;
};

} // namespace Pushboard::Lab
