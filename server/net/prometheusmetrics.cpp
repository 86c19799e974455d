#include "prometheusmetrics.h"

namespace Pushboard::PrometheusMetrics {

namespace {

class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const char *name, double value, const QString &transport = {},
        const char *label = "transport")
    {
        m_out += name;
        if (!transport.isEmpty())
            m_out += '{' + QByteArray(label) + "=\"" + transport.toUtf8() + "\"}";
        m_out += ' ' + QByteArray::number(value, 'g', 15) + '\n';
    }
    template<typename Get>
    void perTransport(const char *name, const char *type, const char *help,
        const QMap<QString, TransportStats> &transports, Get get)
    {
        family(name, type, help);
        for (auto it = transports.cbegin(); it != transports.cend(); ++it)
            sample(name, double(get(*it)), it.key());
    }
    QByteArray m_out;
};

} // namespace

QByteArray render(const ServerMetrics &metrics)
{
    Writer w;
    w.family("pushboard_connections", "gauge", "Open streaming connections by transport.");
    for (auto it = metrics.openConnections.cbegin(); it != metrics.openConnections.cend(); ++it)
        w.sample("pushboard_connections", double(it.value()), it.key());
    w.family("pushboard_events_published_total", "counter",
        "Events appended to the log, sampled or published.");
    w.sample("pushboard_events_published_total", double(metrics.eventsPublished));
    w.perTransport("pushboard_events_delivered_total", "counter", "Events written to clients.",
        metrics.transports, [](const TransportStats &s) { return s.eventsDelivered; });
    w.perTransport("pushboard_bytes_sent_total", "counter", "Bytes written to clients.",
        metrics.transports, [](const TransportStats &s) { return s.bytesSent; });
    w.perTransport("pushboard_slow_client_disconnects_total", "counter",
        "Clients disconnected because their queue passed the limit.", metrics.transports,
        [](const TransportStats &s) { return s.slowDisconnects; });
    w.perTransport("pushboard_replays_total", "counter", "Resumes answered from the log.",
        metrics.transports, [](const TransportStats &s) { return s.replays; });
    w.family("pushboard_connections_refused_total", "counter",
        "Connections refused at the connection limit.");
    w.sample("pushboard_connections_refused_total", double(metrics.connectionsRefused));
    w.family("pushboard_requests_rejected_total", "counter",
        "Requests answered with a 4xx error by the server itself.");
    w.sample("pushboard_requests_rejected_total", double(metrics.requestsRejected));
    w.family("pushboard_idle_connections_closed_total", "counter",
        "Kept-alive connections closed for sending no request within the idle timeout.");
    w.sample("pushboard_idle_connections_closed_total", double(metrics.idleConnectionsClosed));
    w.family("pushboard_tls_handshakes_failed_total", "counter",
        "TLS handshakes that failed (a plain-HTTP client, a client refusing the certificate).");
    w.sample("pushboard_tls_handshakes_failed_total", double(metrics.tlsHandshakesFailed));
    w.family("pushboard_tls_handshakes_timed_out_total", "counter",
        "TLS handshakes not finished within the request-head time-out.");
    w.sample("pushboard_tls_handshakes_timed_out_total", double(metrics.tlsHandshakesTimedOut));
    w.family("pushboard_connections_by_protocol", "gauge",
        "Open connections by protocol (http/1.1, h2), whatever they carry.");
    for (auto it = metrics.connectionsByProtocol.cbegin();
         it != metrics.connectionsByProtocol.cend(); ++it)
        w.sample("pushboard_connections_by_protocol", double(it.value()), it.key(), "protocol");
    w.family("pushboard_http2_streams", "gauge", "Open HTTP/2 streams.");
    w.sample("pushboard_http2_streams", double(metrics.http2OpenStreams));
    w.family("pushboard_http2_connections_total", "counter", "HTTP/2 connections accepted.");
    w.sample("pushboard_http2_connections_total", double(metrics.http2Connections));
    w.family("pushboard_http2_streams_total", "counter", "HTTP/2 streams opened by clients.");
    w.sample("pushboard_http2_streams_total", double(metrics.http2Streams));
    w.family("pushboard_http2_stream_resets_total", "counter",
        "RST_STREAM frames sent (a refused, cancelled or broken stream, a slow reader).");
    w.sample("pushboard_http2_stream_resets_total", double(metrics.http2StreamResets));
    w.family("pushboard_http2_connection_errors_total", "counter",
        "GOAWAY frames sent with an error code (a protocol error, a flood).");
    w.sample("pushboard_http2_connection_errors_total", double(metrics.http2ConnectionErrors));
    w.family("pushboard_log_events", "gauge", "Events retained in the log.");
    w.sample("pushboard_log_events", double(metrics.retainedEvents));
    w.family("pushboard_log_newest_id", "gauge", "Newest event id.");
    w.sample("pushboard_log_newest_id", double(metrics.newestId));
    w.family("pushboard_uptime_seconds", "gauge", "Seconds since the server started.");
    w.sample("pushboard_uptime_seconds", metrics.uptimeSeconds);
    if (!metrics.control.isEmpty()) {
        const auto gauge = [&](const char *name, const char *help, const char *key) {
            w.family(name, "gauge", help);
            w.sample(name, metrics.control.value(QLatin1String(key)).toDouble());
        };
        gauge("pushboard_sampling_interval_ms", "Metric sampling interval (control setInterval).",
            "interval");
        w.family("pushboard_sources_paused", "gauge",
            "1 while sampling is paused (control pauseSources).");
        w.sample("pushboard_sources_paused",
            metrics.control.value(QStringLiteral("paused")).toBool() ? 1 : 0);
        gauge("pushboard_keepalive_seconds", "Keepalive and ping interval (control setKeepalive).",
            "keepalive");
        gauge("pushboard_injected_latency_ms",
            "Latency added to every delivery (control setLatency).", "latency");
        gauge("pushboard_stall_remaining_ms", "Time left in an injected stall (control stall).",
            "stallRemaining");
    }
    return w.m_out;
}

} // namespace Pushboard::PrometheusMetrics
