#pragma once

#include "auth.h"
#include "cors.h"
#include "serverconfig.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace Pushboard {

class ConnectionGate;
class ControlChannel;
class FaultState;
class ServerControls;
class EventLog;
class EventStore;
class RedisEventLog;
class HttpApi;
class InspectApi;
class WireCapture;
class MetricSource;
class PollService;
class SamplingScheduler;
class SsePublisher;

/// The server's composition root: opens the event log, listens, wires the routes and starts
/// sampling. Used by `pushboard serve` and by the dashboard's embedded server.
class ServerHost : public QObject
{
    Q_OBJECT

public:
    /// `sources` are sampled every `intervalMs` (the app passes ProcMetricSource; tests may pass
    /// none and append to store() themselves).
    explicit ServerHost(
        std::vector<std::unique_ptr<MetricSource>> sources, QObject *parent = nullptr);
    ~ServerHost() override;

    /// Everything or nothing: on failure nothing is left running and errorString() says why in
    /// one line a user can act on.
    [[nodiscard]] bool start(const ServerConfig &config);
    /// Closes every stream, stops sampling and closes the log. Safe to call twice.
    void stop();

    [[nodiscard]] QString errorString() const { return m_error; }
    /// The inspector's capture points (null until started).
    [[nodiscard]] WireCapture *wireCapture() const { return m_capture.get(); }

    /// Why the last start() failed.
    enum class Failure {
        None,
        PortInUse, ///< Something (most likely another Pushboard) listens on the port.
        DataDirInUse, ///< Another live Pushboard holds the event log.
        Other,
    };
    [[nodiscard]] Failure failure() const { return m_failure; }
    /// After PortInUse or DataDirInUse: where the Pushboard already running most likely
    /// listens (what it wrote into the data directory, else the configured address and port).
    [[nodiscard]] QString runningServerUrl() const;
    /// `http://ADDRESS:PORT` (`https://` with TLS) of this server once started (0.0.0.0 and ::
    /// read as loopback).
    [[nodiscard]] QString url() const;
    /// With TLS: the SHA-256 fingerprint of the certificate served (what clients `--pin`).
    [[nodiscard]] QString tlsFingerprint() const { return m_tlsFingerprint; }
    /// With `tlsSelfSigned`: whether start() made the certificate (else it was reused).
    [[nodiscard]] bool tlsCertificateCreated() const { return m_tlsCreated; }
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] const ServerConfig &config() const { return m_config; }

    /// The event log in use: the SQLite store, or Redis with a backplane (null until start()).
    [[nodiscard]] EventLog *log() const { return m_log; }
    /// The SQLite log (not open when a backplane is used).
    [[nodiscard]] EventStore *store() const { return m_store.get(); }
    [[nodiscard]] SamplingScheduler *scheduler() const { return m_scheduler.get(); }
    [[nodiscard]] SsePublisher *ssePublisher() const { return m_sse.get(); }
    [[nodiscard]] PollService *pollService() const { return m_poll.get(); }
    [[nodiscard]] ControlChannel *controlChannel() const { return m_channel.get(); }
    [[nodiscard]] FaultState *faults() const { return m_faults.get(); }
    [[nodiscard]] ConnectionGate *gate() const { return m_gate; }
    /// The control actions (what the WebSocket `control` messages run); null until start().
    [[nodiscard]] ServerControls *controls() const { return m_controls.get(); }

private:
    bool fail(const QString &message);
    /// Opens the SQLite log or, with a backplane, the Redis one, and hands it to every part.
    bool openLog(const ServerConfig &config);
    void addRoutes();
    [[nodiscard]] QByteArray metrics() const;
    [[nodiscard]] QByteArray connections() const;

    void writeUrlFile();

    ServerConfig m_config;
    QString m_tlsFingerprint;
    bool m_tlsCreated = false;
    QString m_error;
    Failure m_failure = Failure::None;
    QElapsedTimer m_uptime;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<RedisEventLog> m_redis; ///< With `--backplane`.
    EventLog *m_log = nullptr; ///< One of the two once started.
    std::unique_ptr<SamplingScheduler> m_scheduler;
    std::unique_ptr<FaultState> m_faults;
    std::unique_ptr<SsePublisher> m_sse;
    std::unique_ptr<PollService> m_poll;
    std::unique_ptr<ControlChannel> m_channel;
    std::unique_ptr<ServerControls> m_controls;
    Auth m_auth;
    Cors m_cors;
    quint64 m_eventsPublished = 0;
    std::unique_ptr<WireCapture> m_capture; ///< The inspector's capture points (off until watched).
    std::unique_ptr<InspectApi> m_inspect;
    std::unique_ptr<HttpApi> m_http;
    ConnectionGate *m_gate = nullptr; ///< Owned by m_http once bound.
};

} // namespace Pushboard
