#pragma once

#include "wire/wireobserver.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <map>
#include <memory>

class QTcpServer;
class QTcpSocket;
class QTimer;

namespace Pushboard {

class CaptureLog;

/// A TCP relay that records what it forwards: clients connect to it, it connects to the
/// upstream server, and every byte goes on unchanged both ways while `log` receives it (with
/// the time the relay read it). So any HTTP, SSE or WebSocket client and server can be
/// inspected without changing either.
///
/// Faults, for every connection or one: added latency and a bandwidth limit (each direction),
/// a stall (the server's bytes held back, as a buffering proxy holds a response, until the
/// stall ends), a black hole (new clients are accepted and never answered), and the one-shot
/// actions dropNow() and cutMidFrame(). Each fault is put on the capture's timeline.
///
/// Memory is bounded by flow control: at most MaxHeldBytes wait in the relay per direction
/// (delayed, stalled or not yet written); past that it stops reading from the sender, whose
/// TCP window then fills, as with any proxy.
class WireTap : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 MaxHeldBytes = 4 * 1024 * 1024;
    /// What a buffering relay gathers before it passes a streamed response on (nginx's
    /// proxy_buffer_size is 4 or 8 KiB).
    static constexpr qint64 BufferBytes = 8 * 1024;

    /// A buffering proxy (nginx's `proxy_buffering on`): a streamed response (an SSE stream)
    /// is held until BufferBytes have gathered, unless its head says `X-Accel-Buffering: no`
    /// and the proxy honours that. Other answers pass at once (they are complete; a proxy sends
    /// a complete answer), and so do WebSocket frames (a proxy tunnels an upgraded connection).
    enum class Buffering {
        Off,
        HonourHeader, ///< Buffers streams, except those that ask not to be.
        IgnoreHeader, ///< Buffers every stream.
    };

    struct Faults
    {
        int latencyMs = 0; ///< Added to every byte, each direction.
        qint64 bytesPerSecond = 0; ///< Per direction and connection; 0: unlimited.
        bool stall = false; ///< Hold the server's bytes until the stall ends.
        bool blackHole = false; ///< New connections: accepted, never forwarded or answered.
        Buffering buffering = Buffering::Off;

        friend bool operator==(const Faults &a, const Faults &b)
        {
            return a.latencyMs == b.latencyMs && a.bytesPerSecond == b.bytesPerSecond
                && a.stall == b.stall && a.blackHole == b.blackHole && a.buffering == b.buffering;
        }
        /// "latency 200 ms, 10000 B/s, stall", "none".
        [[nodiscard]] QString describe() const;
    };

    explicit WireTap(CaptureLog *log, QObject *parent = nullptr);
    ~WireTap() override;

    /// Checks `upstream` (http:// or ws://, a host and a port) and listens on address:port (0: any
    /// free port). False with errorString() when either fails.
    bool listen(const QHostAddress &address, quint16 port, const QUrl &upstream);
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl upstream() const { return m_upstream; }
    /// The URL a client uses to go through the relay: the upstream URL with the relay's host
    /// and port.
    [[nodiscard]] QUrl relayUrl() const;

    /// Faults for every connection (those without their own).
    void setFaults(const Faults &faults);
    [[nodiscard]] Faults faults() const { return m_faults; }
    /// Faults for one connection only, instead of the common ones.
    void setConnectionFaults(quint64 connection, const Faults &faults);
    /// Closes the connection (0: all of them) at once, both sides, whatever is in flight.
    void dropNow(quint64 connection = 0);
    /// The next bytes the server sends on the connection (0: each one) are forwarded only half,
    /// then both sides are closed: the client sees a frame or event cut in the middle.
    void cutMidFrame(quint64 connection = 0);
    [[nodiscard]] QList<quint64> openConnections() const;
    /// At most this many bytes wait in the relay per direction and connection (default
    /// MaxHeldBytes) before it stops reading the sender. A small value makes a stalled
    /// connection push back on the server soon, as a client that stops reading does.
    void setMaxHeldBytes(qint64 bytes) { m_maxHeld = qMax<qint64>(1024, bytes); }

private:
    struct Pipe;
    struct Link;

    void accept();
    void read(Link &link, int direction);
    void pump(Link &link, int direction);
    enum class Close {
        Graceful, ///< What was written still leaves, then a FIN.
        Abort, ///< At once (a reset when bytes are unsent).
    };
    void close(quint64 id, const QString &reason, Close how);
    const Faults &faultsOf(const Link &link) const;
    void mark(quint64 connection, const QString &text);
    static void readHead(Link &link, const QByteArray &bytes);
    [[nodiscard]] static bool buffers(const Link &link, const Faults &faults);

    CaptureLog *m_log;
    QTcpServer *m_server;
    QUrl m_upstream;
    Faults m_faults;
    std::map<quint64, std::unique_ptr<Link>> m_links;
    quint64 m_nextId = 1;
    qint64 m_maxHeld = MaxHeldBytes;
    QString m_error;
};

} // namespace Pushboard
