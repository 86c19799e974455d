#pragma once

#include "protocol/sseparser.h"
#include "tlstrust.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

class QNetworkReply;
class QNetworkRequest;

namespace Pushboard {

/// One connection of a transport, opened by StreamClient; it does not reconnect by itself.
/// Every transport reports what it receives as SseMessage: for Pushboard's own events `type` is
/// the topic, `data` is `{"time":..,"data":..}` (what the SSE stream carries) and `lastEventId`
/// the id, so one consumer serves all four transports.
///
/// Every transport bounds what one server message may make it hold (MaxMessageBytes: an SSE line
/// or event, a WebSocket message, a polling answer); past that the connection ends with an error
/// and StreamClient reconnects with backoff.
class StreamConnection : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 MaxMessageBytes = SseParser::DefaultMaxBufferedChars;

    struct Target
    {
        QUrl url; ///< The stream's exact endpoint.
        QStringList topics; ///< Empty: every topic.
        QString token; ///< Sent as `Authorization: Bearer`; empty: none.
        TlsTrust tls; ///< For https:// and wss://.
        /// HTTP/2 only (`tail --http2`): with prior knowledge on http:// (h2c), and an https://
        /// server that does not choose h2 by ALPN is refused. Otherwise HTTP/2 is used over TLS
        /// when the server offers it, and HTTP/1.1 on clear text.
        bool http2 = false;
        /// How long a connection may take to bring the answer's status line (or HEADERS); past
        /// it the attempt ends and the client reconnects. A server that accepts and never
        /// answers, or one that answers in another protocol, cannot hold the client forever.
        int responseTimeoutMs = 30 * 1000;
        /// Short polling: the time between an answer and the next request.
        int pollIntervalMs = 1000;
    };

    explicit StreamConnection(const Target &target, QObject *parent = nullptr)
        : QObject(parent)
        , m_target(target)
    { }

    /// Connects and asks for what follows `lastEventId` (empty: live only).
    virtual void open(const QString &lastEventId) = 0;
    /// Closes without emitting ended().
    virtual void close() = 0;
    /// The HTTP version the connection runs on, as ALPN names it ("h2", "http/1.1"); empty until
    /// opened().
    [[nodiscard]] QString protocol() const { return m_protocol; }

Q_SIGNALS:
    /// The server accepted the stream.
    void opened();
    void received(const Pushboard::SseMessage &message);
    /// An id arrived without an event to carry it (an SSE `id:` with no data).
    void lastEventIdChanged(const QString &id);
    /// The server asked for this reconnection delay (SSE `retry:`).
    void retryRequested(qint64 ms);
    /// The connection is over. `fatal`: reconnecting would not help (EventSource's "fail the
    /// connection": HTTP 204, another status than 200, a wrong Content-Type).
    void ended(const QString &reason, bool fatal);

protected:
    /// Asks for HTTP/2 on `request` as the target wants it (see Target::http2).
    void applyHttpVersion(QNetworkRequest &request) const;
    /// Notes the protocol `reply` ran on; a reason to refuse it when HTTP/2 was demanded and the
    /// server answered in HTTP/1.1, else nothing.
    [[nodiscard]] QString takeProtocol(const QNetworkReply *reply);

    Target m_target;
    QString m_protocol;
};

} // namespace Pushboard
