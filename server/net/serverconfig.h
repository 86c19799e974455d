#pragma once

#include "connectiongate.h"
#include "eventstore.h"

#include <QString>
#include <QStringList>

namespace Pushboard {

/// Everything `pushboard serve` (and the dashboard's embedded server) can be told on the command
/// line, with the defaults docs/protocol.md gives.
struct ServerConfig
{
    QString bindAddress = QStringLiteral("127.0.0.1");
    quint16 port = 8765; ///< 0 picks a free port (tests); ServerHost::port() tells which.
    QString token; ///< Empty: no authentication (only allowed on loopback).
    QStringList allowedOrigins; ///< `--allow-origin`: browser origins besides the server's own.
    QStringList allowedHosts; ///< `--allow-host`: Host names besides loopback ones (HostCheck).
    StoreOptions store; ///< The event log's data directory and retention.
    /// `--backplane redis://HOST:PORT[/DB]`: share one event log in Redis with other servers
    /// instead of the SQLite log in the data directory.
    QString backplane;
    bool sampleMetrics = true; ///< `--no-metrics`: publish no machine metrics.
    int intervalMs = 1000; ///< Metric sampling interval.
    int keepaliveS = 15; ///< SSE `: keepalive` comments (and, later, WebSocket pings).
    int retryMs = 2000; ///< The `retry:` an SSE stream starts with.
    qint64 sseQueueLimit = 1024 * 1024; ///< Queued bytes past which a subscriber is dropped.
    ConnectionGate::Limits limits; ///< Connections, head and body sizes, head timeout.
    /// TLS: a PEM certificate (chain) and key, or `tlsSelfSigned` (made in the data directory).
    /// Neither: plain HTTP.
    QString tlsCertFile;
    QString tlsKeyFile;
    bool tlsSelfSigned = false;
    [[nodiscard]] bool tls() const { return tlsSelfSigned || !tlsCertFile.isEmpty(); }
};

} // namespace Pushboard
