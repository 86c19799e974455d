#pragma once

#include "recenteventsmodel.h"
#include "streamclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QQmlEngine>
#include <QTimer>
#include <QVariantMap>

#include <deque>

namespace Pushboard {

/// What the dashboard watches: one Pushboard server, read through StreamClient over the chosen
/// transport exactly as any remote client would (the embedded server included).
///
/// It keeps the built-in metrics as time series for the chart window (filled from the events the
/// server retains when it connects), the current figures for the tiles, and every other topic's
/// recent events (recentEvents). Switching the transport reconnects from the last event id: the
/// series continue without a gap or a duplicate.
///
/// Series keys: `cpu.total`, `cpu.<n>`, `mem.used`, `mem.available`, `mem.swapUsed`, `load.1m`,
/// `load.5m`, `load.15m`, `net.<interface>.rx`, `net.<interface>.tx`, `disk.read`, `disk.write`,
/// and for any other topic `topic.<topic>` (a number) or `topic.<topic>.<field>` (numeric fields);
/// x is ms since the epoch, y the value (percent, bytes, load, bytes per second).
///
/// Bounded whatever the server sends: at most MaxTopicSeries published-number series (when a new
/// field would pass that, the series idle longest goes: seriesRemoved(), removedSeries counts
/// it), and at most MaxCores / MaxInterfaces CPU and network series.
class DashboardSource : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /// The server's base URL, e.g. `http://127.0.0.1:8765`.
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    /// `sse`, `ws`, `poll` or `longpoll`.
    Q_PROPERTY(QString transport READ transport WRITE setTransport NOTIFY transportChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    /// For https:// servers: a PEM file of authorities to trust too (`--ca`), and the SHA-256
    /// fingerprint of the one certificate to trust (`--pin`). A malformed value trusts nothing
    /// more.
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY trustChanged)
    Q_PROPERTY(QString pin READ pin WRITE setPin NOTIFY trustChanged)
    /// The chart window in minutes (1, 5 or 15).
    Q_PROPERTY(
        int windowMinutes READ windowMinutes WRITE setWindowMinutes NOTIFY windowMinutesChanged)
    /// `connecting`, `open`, `reconnecting`, `error`, `closed` or `idle`.
    Q_PROPERTY(QString state READ state NOTIFY stateChanged)
    /// Why the stream is reconnecting, closed or failed.
    Q_PROPERTY(QString reason READ reason NOTIFY stateChanged)
    /// The HTTP version the open stream runs on: `h2` or `http/1.1`; empty while not open.
    Q_PROPERTY(QString protocol READ protocol NOTIFY stateChanged)
    /// Milliseconds until the next reconnect attempt while reconnecting (counts down).
    Q_PROPERTY(int reconnectInMs READ reconnectInMs NOTIFY countdownChanged)
    Q_PROPERTY(QString lastEventId READ lastEventId NOTIFY statsChanged)
    /// Events per second over the last five seconds.
    Q_PROPERTY(double eventRate READ eventRate NOTIFY statsChanged)
    /// Current figures for the tiles: cpu, memUsed, memTotal, swapUsed, load1, load5, load15,
    /// rx, tx (bytes/s over all interfaces), diskRead, diskWrite (bytes/s). Updated at most once
    /// a second.
    Q_PROPERTY(QVariantMap current READ current NOTIFY currentChanged)
    /// Start and end of the chart window (ms since the epoch), for the time axes.
    Q_PROPERTY(double windowStart READ windowStart NOTIFY windowMoved)
    Q_PROPERTY(double windowEnd READ windowEnd NOTIFY windowMoved)
    /// Published-number series removed to stay within MaxTopicSeries since the source was set.
    Q_PROPERTY(int removedSeries READ removedSeries NOTIFY seriesRemoved)
    /// The stream's gaps and resets (the server no longer had events the client asked for, or
    /// its ids restarted), newest last, at most MaxMarkers: [{time (ms since the epoch, when it
    /// arrived), kind ("gap" or "reset"), text}]. The charts draw them as vertical lines.
    Q_PROPERTY(QVariantList markers READ markers NOTIFY markersChanged)
    /// Every other topic's recent events.
    Q_PROPERTY(Pushboard::RecentEventsModel *recentEvents READ recentEvents CONSTANT)

public:
    static constexpr int MaxTopicSeries = 12;
    static constexpr int MaxCores = 256;
    static constexpr int MaxInterfaces = 64;
    static constexpr int MaxMarkers = 50;
    Q_PROPERTY(int maxTopicSeries READ maxTopicSeries CONSTANT)

    explicit DashboardSource(QObject *parent = nullptr);
    ~DashboardSource() override;

    [[nodiscard]] QString url() const { return m_url; }
    void setUrl(const QString &url);
    [[nodiscard]] QString transport() const { return m_transport; }
    void setTransport(const QString &transport);
    [[nodiscard]] QString token() const { return m_token; }
    void setToken(const QString &token);
    [[nodiscard]] QString caFile() const { return m_caFile; }
    void setCaFile(const QString &caFile);
    [[nodiscard]] QString pin() const { return m_pin; }
    void setPin(const QString &pin);
    [[nodiscard]] int windowMinutes() const { return m_windowMinutes; }
    void setWindowMinutes(int minutes);
    [[nodiscard]] QString state() const { return m_state; }
    [[nodiscard]] QString reason() const { return m_reason; }
    [[nodiscard]] QString protocol() const { return m_protocol; }
    [[nodiscard]] int reconnectInMs() const;
    [[nodiscard]] QString lastEventId() const { return m_client.lastEventId(); }
    [[nodiscard]] double eventRate() const;
    [[nodiscard]] QVariantMap current() const { return m_current; }
    [[nodiscard]] double windowStart() const
    {
        return m_windowEnd - double(m_windowMinutes) * 60000.0;
    }
    [[nodiscard]] double windowEnd() const { return m_windowEnd; }
    [[nodiscard]] RecentEventsModel *recentEvents() const { return m_recent; }
    [[nodiscard]] int removedSeries() const { return m_removedSeries; }
    [[nodiscard]] QVariantList markers() const { return m_markers; }
    [[nodiscard]] static int maxTopicSeries() { return MaxTopicSeries; }

    /// Points of one series inside the window, oldest first.
    [[nodiscard]] QList<QPointF> points(const QString &key) const;
    /// Keys of the series that start with `prefix` (e.g. "cpu." or "net."), sorted.
    Q_INVOKABLE QStringList seriesKeys(const QString &prefix) const;
    /// The legend name of a published-number series: the topic for a number, `field · topic` for
    /// a numeric field (the field first, so that a narrow legend's elision keeps what tells two
    /// fields of one topic apart); empty for other keys.
    Q_INVOKABLE QString seriesLabel(const QString &key) const { return m_labels.value(key); }
    /// The largest value of the series in the window (0 when empty), for y axes that scale.
    Q_INVOKABLE double maxValue(const QStringList &keys) const;

    /// (Re)connects; called by setting url or transport too.
    Q_INVOKABLE void reconnect();

Q_SIGNALS:
    void urlChanged();
    void transportChanged();
    void tokenChanged();
    void trustChanged();
    void windowMinutesChanged();
    void stateChanged();
    void countdownChanged();
    void statsChanged();
    void currentChanged();
    void windowMoved();
    /// Points were added to some series since the last signal (emitted at most once a second).
    void seriesChanged();
    void markersChanged();
    void seriesAdded(const QString &key);
    /// The series is gone (a published number idle longest, or every series of a former url).
    void seriesRemoved(const QString &key);

private:
    void onMessage(const SseMessage &message);
    void add(const QString &key, qint64 time, double value);
    void removeIdlestTopicSeries(const QString &except);
    void clearSeries();
    void tick();

    QString m_url;
    bool m_newSource = true; ///< The next connection starts from the server's whole log.
    QString m_transport = QStringLiteral("sse");
    QString m_token;
    QString m_caFile;
    QString m_pin;
    int m_windowMinutes = 5;
    StreamClient m_client;
    QString m_state = QStringLiteral("idle");
    QString m_reason;
    QString m_protocol;
    qint64 m_reconnectAt = 0; ///< QDeadlineTimer ms when the reconnect happens.
    QHash<QString, std::deque<QPointF>> m_series;
    QHash<QString, QString> m_labels; ///< Legend names of `topic.` series (a topic may hold dots).
    QVariantMap m_current;
    int m_removedSeries = 0;
    QVariantList m_markers;
    bool m_dirty = false;
    double m_windowEnd = 0;
    std::deque<qint64> m_arrivals; ///< Monotonic ms of recent events, for the rate.
    QTimer m_tick;
    QTimer m_countdown;
    RecentEventsModel *m_recent;
};

} // namespace Pushboard
