#pragma once

#include <QByteArray>
#include <QHash>
#include <QTcpServer>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace Pushboard {

/// The front door: owns the listening socket and checks every HTTP request head before
/// QHttpServer sees it (ARCHITECTURE.md explains why QHttpServer 6.4 cannot be trusted with raw
/// input: no limits, no timeouts, no 400, headers silently dropped).
///
/// Per connection it frames the byte stream itself (head, then `Content-Length` body bytes, then
/// the next head) by peeking at what arrives before the HTTP server reads it, so every request on
/// a keep-alive connection is checked, not only the first. It answers, and closes:
/// - 400 for a malformed request line or header line, a bad `Content-Length`;
/// - 501 for an unknown method, 505 for an HTTP version other than 1.0/1.1;
/// - 408 when a head is not complete `headTimeoutMs` after it started (or after accept);
/// - 411 for `Transfer-Encoding` request bodies (their size is unknown until read);
/// - 413 for a `Content-Length` over `maxBodyBytes`, before any of the body is buffered;
/// - 431 for a head over `maxHeadBytes`;
/// - 503 when `maxConnections` are open.
/// It answers `Expect: 100-continue` for acceptable bodies. A valid first request hands the socket
/// to the HTTP server (addPendingConnection()), which reads the buffered bytes from there.
///
/// Limitation: when a refused request was pipelined behind good ones that the HTTP server has not
/// answered yet, the connection closes without those answers (the server cannot be made to stop
/// reading at a byte offset). Browsers do not pipeline.
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
    };

    /// What the gate read from a WebSocket upgrade request (`GET /ws` with `Upgrade: websocket`).
    struct Upgrade
    {
        QByteArray target; ///< Path and query as sent.
        QByteArray origin;
        QByteArray host;
        QByteArray authorization;
        QString queryToken; ///< The `token` query item; null when absent.
    };

    explicit ConnectionGate(QObject *parent = nullptr);
    ~ConnectionGate() override;

    void setLimits(const Limits &limits) { m_limits = limits; }
    [[nodiscard]] const Limits &limits() const { return m_limits; }

    /// Flushes what every connection has queued, as far as the kernel takes it now, and closes
    /// them all (shutdown).
    void closeAll();

    /// Counts connections taken over from their sockets (SSE streams, see StreamSocket) towards
    /// the limit too.
    void setDetachedConnectionCount(std::function<int()> count) { m_detached = std::move(count); }

    /// Answers `status` with `{"error": reason}` and closes (also for sockets given away by
    /// webSocketUpgrade()).
    void refuse(QTcpSocket *socket, int status, const QString &reason);

    /// Open connections, whoever serves them now.
    [[nodiscard]] int connectionCount() const
    {
        return int(m_connections.size()) + (m_detached ? m_detached() : 0);
    }
    /// Connections refused with 503 since start.
    [[nodiscard]] quint64 refusedConnections() const { return m_refused; }
    /// Requests answered with an error (400, 408, 411, 413, 431, 501, 505) since start.
    [[nodiscard]] quint64 rejectedRequests() const { return m_rejected; }

Q_SIGNALS:
    /// A valid-looking upgrade to `/ws` arrived as the first request of `socket`. The gate has let
    /// go of the socket (its bytes are still buffered, unread): the receiver completes the
    /// handshake or refuse()s it. Upgrades to any other path are answered 404 here.
    void webSocketUpgrade(QTcpSocket *socket, const Pushboard::ConnectionGate::Upgrade &upgrade);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    struct Connection
    {
        QByteArray head; ///< The current head's bytes so far.
        qint64 bodyRemaining = 0;
        qint64 framedUnread = 0; ///< Bytes at the front of the socket buffer already framed.
        qint64 headDeadline = 0; ///< Monotonic ms; 0 while no head is under way.
        bool handedOver = false;
    };

    void onReadyRead(QTcpSocket *socket);
    /// Follows `bytes` through heads and bodies; checks each head as it completes.
    void frame(QTcpSocket *socket, Connection &connection, QByteArrayView bytes);
    bool checkHead(QTcpSocket *socket, Connection &connection);
    bool takeUpgrade(QTcpSocket *socket, const Connection &connection, Upgrade upgrade);
    void handOver(QTcpSocket *socket, Connection &connection);
    void sweepDeadlines();

    Limits m_limits;
    QHash<QTcpSocket *, Connection> m_connections;
    QTimer m_sweep;
    std::function<int()> m_detached;
    quint64 m_refused = 0;
    quint64 m_rejected = 0;
};

} // namespace Pushboard
