#pragma once

#include "connectiongate.h"
#include "connectioninfo.h"
#include "event.h"
#include "protocol/controlprotocol.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace Pushboard {

class Auth;
class Cors;
class EventLog;
class FaultState;
class HttpRequest;
class WsSession;

/// What the `control` messages act on (implemented by ServerControls).
class ServerControl
{
public:
    virtual ~ServerControl() = default;
    /// The server's control state, as the `state` message carries it.
    [[nodiscard]] virtual QJsonObject state() const = 0;
    /// Carries out `action`; returns an error for the client, or nothing on success. `requester`
    /// is the WebSocket session that asked (dropConnections spares it).
    virtual std::optional<QString> apply(
        const QString &action, const QJsonObject &args, const QObject *requester)
        = 0;
};

/// Serves `GET /ws` (docs/protocol.md, "WebSocket"): takes upgrades from the ConnectionGate, checks
/// token, Origin and the handshake's fields (RFC 6455 4.2.1), answers 101 itself, then reads frames
/// with WsSession (every RFC 6455 rule a server can check) and speaks Pushboard's protocol
/// (ControlProtocol): subscribe with replay (as SSE: gap, reset), unsubscribe, publish, control.
/// Sends `state` on connect and after every change, pings every keepalive and drops a peer silent
/// for two intervals, drops a peer whose queue passes the limit, closes with 1009 for a message
/// over 64 KiB and with 1001 on shutdown.
class ControlChannel : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 MaxMessageBytes = 64 * 1024;

    ControlChannel(EventLog *store, FaultState *faults, QObject *parent = nullptr);
    /// The log to read and publish to; ServerHost sets it when it opens one (the same log for
    /// every part of one server).
    void setEventLog(EventLog *log) { m_store = log; }
    ~ControlChannel() override;

    void setControl(ServerControl *control) { m_control = control; }
    void setAuth(const Auth *auth, const Cors *cors);
    void setQueueLimit(qint64 bytes) { m_queueLimit = bytes; }
    /// Seconds between pings; a peer silent for two intervals is dropped.
    void setKeepalive(int seconds);

    /// Receives ConnectionGate::webSocketUpgrade(); owns `socket` from here.
    void handleUpgrade(QTcpSocket *socket, const HttpRequest &request, const QByteArray &buffered,
        ConnectionGate *gate);

    [[nodiscard]] int clientCount() const;
    [[nodiscard]] QList<ConnectionInfo> connections() const;
    [[nodiscard]] const TransportStats &stats() const { return m_stats; }

    /// Sends `state` to every client.
    void broadcastState();
    /// Drops every client but `except` at once (no close handshake), as a broken network would.
    int dropAll(const QObject *except);
    /// Closes every client with 1001 (shutdown).
    void closeAll();

private:
    struct Client;

    void onMessage(Client *client, const QByteArray &text);
    /// `current`: see SsePublisher::serve().
    void subscribe(
        Client *client, const ControlProtocol::ClientMessage &message, bool current = false);
    void publish(Client *client, const ControlProtocol::ClientMessage &message);
    void control(Client *client, const ControlProtocol::ClientMessage &message);
    void deliver(const EventList &events);
    void pumpReplay(Client *client);
    void send(Client *client, const QByteArray &message, bool isEvent = false);
    void sendFrame(Client *client, const QByteArray &frame, bool isEvent);
    void heartbeat();
    void remove(Client *client);
    [[nodiscard]] std::vector<Client *> liveClients() const;
    [[nodiscard]] Client *clientFor(const QObject *session) const;

    EventLog *m_store;
    FaultState *m_faults;
    ServerControl *m_control = nullptr;
    const Auth *m_auth = nullptr;
    const Cors *m_cors = nullptr;
    std::vector<std::unique_ptr<Client>> m_clients;
    QTimer m_heartbeat;
    qint64 m_queueLimit = 1024 * 1024;
    TransportStats m_stats;
};

} // namespace Pushboard
