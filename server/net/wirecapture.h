#pragma once

#include "wire/wireobserver.h"

#include <QHash>
#include <QObject>
#include <QSet>

class QTcpSocket;

namespace Pushboard {

/// Server-side capture for the inspector: every connection the gate accepts gets an id here, and
/// the places where the server reads and writes bytes (HttpConnection, WsSession, SseStream)
/// report them. Off by default: until someone watches (a subscriber of /api/inspect/stream)
/// with capture switched on for all connections or for some, each report is one inline check
/// of a bool and nothing else.
///
/// Connections captured from the middle of their life (capture switched on while they were
/// open) are announced with `midStream` and their transport, so a decoder can start in the
/// right place (after the HTTP head of an SSE stream, or in WebSocket frames).
class WireCapture : public QObject
{
    Q_OBJECT

public:
    struct Connection
    {
        WireEndpoints endpoints;
        QString transport = QStringLiteral("http");
        qint64 sinceUs = 0;
        bool excluded = false; ///< An inspect stream: never captured (it would capture itself).
        bool announced = false; ///< Subscribers have been told it exists.
    };

    explicit WireCapture(QObject *parent = nullptr);

    /// Gives an accepted socket its id (also kept on the socket, see idOf()).
    quint64 attach(QTcpSocket *socket);
    /// The id attach() gave `socket`, or 0.
    [[nodiscard]] static quint64 idOf(const QObject *socket);
    void setTransport(quint64 id, const QString &transport);
    /// Never capture this connection (the inspect stream's own).
    void exclude(quint64 id);

    void read(quint64 id, QByteArrayView bytes)
    {
        if (m_active)
            report(id, WireDirection::ToServer, bytes);
    }
    void wrote(quint64 id, QByteArrayView bytes)
    {
        if (m_active)
            report(id, WireDirection::ToClient, bytes);
    }
    void closed(quint64 id, const QString &reason);

    /// Capture every connection (or none), or one connection on or off.
    void setCaptureAll(bool all);
    void setCaptured(quint64 id, bool captured);
    [[nodiscard]] bool captureAll() const { return m_all; }
    [[nodiscard]] bool isCaptured(quint64 id) const;
    [[nodiscard]] const QHash<quint64, Connection> &connections() const { return m_open; }

    /// Subscribers (inspect streams) come and go; capture runs only while there is one.
    void addSubscriber();
    void removeSubscriber();
    [[nodiscard]] int subscribers() const { return m_subscribers; }

Q_SIGNALS:
    void opened(quint64 id, const Pushboard::WireEndpoints &endpoints, const QString &transport,
        bool midStream, qint64 timeUs);
    void bytes(
        quint64 id, Pushboard::WireDirection direction, const QByteArray &bytes, qint64 timeUs);
    void ended(quint64 id, const QString &reason, qint64 timeUs);

private:
    void report(quint64 id, WireDirection direction, QByteArrayView bytes);
    void updateActive();
    /// Tells subscribers about captured connections they have not heard of.
    void announce(quint64 id, Connection &connection, bool midStream);

    QHash<quint64, Connection> m_open;
    quint64 m_nextId = 1;
    bool m_all = false;
    QSet<quint64> m_selected;
    int m_subscribers = 0;
    bool m_active = false;
};

} // namespace Pushboard
