#pragma once

#include "backoff.h"
#include "protocol/sseparser.h"
#include "streamconnection.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <memory>

namespace Pushboard {

/// Reads one stream over SSE, WebSocket, polling or long polling, and keeps it going: it
/// reconnects as EventSource does (after `retry`, sending the last event id), backs off when
/// reconnecting keeps failing (Backoff), gives up on fatal answers, and never delivers an event
/// whose id it has already delivered (an idempotent resume).
class StreamClient : public QObject
{
    Q_OBJECT

public:
    enum class Transport { Sse, WebSocket, Poll, LongPoll };
    Q_ENUM(Transport)
    enum class State { Idle, Connecting, Open, Reconnecting, Closed, Error };
    Q_ENUM(State)

    struct Options
    {
        QUrl url; ///< The stream's endpoint: `/events`, `/ws` or `/api/events` for Pushboard.
        Transport transport = Transport::Sse;
        QStringList topics;
        QString token;
        TlsTrust tls; ///< Whom to trust for https:// and wss:// (--ca, --pin).
        bool http2 = false; ///< HTTP/2 only (--http2), see StreamConnection::Target.
        int responseTimeoutMs = 30 * 1000; ///< See StreamConnection::Target.
        int pollIntervalMs = 1000; ///< Short polling's interval.
        /// The network access manager for SSE and polling; null: the client's own. Clients that
        /// share one share its connections, as the pages of one browser do: at most six
        /// HTTP/1.1 connections to a host, or one HTTP/2 connection for all.
        QNetworkAccessManager *network = nullptr;
        QString lastEventId; ///< Resume after this id; empty: live only.
        bool reconnect = true;
        /// The reconnection delay until the server sends `retry:` (SSE only does).
        qint64 retryMs = Backoff::DefaultRetryMs;
    };

    explicit StreamClient(QObject *parent = nullptr);
    ~StreamClient() override;

    void start(const Options &options);
    /// Closes the stream; state() becomes Closed.
    void stop();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString lastEventId() const { return m_lastEventId; }
    /// The HTTP version of the open connection ("h2", "http/1.1"); empty before it opens.
    [[nodiscard]] QString protocol() const;
    /// True while a reconnect is scheduled (state Reconnecting).
    [[nodiscard]] bool isReconnectPending() const { return m_reconnect.isActive(); }
    [[nodiscard]] static QString stateName(State state);
    /// The transport a URL implies: ws(s) → WebSocket, else SSE.
    [[nodiscard]] static Transport transportFor(const QUrl &url);

Q_SIGNALS:
    void message(const Pushboard::SseMessage &message);
    /// `delayMs` for Reconnecting; `reason` for Reconnecting, Closed and Error.
    void stateChanged(Pushboard::StreamClient::State state, qint64 delayMs, const QString &reason);

private:
    void connectNow();
    void onReceived(const SseMessage &message);
    void onEnded(const QString &reason, bool fatal);
    void setState(State state, qint64 delayMs = -1, const QString &reason = {});

    Options m_options;
    QNetworkAccessManager m_nam;
    std::unique_ptr<StreamConnection> m_connection;
    Backoff m_backoff;
    QTimer m_reconnect;
    State m_state = State::Idle;
    QString m_lastEventId;
    // Dedupe: the newest numeric id delivered (Pushboard's ids grow), else the last id string.
    std::optional<quint64> m_newestDelivered;
    QString m_lastDeliveredId;
};

} // namespace Pushboard

Q_DECLARE_METATYPE(Pushboard::SseMessage)
