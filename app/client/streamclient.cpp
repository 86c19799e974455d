#include "streamclient.h"

#include "event.h"
#include "pollconnection.h"
#include "sseconnection.h"
#include "wsconnection.h"

namespace Pushboard {

StreamClient::StreamClient(QObject *parent)
    : QObject(parent)
{
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &StreamClient::connectNow);
}

StreamClient::~StreamClient() = default;

StreamClient::Transport StreamClient::transportFor(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == QLatin1String("ws") || scheme == QLatin1String("wss") ? Transport::WebSocket
                                                                           : Transport::Sse;
}

QString StreamClient::stateName(State state)
{
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Open:
        return QStringLiteral("open");
    case State::Reconnecting:
        return QStringLiteral("reconnecting");
    case State::Closed:
        return QStringLiteral("closed");
    case State::Error:
        return QStringLiteral("error");
    }
    return {};
}

void StreamClient::start(const Options &options)
{
    stop();
    m_options = options;
    m_lastEventId = options.lastEventId;
    m_newestDelivered.reset();
    m_lastDeliveredId.clear();
    quint64 id = 0;
    if (parseEventId(m_lastEventId.toUtf8(), &id))
        m_newestDelivered = id;
    m_backoff = Backoff();
    m_backoff.setRetry(options.retryMs);

    const StreamConnection::Target target {options.url, options.topics, options.token, options.tls,
        options.http2, options.responseTimeoutMs, options.pollIntervalMs};
    QNetworkAccessManager *network = options.network ? options.network : &m_nam;
    switch (options.transport) {
    case Transport::Sse:
        m_connection = std::make_unique<SseConnection>(target, network);
        break;
    case Transport::WebSocket:
        m_connection = std::make_unique<WsConnection>(target);
        break;
    case Transport::Poll:
    case Transport::LongPoll:
        m_connection = std::make_unique<PollConnection>(
            target, options.transport == Transport::LongPoll, network);
        break;
    }
    connect(m_connection.get(), &StreamConnection::opened, this, [this] {
        m_backoff.succeeded();
        setState(State::Open);
    });
    connect(m_connection.get(), &StreamConnection::received, this, &StreamClient::onReceived);
    connect(m_connection.get(), &StreamConnection::lastEventIdChanged, this,
        [this](const QString &id) { m_lastEventId = id; });
    connect(m_connection.get(), &StreamConnection::retryRequested, this,
        [this](qint64 ms) { m_backoff.setRetry(ms); });
    connect(m_connection.get(), &StreamConnection::ended, this, &StreamClient::onEnded);
    connectNow();
}

QString StreamClient::protocol() const
{
    return m_connection ? m_connection->protocol() : QString();
}

void StreamClient::stop()
{
    m_reconnect.stop();
    if (m_connection) {
        m_connection->disconnect(this);
        m_connection->close();
        // Later: stop() may run inside one of the connection's own signals.
        m_connection.release()->deleteLater();
        setState(State::Closed, -1, QStringLiteral("stopped"));
    }
}

void StreamClient::connectNow()
{
    setState(State::Connecting);
    m_connection->open(m_lastEventId);
}

void StreamClient::onReceived(const SseMessage &received)
{
    if (received.type == QLatin1String("reset")) {
        // The server's log was wiped: ids start over below what we have seen.
        m_newestDelivered.reset();
        m_lastDeliveredId.clear();
    } else if (received.ownId && !received.lastEventId.isEmpty()) {
        // Only an event that names itself can repeat one delivered before a reconnect; one
        // without an `id` field carries an older event's id and is new (EventSource shows it).
        quint64 id = 0;
        if (parseEventId(received.lastEventId.toUtf8(), &id)) {
            if (m_newestDelivered && id <= *m_newestDelivered)
                return; // Already delivered before a reconnect.
            m_newestDelivered = id;
        } else if (received.lastEventId == m_lastDeliveredId) {
            return;
        }
        m_lastDeliveredId = received.lastEventId;
    }
    // The resume point is the event source's last event ID, an empty one included: after an
    // empty `id:` field a reconnect sends no Last-Event-ID (WHATWG HTML 9.2).
    m_lastEventId = received.lastEventId;
    Q_EMIT message(received);
}

void StreamClient::onEnded(const QString &reason, bool fatal)
{
    if (fatal) {
        setState(State::Error, -1, reason);
        return;
    }
    if (!m_options.reconnect) {
        setState(State::Closed, -1, reason);
        return;
    }
    const qint64 delay = m_backoff.nextDelay();
    setState(State::Reconnecting, delay, reason);
    m_reconnect.start(int(qMin<qint64>(delay, std::numeric_limits<int>::max())));
}

void StreamClient::setState(State state, qint64 delayMs, const QString &reason)
{
    m_state = state;
    Q_EMIT stateChanged(state, delayMs, reason);
}

} // namespace Pushboard
