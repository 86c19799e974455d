#pragma once

#include "wire/wireobserver.h"

#include <QList>
#include <QObject>

namespace Pushboard {

class StreamSocket;

class HttpReply;
class HttpRequest;
class WireCapture;

/// The inspector's view into this server (docs/protocol.md, "Inspecting the server"):
///
/// - `GET /api/inspect`: whether capture is on, and every open connection (id, client, server,
///   transport, since, captured).
/// - `POST /api/inspect` with `{"capture": "all"}`, `{"capture": "none"}` or
///   `{"connection": ID, "capture": true|false}`: switches capture.
/// - `GET /api/inspect/stream`: Server-Sent Events of what captured connections carry: `open`
///   ({id, client, server, transport, midStream, timeUs}), `bytes` ({id, direction "send" or
///   "receive", timeUs, data in base64}) and `close` ({id, reason, timeUs}). The watcher's own
///   connection is never captured. A watcher that lets more than MaxQueuedBytes pile up is
///   disconnected.
class InspectApi : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 MaxQueuedBytes = 16 * 1024 * 1024;

    explicit InspectApi(WireCapture *capture, QObject *parent = nullptr);
    ~InspectApi() override;

    void state(HttpReply &&reply) const;
    void control(const HttpRequest &request, HttpReply &&reply);
    void stream(HttpReply &&reply);
    /// Watchers with a connection of their own (HTTP/1.1).
    [[nodiscard]] int ownConnections() const;
    /// Ends every watcher's stream (shutdown).
    void closeAll();

private:
    void broadcast(const QByteArray &event);
    void forget(StreamSocket *watcher);

    WireCapture *m_capture;
    QList<StreamSocket *> m_watchers; ///< Children.
};

} // namespace Pushboard
