#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Pushboard {

/// One live connection as `GET /api/connections` lists it.
struct ConnectionInfo
{
    QString transport; ///< "sse", "longpoll" or "ws".
    QString peer; ///< "address:port" of the client.
    QStringList topics; ///< Empty: every topic.
    QDateTime since; ///< When the connection started streaming (UTC).
    quint64 eventsSent = 0;
    quint64 bytesSent = 0;
    qint64 queuedBytes = 0; ///< Written by the server, not yet taken by the kernel.
    QString protocol = QStringLiteral("http/1.1"); ///< "http/1.1" or "h2" (ALPN names).

    /// `{"transport":..,"protocol":..,"peer":..,"topics":[..],"since":"<ISO 8601>","eventsSent":..,
    /// "bytesSent":..,"queuedBytes":..}`
    [[nodiscard]] QJsonObject toJson() const;
};

/// Counters of one transport since the server started, for `/metrics`.
struct TransportStats
{
    quint64 eventsDelivered = 0;
    quint64 bytesSent = 0;
    quint64 slowDisconnects = 0;
    quint64 replays = 0; ///< Resumes answered from the log (Last-Event-ID, after=...).
};

} // namespace Pushboard
