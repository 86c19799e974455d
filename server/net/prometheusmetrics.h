#pragma once

#include "connectioninfo.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

namespace Pushboard {

/// The figures `GET /metrics` publishes, gathered by ServerHost at scrape time.
struct ServerMetrics
{
    QMap<QString, qint64> openConnections; ///< By transport: sse, longpoll, ws.
    QMap<QString, qint64> connectionsByProtocol; ///< Every open connection: http/1.1, h2.
    qint64 http2OpenStreams = 0;
    quint64 http2Connections = 0; ///< HTTP/2 connections since start.
    quint64 http2Streams = 0; ///< Streams HTTP/2 clients opened since start.
    quint64 http2StreamResets = 0; ///< RST_STREAM frames sent.
    quint64 http2ConnectionErrors = 0; ///< GOAWAY frames sent with an error code.
    QMap<QString, TransportStats> transports; ///< By transport: sse, poll, longpoll, ws.
    quint64 eventsPublished = 0; ///< Appended to the log since start (sampled and published).
    quint64 connectionsRefused = 0; ///< Turned away at the connection limit.
    quint64 requestsRejected = 0; ///< Answered 4xx by the front door or the route table.
    quint64 idleConnectionsClosed = 0; ///< Kept-alive connections closed after sitting idle.
    quint64 tlsHandshakesFailed = 0; ///< TLS handshakes that failed (a client's refusal too).
    quint64 tlsHandshakesTimedOut = 0; ///< TLS handshakes cut for not finishing in time.
    qint64 retainedEvents = 0;
    quint64 newestId = 0;
    double uptimeSeconds = 0;
    /// The control state (ServerControls::state()): interval, paused, keepalive, latency,
    /// stallRemaining; published as gauges.
    QJsonObject control;
};

/// Renders ServerMetrics in the Prometheus text exposition format (version 0.0.4): every family
/// has `# HELP` and `# TYPE`, counters end in `_total`, labels are `transport="..."` (or
/// `protocol="..."` for connections by protocol).
namespace PrometheusMetrics {
[[nodiscard]] QByteArray render(const ServerMetrics &metrics);
inline constexpr char ContentType[] = "text/plain; version=0.0.4; charset=utf-8";
} // namespace PrometheusMetrics

} // namespace Pushboard
