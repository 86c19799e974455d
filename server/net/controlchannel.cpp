#include "controlchannel.h"

#include "auth.h"
#include "cors.h"
#include "eventlog.h"
#include "faultstate.h"
#include "protocol/httprequestparser.h"
#include "protocol/wsframe.h"
#include "protocol/wshandshake.h"
#include "wirecapture.h"
#include "wssession.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QUrlQuery>

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
    WsSession *session = nullptr; ///< Owned by the channel; deleted later on removal.
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

ControlChannel::ControlChannel(EventLog *store, FaultState *faults, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_faults(faults)
{
    connect(m_faults, &FaultState::released, this, &ControlChannel::deliver);
    connect(&m_heartbeat, &QTimer::timeout, this, &ControlChannel::heartbeat);
    setKeepalive(15);
}

ControlChannel::~ControlChannel()
{
    for (const auto &client : m_clients)
        client->session->disconnect(this);
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

void ControlChannel::handleUpgrade(QTcpSocket *socket, const HttpRequest &request,
    const QByteArray &buffered, ConnectionGate *gate)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    const QUrlQuery query(request.url());
    const QString queryToken = query.hasQueryItem(QStringLiteral("token"))
        ? query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)
        : QString();
    if (m_auth && !m_auth->allows(request.value("Authorization"), queryToken)) {
        gate->refuse(socket, 401, QStringLiteral("missing or wrong token"));
        return;
    }
    // A WebSocket can publish and control: only the server's own and --allow-origin origins.
    if (m_cors && !m_cors->allows(request.value("Origin"), request.value("Host"), false)) {
        gate->refuse(socket, 403, QStringLiteral("origin not allowed"));
        return;
    }
    // RFC 6455 4.2.1 and 4.2.2: HTTP/1.1, version 13, and a key of 16 bytes in base64.
    if (request.version() != "HTTP/1.1") {
        gate->refuse(socket, 400, QStringLiteral("a WebSocket handshake needs HTTP/1.1"));
        return;
    }
    const QByteArray key = request.value("Sec-WebSocket-Key");
    const auto decodedKey
        = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != 24 || !decodedKey || decodedKey.decoded.size() != 16) {
        gate->refuse(socket, 400, QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"));
        return;
    }
    if (request.value("Sec-WebSocket-Version") != "13") {
        // 4.2.2: say which version is spoken here.
        gate->refuse(socket, 426, QStringLiteral("only WebSocket version 13 is spoken here"),
            {{"Sec-WebSocket-Version", "13"}});
        return;
    }
    const QByteArray accept = webSocketAccept(key);
    // No subprotocol and no extension is selected (permessage-deflate offers are declined).
    const QByteArray switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + accept + "\r\n\r\n";
    socket->write(switching);
    WireCapture *capture = gate->wireCapture();
    if (capture)
        capture->wrote(WireCapture::idOf(socket), switching);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);

    auto *session = new WsSession(socket, buffered, MaxMessageBytes, capture, this);
    auto client = std::make_unique<Client>();
    Client *raw = client.get();
    raw->session = session;
    raw->peer = session->peer();
    raw->since = QDateTime::currentDateTimeUtc();
    raw->lastHeardMs = monotonicMs();
    m_clients.push_back(std::move(client));

    connect(session, &WsSession::heard, this, [raw] { raw->lastHeardMs = monotonicMs(); });
    connect(session, &WsSession::textMessage, this,
        [this, raw](const QByteArray &text) { onMessage(raw, text); });
    connect(session, &WsSession::binaryMessage, this, [this, raw](const QByteArray &) {
        send(raw,
            ControlProtocol::error(QJsonValue(QJsonValue::Undefined),
                QStringLiteral("binary messages are not part of this protocol: send JSON text")));
    });
    connect(session, &WsSession::bytesWritten, this, [this, raw] { pumpReplay(raw); });
    connect(session, &WsSession::disconnected, this, [this, raw] { remove(raw); });
    qCDebug(lcWs) << "client" << raw->peer << "connected";
    send(raw, ControlProtocol::state(m_control ? m_control->state() : QJsonObject()));
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
    client->session->disconnect(this);
    client->session->deleteLater();
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_clients.erase(std::remove_if(m_clients.begin(), m_clients.end(),
                                [](const auto &c) { return c->dead; }),
                m_clients.end());
        },
        Qt::QueuedConnection);
}

void ControlChannel::onMessage(Client *client, const QByteArray &text)
{
    QString error;
    QJsonValue ref;
    const auto message = ControlProtocol::parse(text, &error, &ref);
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

void ControlChannel::subscribe(
    Client *client, const ControlProtocol::ClientMessage &message, bool current)
{
    if (message.after && *message.after > m_store->newestId() && !current) {
        // Another server may have stored it a moment ago: ask before saying `reset`.
        m_store->whenCurrent(this, [this, session = client->session, message] {
            if (Client *client = clientFor(session))
                subscribe(client, message, true);
        });
        return;
    }
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
    m_faults->whenDeliverable(client->session, [this, session = client->session, after] {
        Client *client = clientFor(session);
        if (!client || !client->replaying || client->cursor != after)
            return; // Gone, or subscribed anew meanwhile.
        const quint64 newest = m_store->newestId();
        const quint64 firstRetained = m_store->oldestId() ? m_store->oldestId() : newest + 1;
        if (after + 1 < firstRetained)
            send(client, ControlProtocol::gap(after + 1, firstRetained - 1));
        pumpReplay(client);
    });
}

ControlChannel::Client *ControlChannel::clientFor(const QObject *session) const
{
    for (const auto &client : m_clients) {
        if (client->session == session && !client->dead)
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
    while (client->replaying && client->session->bytesToWrite() < lowWater) {
        const EventList page = m_store->after(client->cursor, client->topics, ReplayPage);
        for (const Event &event : page) {
            if (client->dead || client->session->bytesToWrite() >= lowWater)
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
    // Acknowledged once the group commit stored it; the client may have gone by then.
    m_store->publish({EventDraft {message.topic, compactJson(message.data)}},
        [this, self = QPointer<ControlChannel>(this), session = client->session, ref = message.ref](
            const EventList &stored, const QString &error) {
            Client *client = self ? clientFor(session) : nullptr;
            if (!client)
                return;
            if (stored.isEmpty()) {
                send(client,
                    ControlProtocol::error(
                        ref, QStringLiteral("the event log cannot be written: %1").arg(error)));
                return;
            }
            send(client,
                ControlProtocol::ack(
                    ref, {{QStringLiteral("id"), QString::number(stored.constFirst().id)}}));
        });
}

void ControlChannel::control(Client *client, const ControlProtocol::ClientMessage &message)
{
    if (!m_control) {
        send(client,
            ControlProtocol::error(
                message.ref, QStringLiteral("controls are not available on this server")));
        return;
    }
    const auto error = m_control->apply(message.action, message.args, client->session);
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
    // one send(), and bytesToWrite() then counts only what the peer has not taken, which is what
    // the slow-consumer limit is about.
    if (!client->session->sendFrame(frame)) {
        WsSession *session = client->session;
        remove(client);
        session->abort();
        return;
    }
    client->bytesSent += quint64(frame.size());
    m_stats.bytesSent += quint64(frame.size());
    if (isEvent) {
        ++client->eventsSent;
        ++m_stats.eventsDelivered;
    }
    if (client->session->bytesToWrite() > m_queueLimit) {
        qCInfo(lcWs) << "dropping slow client" << client->peer << "with"
                     << client->session->bytesToWrite() << "bytes queued";
        ++m_stats.slowDisconnects;
        WsSession *session = client->session;
        remove(client);
        session->abort();
    }
}

void ControlChannel::heartbeat()
{
    const qint64 now = monotonicMs();
    const qint64 silentLimit = 2 * qint64(m_heartbeat.interval());
    for (Client *client : liveClients()) {
        if (now - client->lastHeardMs > silentLimit) {
            qCInfo(lcWs) << "dropping silent client" << client->peer;
            WsSession *session = client->session;
            remove(client);
            session->abort();
        } else {
            client->session->ping();
        }
    }
}

int ControlChannel::dropAll(const QObject *except)
{
    int dropped = 0;
    for (Client *client : liveClients()) {
        if (client->session == except)
            continue;
        WsSession *session = client->session;
        remove(client);
        session->abort();
        ++dropped;
    }
    return dropped;
}

void ControlChannel::closeAll()
{
    for (Client *client : liveClients())
        client->session->close(1001, QStringLiteral("server shutting down"));
}

QList<ConnectionInfo> ControlChannel::connections() const
{
    QList<ConnectionInfo> list;
    for (const Client *client : liveClients()) {
        list.append(ConnectionInfo {QStringLiteral("ws"), client->peer, client->topics,
            client->since, client->eventsSent, client->bytesSent, client->session->bytesToWrite()});
    }
    return list;
}

} // namespace Pushboard
