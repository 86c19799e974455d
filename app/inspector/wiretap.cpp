#include "wiretap.h"

#include "wire/capturelog.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <deque>
#include <optional>

Q_LOGGING_CATEGORY(lcTap, "pushboard.inspector.tap")

namespace Pushboard {

namespace {

constexpr int ToServer = int(WireDirection::ToServer);
constexpr int ToClient = int(WireDirection::ToClient);

qint64 monotonicMs()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    return clock.elapsed();
}

} // namespace

/// One direction of a link: bytes read from `from`, waiting to be written to `to`.
struct WireTap::Pipe
{
    QTcpSocket *from = nullptr;
    QTcpSocket *to = nullptr;
    std::deque<std::pair<qint64, QByteArray>> queue; ///< (due time in ms, bytes), in order.
    qint64 held = 0;
    QTimer *timer = nullptr;
    double tokens = 0; ///< Bandwidth limit: bytes that may go now.
    qint64 refilledMs = 0;
    bool sourceDone = false; ///< The sender closed; close the other side once drained.
    bool pumping = false; ///< pump() is writing this pipe (guards against re-entry).
};

struct WireTap::Link
{
    quint64 id = 0;
    QTcpSocket *client = nullptr;
    QTcpSocket *server = nullptr; ///< None for a black-holed connection.
    Pipe pipes[2];
    std::optional<Faults> own;
    bool upstreamReady = false;
    bool cutPending = false;
    // The first response head, as a buffering proxy reads it.
    QByteArray head;
    bool headDone = false;
    bool streamed = false; ///< `Content-Type: text/event-stream`.
    bool unbuffered = false; ///< `X-Accel-Buffering: no`.
};

QString WireTap::Faults::describe() const
{
    QStringList parts;
    if (latencyMs > 0)
        parts.append(QStringLiteral("latency %1 ms").arg(latencyMs));
    if (bytesPerSecond > 0)
        parts.append(QStringLiteral("%1 B/s").arg(bytesPerSecond));
    if (stall)
        parts.append(QStringLiteral("stall"));
    if (blackHole)
        parts.append(QStringLiteral("black hole"));
    if (buffering == Buffering::HonourHeader)
        parts.append(QStringLiteral("buffering proxy (honours X-Accel-Buffering: no)"));
    else if (buffering == Buffering::IgnoreHeader)
        parts.append(QStringLiteral("buffering proxy (ignores X-Accel-Buffering)"));
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

WireTap::WireTap(CaptureLog *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &WireTap::accept);
}

WireTap::~WireTap()
{
    const auto ids = openConnections();
    for (const quint64 id : ids)
        close(id, QStringLiteral("the relay stopped"), Close::Abort);
}

bool WireTap::listen(const QHostAddress &address, quint16 port, const QUrl &upstream)
{
    const QString scheme = upstream.scheme();
    if (!upstream.isValid() || upstream.host().isEmpty()
        || (scheme != u"http" && scheme != u"ws")) {
        m_error = QStringLiteral("the upstream must be an http:// or ws:// URL with a host: %1")
                      .arg(upstream.toString());
        return false;
    }
    m_upstream = upstream;
    if (!m_server->listen(address, port)) {
        m_error = QStringLiteral("cannot listen on %1:%2: %3")
                      .arg(address.toString())
                      .arg(port)
                      .arg(m_server->errorString());
        return false;
    }
    return true;
}

quint16 WireTap::port() const
{
    return m_server->serverPort();
}

QUrl WireTap::relayUrl() const
{
    QUrl url = m_upstream;
    const QHostAddress address = m_server->serverAddress();
    url.setHost(address == QHostAddress::Any || address == QHostAddress::AnyIPv4
                || address == QHostAddress::AnyIPv6
            ? QStringLiteral("127.0.0.1")
            : address.toString());
    url.setPort(port());
    return url;
}

void WireTap::mark(quint64 connection, const QString &text)
{
    m_log->mark(connection, text, WireObserver::nowUs());
}

void WireTap::readHead(Link &link, const QByteArray &bytes)
{
    link.head += bytes.first(qMin<qsizetype>(bytes.size(), 16 * 1024 - link.head.size()));
    const qsizetype end = link.head.indexOf("\r\n\r\n");
    if (end < 0 && link.head.size() < 16 * 1024)
        return;
    const QByteArray head = link.head.first(end < 0 ? link.head.size() : end).toLower();
    link.headDone = true;
    link.head.clear();
    for (const QByteArray &line : head.split('\n')) {
        const QByteArray field = line.trimmed();
        if (field.startsWith("content-type:"))
            link.streamed = field.contains("text/event-stream");
        else if (field.startsWith("x-accel-buffering:"))
            link.unbuffered = field.mid(18).trimmed() == "no";
    }
}

bool WireTap::buffers(const Link &link, const Faults &faults)
{
    if (!link.streamed || faults.buffering == Buffering::Off)
        return false;
    return !(faults.buffering == Buffering::HonourHeader && link.unbuffered);
}

void WireTap::setFaults(const Faults &faults)
{
    if (faults == m_faults)
        return;
    m_faults = faults;
    mark(0, QStringLiteral("relay faults for all: ") + faults.describe());
    for (auto &[id, link] : m_links) {
        for (int d : {ToServer, ToClient})
            pump(*link, d); // A lifted stall or latency lets held bytes go.
    }
}

void WireTap::setConnectionFaults(quint64 connection, const Faults &faults)
{
    const auto it = m_links.find(connection);
    if (it == m_links.end())
        return;
    it->second->own = faults;
    mark(connection, QStringLiteral("relay faults: ") + faults.describe());
    for (int d : {ToServer, ToClient})
        pump(*it->second, d);
}

const WireTap::Faults &WireTap::faultsOf(const Link &link) const
{
    return link.own ? *link.own : m_faults;
}

QList<quint64> WireTap::openConnections() const
{
    QList<quint64> ids;
    for (const auto &entry : m_links)
        ids.append(entry.first);
    return ids;
}

void WireTap::dropNow(quint64 connection)
{
    const QList<quint64> ids = connection ? QList<quint64> {connection} : openConnections();
    for (const quint64 id : ids) {
        if (!m_links.count(id))
            continue;
        mark(id, QStringLiteral("dropped by the relay"));
        close(id, QStringLiteral("dropped by the relay"), Close::Abort);
    }
}

void WireTap::cutMidFrame(quint64 connection)
{
    const QList<quint64> ids = connection ? QList<quint64> {connection} : openConnections();
    for (const quint64 id : ids) {
        if (!m_links.count(id))
            continue;
        m_links.at(id)->cutPending = true;
        mark(id, QStringLiteral("cut armed: the server's next bytes go only half"));
        pump(*m_links.at(id), ToClient);
    }
}

void WireTap::accept()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        auto link = std::make_unique<Link>();
        const quint64 id = m_nextId++;
        link->id = id;
        link->client = client;
        client->setParent(this);
        client->setReadBufferSize(256 * 1024);
        const bool blackHole = m_faults.blackHole;
        WireEndpoints ends {client->peerAddress().toString(), client->peerPort(), m_upstream.host(),
            quint16(m_upstream.port(80))};
        for (int d : {ToServer, ToClient}) {
            link->pipes[d].timer = new QTimer(client);
            link->pipes[d].timer->setSingleShot(true);
            connect(link->pipes[d].timer, &QTimer::timeout, this, [this, id, d] {
                if (m_links.count(id))
                    pump(*m_links.at(id), d);
            });
        }
        link->pipes[ToServer].from = client;
        link->pipes[ToClient].to = client;
        if (!blackHole) {
            QTcpSocket *server = new QTcpSocket(this);
            server->setReadBufferSize(qMin<qint64>(256 * 1024, m_maxHeld));
            link->server = server;
            link->pipes[ToServer].to = server;
            link->pipes[ToClient].from = server;
            connect(server, &QTcpSocket::connected, this, [this, id] {
                if (!m_links.count(id))
                    return;
                Link &l = *m_links.at(id);
                l.upstreamReady = true;
                l.server->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                pump(l, ToServer);
            });
            connect(server, &QTcpSocket::readyRead, this, [this, id] {
                if (m_links.count(id))
                    read(*m_links.at(id), ToClient);
            });
            connect(server, &QTcpSocket::bytesWritten, this, [this, id] {
                if (m_links.count(id))
                    read(*m_links.at(id), ToServer); // Room again: resume reading the client.
            });
            connect(server, &QTcpSocket::disconnected, this, [this, id] {
                if (!m_links.count(id))
                    return;
                Link &l = *m_links.at(id);
                read(l, ToClient);
                l.pipes[ToClient].sourceDone = true;
                pump(l, ToClient);
            });
            connect(
                server, &QTcpSocket::errorOccurred, this, [this, id](QAbstractSocket::SocketError) {
                    if (!m_links.count(id))
                        return;
                    Link &l = *m_links.at(id);
                    if (!l.upstreamReady) {
                        const QString why = QStringLiteral("the upstream could not be reached: ")
                            + l.server->errorString();
                        mark(id, why);
                        close(id, why, Close::Abort);
                    }
                });
        }
        connect(client, &QTcpSocket::readyRead, this, [this, id] {
            if (m_links.count(id))
                read(*m_links.at(id), ToServer);
        });
        connect(client, &QTcpSocket::bytesWritten, this, [this, id] {
            if (m_links.count(id))
                read(*m_links.at(id), ToClient);
        });
        connect(client, &QTcpSocket::disconnected, this, [this, id] {
            if (!m_links.count(id))
                return;
            Link &l = *m_links.at(id);
            read(l, ToServer);
            l.pipes[ToServer].sourceDone = true;
            pump(l, ToServer);
        });
        client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_links.emplace(id, std::move(link));
        m_log->wireOpened(id, ends, WireObserver::nowUs());
        if (blackHole)
            mark(id, QStringLiteral("black hole: accepted, never answered"));
        else
            m_links.at(id)->server->connectToHost(m_upstream.host(), quint16(m_upstream.port(80)));
    }
}

void WireTap::read(Link &link, int direction)
{
    Pipe &pipe = link.pipes[direction];
    if (!pipe.from)
        return;
    const qint64 waiting = pipe.held + (pipe.to ? pipe.to->bytesToWrite() : 0);
    if (waiting >= m_maxHeld || pipe.from->bytesAvailable() == 0)
        return; // Full: the sender waits (its TCP window fills) until bytes go out.
    const QByteArray bytes = pipe.from->read(m_maxHeld - waiting);
    if (bytes.isEmpty())
        return;
    if (direction == ToClient && !link.headDone)
        readHead(link, bytes);
    const quint64 id = link.id;
    const qint64 readUs = WireObserver::nowUs();
    if (!pipe.to || link.cutPending) {
        // Black hole (read and recorded, never forwarded), or a cut that may close the link in
        // pump(): record first, so that the log has the bytes before the close.
        m_log->wireBytes(id, WireDirection(direction), bytes, readUs);
        if (!pipe.to)
            return;
    }
    const bool recorded = !pipe.to || link.cutPending;
    pipe.queue.emplace_back(monotonicMs() + faultsOf(link).latencyMs, bytes);
    pipe.held += bytes.size();
    pump(link, direction); // Forwarding first: decoding is not on the bytes' path.
    if (!recorded)
        m_log->wireBytes(id, WireDirection(direction), bytes, readUs);
}

void WireTap::pump(Link &link, int direction)
{
    Pipe &pipe = link.pipes[direction];
    // Writing may call back in (a socket's bytesWritten reads more, its disconnected closes the
    // link): such a call only queues, and this loop goes on with what it queued.
    if (!pipe.to || pipe.pumping)
        return;
    const Faults &faults = faultsOf(link);
    const quint64 id = link.id;
    const bool connected = direction == ToClient || link.upstreamReady;
    const bool stalled = direction == ToClient
        && (faults.stall || (buffers(link, faults) && pipe.held < BufferBytes && !pipe.sourceDone));
    if (direction == ToClient && !stalled && !pipe.queue.empty() && buffers(link, faults))
        mark(id, QStringLiteral("buffering proxy: %1 bytes gathered, passed on").arg(pipe.held));
    pipe.pumping = true;
    while (connected && !stalled && !pipe.queue.empty()) {
        const qint64 now = monotonicMs();
        auto &[due, bytes] = pipe.queue.front();
        if (due > now) {
            pipe.timer->start(int(due - now));
            break;
        }
        qsizetype n = bytes.size();
        if (faults.bytesPerSecond > 0) {
            const double rate = double(faults.bytesPerSecond);
            pipe.tokens = qMin(rate / 10, pipe.tokens + (now - pipe.refilledMs) * rate / 1000);
            pipe.refilledMs = now;
            if (pipe.tokens < 1) {
                pipe.timer->start(qMax(5, int(1000 / rate) + 1));
                break;
            }
            n = qMin<qsizetype>(n, qsizetype(pipe.tokens));
            pipe.tokens -= double(n);
        }
        if (direction == ToClient && link.cutPending) {
            const qsizetype half = bytes.size() / 2;
            pipe.to->write(bytes.first(half));
            mark(id,
                QStringLiteral("cut: %1 of %2 bytes forwarded, then closed")
                    .arg(half)
                    .arg(bytes.size()));
            close(id, QStringLiteral("cut mid-frame by the relay"), Close::Graceful);
            return; // The link is gone.
        }
        QByteArray chunk;
        if (n == bytes.size()) {
            chunk = std::move(bytes);
            pipe.queue.pop_front();
        } else {
            chunk = bytes.first(n);
            bytes.remove(0, n);
        }
        pipe.held -= n;
        QTcpSocket *to = pipe.to;
        to->write(chunk);
        to->flush(); // Into the kernel now, not on the event loop's next turn.
        if (!m_links.count(id))
            return; // Closed from a signal the flush emitted: `link` is gone.
    }
    pipe.pumping = false;
    if (pipe.queue.empty() && pipe.sourceDone) {
        // The sender is gone and everything it sent is out: close the other side gently.
        const QString why = direction == ToServer ? QStringLiteral("the client closed")
                                                  : QStringLiteral("the server closed");
        close(id, why, Close::Graceful);
        return;
    }
    if (pipe.from && pipe.from->bytesAvailable() > 0)
        QTimer::singleShot(0, this, [this, id, direction] {
            if (m_links.count(id))
                read(*m_links.at(id), direction);
        });
}

void WireTap::close(quint64 id, const QString &reason, Close how)
{
    const auto it = m_links.find(id);
    if (it == m_links.end())
        return;
    std::unique_ptr<Link> link = std::move(it->second);
    m_links.erase(it);
    m_log->wireClosed(id, reason, WireObserver::nowUs());
    // Signals first: closing one socket must not run this link's handlers any more.
    for (QTcpSocket *socket : {link->client, link->server}) {
        if (socket)
            socket->disconnect(this);
    }
    for (QTcpSocket *socket : {link->client, link->server}) {
        if (!socket)
            continue;
        if (how == Close::Abort)
            socket->abort();
        else if (socket->state() != QAbstractSocket::UnconnectedState)
            socket->disconnectFromHost(); // What is written still leaves, then the FIN.
        if (socket->state() == QAbstractSocket::UnconnectedState) {
            socket->deleteLater();
        } else {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(30'000, socket, &QObject::deleteLater); // A peer that never reads.
        }
    }
}

} // namespace Pushboard
