#pragma once

#include "labexperiment.h"
#include "streamclient.h"
#include "wire/capturelog.h"
#include "wiretap.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <vector>

namespace Pushboard {
class ServerHost;
struct ServerConfig;
} // namespace Pushboard

namespace Pushboard::Lab {

/// One client of a lab run: a StreamClient of one transport that connects through its own
/// WireTap, whose CaptureLog counts every byte and request, and the tally of what it received.
/// The events it counts are the run's `lab.tick` events: `{"seq": N, "at": µs on the run's
/// clock, "pad": "..."}`, so latency, loss and duplicates are exact.
class LabLane : public QObject
{
    Q_OBJECT

public:
    /// One received event.
    struct Sample
    {
        double atS = 0; ///< When it arrived (run clock).
        double latencyMs = 0;
        qint64 seq = 0;
        qint64 behind = 0; ///< Events published after it by the time it arrived.
        bool replayed = false;
    };

    LabLane(const QString &name, const QString &label, StreamClient::Transport transport,
        QObject *parent = nullptr);
    ~LabLane() override;

    /// Relays to `server` (`http://127.0.0.1:PORT`) and starts the client through the relay.
    bool start(const QUrl &server, int pollIntervalMs, std::function<qint64()> clockUs,
        std::function<qint64()> published, QString *error);
    void stop();

    [[nodiscard]] QString name() const { return m_name; }
    [[nodiscard]] StreamClient::State state() const { return m_client.state(); }
    /// Connected and asking: open, or for long polling, its first request is waiting (it opens
    /// with the first answer, which waits for an event).
    [[nodiscard]] bool isReady() const;
    [[nodiscard]] WireTap &tap() { return *m_tap; }
    [[nodiscard]] const CaptureLog &log() const { return m_log; }
    [[nodiscard]] const std::vector<Sample> &samples() const { return m_samples; }
    /// Distinct events received.
    [[nodiscard]] qint64 distinct() const { return m_distinct; }
    /// The figures with `published` events expected; `final`: missing ones are lost, else
    /// only gaps below the newest received count.
    [[nodiscard]] LaneFigures figures(qint64 published, bool final) const;
    [[nodiscard]] LabSeries series() const;
    /// Latency of the events that arrived in [fromS, toS), and the most any was behind.
    [[nodiscard]] QJsonObject window(double fromS, double toS) const;

private:
    void onMessage(const SseMessage &message);

    QString m_name;
    QString m_label;
    StreamClient::Transport m_transport;
    CaptureLog m_log;
    std::unique_ptr<WireTap> m_tap;
    StreamClient m_client;
    std::function<qint64()> m_clockUs;
    std::function<qint64()> m_published;
    std::vector<quint8> m_seen; ///< Times each seq arrived (index seq - 1), capped at 255.
    std::vector<Sample> m_samples;
    qint64 m_distinct = 0;
    qint64 m_duplicated = 0;
    qint64 m_replayed = 0;
    qint64 m_payloadBytes = 0;
    qint64 m_reconnects = 0;
    qint64 m_openedUs = 0; ///< When the current connection opened.
};

/// The scenarios that run one stream over the four transports at once (idle, burst, buffering
/// proxy, server restart, slow consumer): its own server on 127.0.0.1 with a fresh event log,
/// one LabLane per transport, a publisher of `lab.tick` events, and the scenario's script (a
/// restart, a relay fault) at fixed times.
///
/// It measures from the moment every lane is open; after the duration it stops publishing and
/// waits (a few seconds at most) for every lane to have every event before the final count.
class LabStreamRun : public LabExperiment
{
    Q_OBJECT

public:
    explicit LabStreamRun(const Scenario &scenario, QObject *parent = nullptr);
    ~LabStreamRun() override;

    [[nodiscard]] LabResult result() const override;
    [[nodiscard]] const std::vector<std::unique_ptr<LabLane>> &lanes() const { return m_lanes; }

protected:
    bool begin() override;
    void end() override;

private:
    /// A part of the run with its own figures ("honoured", "ignored"; "before", "stalled").
    struct Phase
    {
        QString name;
        double fromS = 0;
        double toS = -1; ///< -1: until the end.
    };

    bool startServer(quint16 port);
    void stopServer(const QString &why);
    void whenAllOpen();
    void measure();
    void publish(int count);
    void drain();
    void at(double seconds, std::function<void()> action);
    void beginPhase(const QString &name);
    void checkSlowConsumer();
    void resumeSlowConsumer(const QString &why);

    QTemporaryDir m_dataDir;
    std::unique_ptr<ServerConfig> m_config;
    std::unique_ptr<ServerHost> m_host;
    std::vector<std::unique_ptr<LabLane>> m_lanes;
    QTimer m_publisher;
    QTimer m_ticker;
    QTimer m_setup;
    QList<QTimer *> m_script;
    int m_perTick = 1;
    int m_publishEveryMs = 0; ///< 0: no steady publishing.
    int m_publishJitterMs = 0; ///< Each interval is m_publishEveryMs + random(0..jitter).
    QRandomGenerator m_random {1706};
    int m_padBytes = 0;
    qint64 m_published = 0;
    bool m_measuring = false;
    bool m_draining = false;
    double m_drainStartS = 0;
    QList<Phase> m_phases;
    quint64 m_slowCutsAtStart = 0;
    bool m_slowCut = false;
    bool m_slowStalled = false;
    bool m_drainAfterCut = false; ///< The duration is over; drain once the slow one is back.
};

} // namespace Pushboard::Lab
