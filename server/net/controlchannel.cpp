#include "controlchannel.h"

#include "auth.h"
#include "cors.h"
#include "directwrite.h"
#include "eventstore.h"
#include "faultstate.h"
#include "protocol/wsframe.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcWs, "pushboard.server.ws", QtInfoMsg)

namespace Pushboard {

namespace {
constexpr int ReplayPage = 500;
constexpr qint64 ReplayLowWater = 256 * 1024;

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}
} // namespace

struct ControlChannel::Client
{
    QWebSocket *socket = nullptr; ///< Owned by the channel; deleted later on removal.
    QPointer<QTcpSocket> tcp; ///< The connection under `socket`.
    bool subscribed = false;
    QStringList topics; ///< Empty: every topic.
    quint64 cursor = 0; ///< Newest id delivered (or skipped by the filter).
    bool replaying = false;
    QString peer;
    QDateTime since;
    quint64 eventsSent = 0;
    quint64 bytesSent = 0;
    qint64 lastHeardMs = 0;
    bool pumping = false; ///< pumpReplay() is on the stack (flush() may re-enter it).
    bool dead = false; ///< Removed; freed at the next turn of the event loop, so loops over
                       ///< clients may meet it but never a dangling pointer.
};

ControlChannel::ControlChannel(EventStore *store, FaultState *faults, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_faults(faults)
    , m_server(QStringLiteral("pushboard"), QWebSocketServer::NonSecureMode)
{
    m_server.setHandshakeTimeout(10 * 1000);
    connect(&m_server, &QWebSocketServer::newConnection, this, &ControlChannel::onNewConnection);
    connect(m_faults, &FaultState::released, this, &ControlChannel::deliver);
    connect(&m_heartbeat, &QTimer::timeout, this, &ControlChannel::heartbeat);
    setKeepalive(15);
}

ControlChannel::~ControlChannel()
{
    for (const auto &client : m_clients)
        client->socket->disconnect(this);
}

void ControlChannel::setAuth(const Auth *auth, const Cors *cors)
{
    m_auth = auth;
    m_cors = cors;
}

void ControlChannel::setKeepalive(int seconds)
{
    m_heartbeat.start(qMax(1, seconds) * 1000);
}

void ControlChannel::handleUpgrade(
    QTcpSocket *socket, const ConnectionGate::Upgrade &upgrade, ConnectionGate *gate)
{
    if (m_auth && !m_auth->allows(upgrade.authorization, upgrade.queryToken)) {
        gate->refuse(socket, 401, QStringLiteral("missing or wrong token"));
        return;
    }
    // A WebSocket can publish and control: only the server's own and --allow-origin origins.
    if (m_cors && !m_cors->allows(upgrade.origin, upgrade.host, false)) {
        gate->refuse(socket, 403, QStringLiteral("origin not allowed"));
        return;
    }
    disconnect(socket, &QTcpSocket::disconnected, socket, nullptr); // QWebSocket owns it now.
    m_handshaking.append(socket);
    m_server.handleConnection(socket);
    // The handshake is already in the socket's buffer: have it read.
    QMetaObject::invokeMethod(
        socket,
        [s = QPointer<QTcpSocket>(socket)] {
            if (s && s->bytesAvailable() > 0)
                Q_EMIT s->readyRead();
        },
        Qt::QueuedConnection);
}

void ControlChannel::onNewConnection()
{
    while (m_server.hasPendingConnections()) {
        QWebSocket *socket = m_server.nextPendingConnection();
        socket->setParent(this);
        // The QTcpSocket under it: frames we build are written to it directly (see send()). It
        // still belongs to the gate; it must live exactly as long as the QWebSocket.
        QTcpSocket *tcp = takeHandshaking(socket);
        if (!tcp) { // Cannot happen while every upgrade comes through handleUpgrade().
            qCWarning(lcWs) << "no connection found under WebSocket" << socket->peerPort();
            socket->abort();
            socket->deleteLater();
            continue;
        }
        tcp->setParent(socket);
        socket->setMaxAllowedIncomingMessageSize(MaxMessageBytes);
        socket->setMaxAllowedIncomingFrameSize(MaxMessageBytes);
        auto client = std::make_unique<Client>();
        Client *raw = client.get();
        raw->socket = socket;
        raw->tcp = tcp;
        raw->peer = socket->peerAddress().toString() + QLatin1Char(':')
            + QString::number(socket->peerPort());
        raw->since = QDateTime::currentDateTimeUtc();
        raw->lastHeardMs = monotonicMs();
        m_clients.push_back(std::move(client));

        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, raw](const QString &text) { onMessage(raw, text); });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, raw](const QByteArray &) {
            raw->lastHeardMs = monotonicMs();
            send(raw,
                ControlProtocol::error(QJsonValue(QJsonValue::Undefined),
                    QStringLiteral(
                        "binary messages are not part of this protocol: send JSON text")));
        });
        connect(socket, &QWebSocket::pong, this,
            [raw](quint64, const QByteArray &) { raw->lastHeardMs = monotonicMs(); });
        connect(socket, &QWebSocket::bytesWritten, this, [this, raw](qint64) { pumpReplay(raw); });
        connect(socket, &QWebSocket::disconnected, this, [this, raw] { remove(raw); });
        qCDebug(lcWs) << "client" << raw->peer << "connected";
        send(raw, ControlProtocol::state(m_control ? m_control->state() : QJsonObject()));
    }
}

QTcpSocket *ControlChannel::takeHandshaking(const QWebSocket *socket)
{
    QTcpSocket *found = nullptr;
    for (qsizetype i = m_handshaking.size() - 1; i >= 0; --i) {
        QTcpSocket *tcp = m_handshaking.at(i);
        if (!tcp) {
            m_handshaking.removeAt(i);
        } else if (tcp->peerPort() == socket->peerPort()
            && tcp->peerAddress() == socket->peerAddress()) {
            found = tcp;
            m_handshaking.removeAt(i);
        }
    }
    return found;
}

std::vector<ControlChannel::Client *> ControlChannel::liveClients() const
{
    std::vector<Client *> clients;
    for (const auto &client : m_clients) {
        if (!client->dead)
            clients.push_back(client.get());
    }
    return clients;
}

int ControlChannel::clientCount() const
{
    // Asked for every incoming connection (the connection limit): count, do not collect.
    return int(
        std::count_if(m_clients.begin(), m_clients.end(), [](const auto &c) { return !c->dead; }));
}

void ControlChannel::remove(Client *client)
{
    if (client->dead)
        return;
    client->dead = true;
    client->replaying = false;
    client->socket->disconnect(this);
    client->socket->deleteLater();
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_clients.erase(std::remove_if(m_clients.begin(), m_clients.end(),
                                [](const auto &c) { return c->dead; }),
                m_clients.end());
        },
        Qt::QueuedConnection);
}

void ControlChannel::onMessage(Client *client, const QString &text)
{
    client->lastHeardMs = monotonicMs();
    QString error;
    QJsonValue ref;
    const auto message = ControlProtocol::parse(text.toUtf8(), &error, &ref);
    if (!message) {
        send(client, ControlProtocol::error(ref, error));
        return;
    }
    switch (message->op) {
    case ControlProtocol::ClientMessage::Op::Subscribe:
        subscribe(client, *message);
        break;
    case ControlProtocol::ClientMessage::Op::Unsubscribe:
        client->subscribed = false;
        client->replaying = false;
        send(client, ControlProtocol::ack(message->ref));
        break;
    case ControlProtocol::ClientMessage::Op::Publish:
        publish(client, *message);
        break;
    case ControlProtocol::ClientMessage::Op::Control:
        control(client, *message);
        break;
    }
}

void ControlChannel::subscribe(Client *client, const ControlProtocol::ClientMessage &message)
{
    client->subscribed = true;
    client->topics = message.topics;
    client->replaying = false;
    send(client, ControlProtocol::ack(message.ref));
    const quint64 newest = m_store->newestId();
    client->cursor = newest;
    if (!message.after)
        return;
    const quint64 after = *message.after;
    if (after > newest) {
        send(client, ControlProtocol::reset(newest));
        return;
    }
    ++m_stats.replays;
    client->cursor = after;
    client->replaying = true; // Live events wait for the replay to catch up.
    // The replay is a delivery like any other: it waits out an injected stall or latency.
    m_faults->whenDeliverable(client->socket, [this, socket = client->socket, after] {
        Client *client = clientFor(socket);
        if (!client || !client->replaying || client->cursor != after)
            return; // Gone, or subscribed anew meanwhile.
        const quint64 newest = m_store->newestId();
        const quint64 firstRetained = m_store->oldestId() ? m_store->oldestId() : newest + 1;
        if (after + 1 < firstRetained)
            send(client, ControlProtocol::gap(after + 1, firstRetained - 1));
        pumpReplay(client);
    });
}

ControlChannel::Client *ControlChannel::clientFor(const QWebSocket *socket) const
{
    for (const auto &client : m_clients) {
        if (client->socket == socket && !client->dead)
            return client.get();
    }
    return nullptr;
}

void ControlChannel::pumpReplay(Client *client)
{
    // As for SSE: page by page while the client reads, never more than half the queue limit.
    if (client->pumping)
        return;
    client->pumping = true;
    const auto done = qScopeGuard([client] { client->pumping = false; });
    const qint64 lowWater = qMin(ReplayLowWater, m_queueLimit / 2);
    while (client->replaying && client->socket->bytesToWrite() < lowWater) {
        const EventList page = m_store->after(client->cursor, client->topics, ReplayPage);
        for (const Event &event : page) {
            if (client->dead || client->socket->bytesToWrite() >= lowWater)
                return;
            client->cursor = event.id;
            send(client, ControlProtocol::event(event), true);
        }
        if (client->dead)
            return;
        if (page.size() < ReplayPage) {
            client->cursor = qMax(client->cursor, m_store->newestId());
            client->replaying = false;
        }
    }
}

void ControlChannel::publish(Client *client, const ControlProtocol::ClientMessage &message)
{
    const EventList stored
        = m_store->append({EventDraft {message.topic, compactJson(message.data)}});
    if (stored.isEmpty()) {
        send(client,
            ControlProtocol::error(message.ref,
                QStringLiteral("the event log cannot be written: %1").arg(m_store->errorString())));
        return;
    }
    send(client,
        ControlProtocol::ack(
            message.ref, {{QStringLiteral("id"), QString::number(stored.constFirst().id)}}));
}

void ControlChannel::control(Client *client, const ControlProtocol::ClientMessage &message)
{
    if (!m_control) {
        send(client,
            ControlProtocol::error(
                message.ref, QStringLiteral("controls are not available on this server")));
        return;
    }
    const auto error = m_control->apply(message.action, message.args, client->socket);
    if (client->dead)
        return;
    if (error) {
        send(client, ControlProtocol::error(message.ref, *error));
        return;
    }
    send(client, ControlProtocol::ack(message.ref));
    broadcastState();
}

void ControlChannel::broadcastState()
{
    const QByteArray state = ControlProtocol::state(m_control ? m_control->state() : QJsonObject());
    for (Client *client : liveClients())
        send(client, state);
}

void ControlChannel::deliver(const EventList &events)
{
    const std::vector<Client *> clients = liveClients();
    for (const Event &event : events) {
        QByteArray frame; // encoded once, for the first client that wants it
        for (Client *client : clients) {
            if (client->dead || !client->subscribed || client->replaying
                || event.id <= client->cursor)
                continue;
            if (!client->topics.isEmpty() && !client->topics.contains(event.topic))
                continue;
            if (frame.isEmpty())
                frame = WsFrame::serverText(ControlProtocol::event(event));
            client->cursor = event.id;
            sendFrame(client, frame, true);
        }
    }
}

void ControlChannel::send(Client *client, const QByteArray &message, bool isEvent)
{
    sendFrame(client, WsFrame::serverText(message), isEvent);
}

void ControlChannel::sendFrame(Client *client, const QByteArray &frame, bool isEvent)
{
    if (client->dead)
        return;
    // Our own frame, written straight to the kernel while nothing is queued (as SSE does):
    // no UTF-16 round trip, one send(), and bytesToWrite() then counts only what the peer has
    // not taken, which is what the slow-consumer limit is about.
    const qint64 bytes = frame.size();
    if (!client->tcp || !writeDirect(client->tcp, frame)) {
        QWebSocket *socket = client->socket;
        remove(client);
        socket->abort();
        return;
    }
    client->bytesSent += quint64(bytes);
    m_stats.bytesSent += quint64(bytes);
    if (isEvent) {
        ++client->eventsSent;
        ++m_stats.eventsDelivered;
    }
    if (client->socket->bytesToWrite() > m_queueLimit) {
        qCInfo(lcWs) << "dropping slow client" << client->peer << "with"
                     << client->socket->bytesToWrite() << "bytes queued";
        ++m_stats.slowDisconnects;
        QWebSocket *socket = client->socket;
        remove(client);
        socket->abort();
    }
}

void ControlChannel::heartbeat()
{
    const qint64 now = monotonicMs();
    const qint64 silentLimit = 2 * qint64(m_heartbeat.interval());
    for (Client *client : liveClients()) {
        if (now - client->lastHeardMs > silentLimit) {
            qCInfo(lcWs) << "dropping silent client" << client->peer;
            QWebSocket *socket = client->socket;
            remove(client);
            socket->abort();
        } else {
            client->socket->ping();
        }
    }
}

int ControlChannel::dropAll(const QWebSocket *except)
{
    int dropped = 0;
    for (Client *client : liveClients()) {
        if (client->socket == except)
            continue;
        QWebSocket *socket = client->socket;
        remove(client);
        socket->abort();
        ++dropped;
    }
    return dropped;
}

void ControlChannel::closeAll()
{
    for (Client *client : liveClients()) {
        client->socket->close(
            QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        client->socket->flush();
    }
}

QList<ConnectionInfo> ControlChannel::connections() const
{
    QList<ConnectionInfo> list;
    for (const Client *client : liveClients()) {
        list.append(ConnectionInfo {QStringLiteral("ws"), client->peer, client->topics,
            client->since, client->eventsSent, client->bytesSent, client->socket->bytesToWrite()});
    }
    return list;
}

} // namespace Pushboard
