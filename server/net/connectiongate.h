#pragma once

#include "httpconnection.h"

#include <QByteArray>
#include <QList>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace Pushboard {

class Http2Session;

/// The front door: owns the listening socket and every HTTP connection (HttpConnection) until it
/// is answered, handed to a stream or upgraded to a WebSocket, and every HTTP/2 connection
/// (Http2Session: chosen by ALPN over TLS, or by its preface on clear text) for its whole life.
///
/// It refuses a connection over `maxConnections` with 503, and a request head not complete
/// `headTimeoutMs` after it started (or after accept) with 408; it closes a kept-alive
/// connection that sends no next request within `idleTimeoutMs` of its last answer (nginx's
/// keepalive_timeout). Each HttpConnection refuses malformed or oversized requests and foreign
/// Host names (421) itself (HttpRequestParser lists the other statuses). Complete
/// requests go to the request handler (the route table); WebSocket handshakes to `/ws` are
/// emitted as webSocketUpgrade(); upgrades to any other path are answered 404.
class ConnectionGate : public QTcpServer
{
    Q_OBJECT

public:
    struct Limits
    {
        int maxConnections = 10000;
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 64 * 1024;
        int headTimeoutMs = 10 * 1000;
        int idleTimeoutMs = 75 * 1000;
        int maxConcurrentStreams = 100; ///< Per HTTP/2 connection.
    };

    explicit ConnectionGate(QObject *parent = nullptr);
    ~ConnectionGate() override;

    /// For connections accepted from now on.
    void setLimits(const Limits &limits);
    /// Every connection accepted from now on speaks TLS with this configuration (a null one:
    /// plain TCP). The handshake counts as part of the first request head: a client that does
    /// not finish it within `headTimeoutMs` is cut like a slow head.
    void setTls(const QSslConfiguration &configuration) { m_tls = configuration; }
    /// Which Host names requests may give (default: loopback names and addresses, and the
    /// address each connection arrived at).
    void setHostCheck(const HostCheck &check) { m_settings.hostCheck = check; }
    /// Where every connection's bytes are reported for the inspector (ServerHost's).
    void setWireCapture(WireCapture *capture) { m_settings.capture = capture; }
    [[nodiscard]] WireCapture *wireCapture() const { return m_settings.capture; }
    [[nodiscard]] const Limits &limits() const { return m_limits; }
    /// Who answers complete requests (HttpApi::handle()).
    void setRequestHandler(HttpConnection::RequestHandler handler)
    {
        m_onRequest = std::move(handler);
    }

    /// Flushes what every connection has queued, as far as the kernel takes it now, and closes
    /// them all (shutdown).
    void closeAll();

    /// Counts connections taken over from the gate (SSE streams, WebSockets) towards the limit.
    void setDetachedConnectionCount(std::function<int()> count) { m_detached = std::move(count); }

    /// Answers `status` with `{"error": reason}` on a socket the gate no longer serves (a refused
    /// WebSocket handshake) and closes it.
    void refuse(QTcpSocket *socket, int status, const QString &reason,
        const QList<std::pair<QByteArray, QByteArray>> &extraHeaders = {});

    /// Open connections, whoever serves them now.
    [[nodiscard]] int connectionCount() const
    {
        return int(m_connections.size() + m_sessions.size()) + (m_detached ? m_detached() : 0);
    }
    /// Connections refused with 503 since start.
    [[nodiscard]] quint64 refusedConnections() const { return m_refused; }
    /// Requests answered with an error by the gate (400, 408, 413, 417, 421, 431, 501, 505)
    /// since start.
    [[nodiscard]] quint64 rejectedRequests() const { return m_rejected; }
    /// TLS connections cut for not finishing the handshake within `headTimeoutMs` since start.
    [[nodiscard]] quint64 tlsHandshakesTimedOut() const { return m_tlsHandshakesTimedOut; }
    /// TLS connections closed before their handshake finished, since start (a client that
    /// refused the certificate, a plain-HTTP client), not counting the timed-out ones.
    [[nodiscard]] quint64 tlsHandshakesFailed() const { return m_tlsHandshakesFailed; }
    /// Kept-alive connections closed for sitting idle past `idleTimeoutMs` since start.
    [[nodiscard]] quint64 idleClosedConnections() const { return m_idleClosed; }

    /// HTTP/2 connections open now, and their open streams.
    [[nodiscard]] int http2Connections() const { return int(m_sessions.size()); }
    [[nodiscard]] int http2OpenStreams() const;
    /// HTTP/2 counters since start: connections, streams the clients opened, RST_STREAM frames
    /// sent (a refused, cancelled or broken stream), GOAWAY frames sent with an error code (a
    /// protocol error, a flood; not the NO_ERROR of idle or shutdown).
    struct Http2Counters
    {
        quint64 connections = 0;
        quint64 streams = 0;
        quint64 streamResets = 0;
        quint64 connectionErrors = 0;
    };
    [[nodiscard]] const Http2Counters &http2Counters() const { return m_http2; }

Q_SIGNALS:
    /// A WebSocket opening handshake for `/ws` arrived on `socket`, which the receiver now owns:
    /// it completes the handshake or refuse()s it. `buffered` holds bytes that followed it.
    void webSocketUpgrade(
        QTcpSocket *socket, const Pushboard::HttpRequest &request, const QByteArray &buffered);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void sweepDeadlines();
    void startHttp2(QTcpSocket *socket, const QByteArray &received);

    Limits m_limits;
    HttpConnection::Settings m_settings; ///< Shared by every connection (they are children).
    HttpConnection::RequestHandler m_onRequest;
    QList<HttpConnection *> m_connections;
    QList<Http2Session *> m_sessions;
    Http2Counters m_http2;
    QTimer m_sweep;
    std::function<int()> m_detached;
    quint64 m_refused = 0;
    quint64 m_rejected = 0;
    quint64 m_idleClosed = 0;
    quint64 m_tlsHandshakesTimedOut = 0;
    quint64 m_tlsHandshakesFailed = 0;
    QSslConfiguration m_tls;
};

} // namespace Pushboard
