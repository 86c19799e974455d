#include "ssestream.h"

#include "eventlog.h"
#include "protocol/sseencoder.h"
#include "streamsocket.h"
#include "wirecapture.h"

#include <QLoggingCategory>
#include <QScopedValueRollback>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcSse, "pushboard.server.sse", QtInfoMsg)

namespace Pushboard {

namespace {
constexpr int ReplayPage = 500;
// Replay writes another page only while less than this is queued, so memory stays bounded.
constexpr qint64 ReplayLowWater = 256 * 1024;
} // namespace

SseStream::SseStream(HttpReply &&reply, const EventLog *store, QStringList topics,
    std::optional<quint64> replayAfter, qint64 queueLimit, TransportStats *stats, QObject *parent)
    : QObject(parent)
    , m_reply(std::move(reply))
    , m_store(store)
    , m_topics(std::move(topics))
    , m_cursor(replayAfter.value_or(store->newestId()))
    , m_replaying(replayAfter.has_value())
    , m_queueLimit(queueLimit)
    , m_stats(stats)
    , m_since(QDateTime::currentDateTimeUtc())
{ }

SseStream::~SseStream() = default;

void SseStream::start(const QByteArray &preamble)
{
    m_wireId = m_reply->responder() ? m_reply->responder()->streamWireId() : 0;
    m_socket = m_reply->startStream({{"Content-Type", "text/event-stream; charset=utf-8"},
                                        {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}},
        preamble);
    m_reply.reset();
    if (!m_socket) { // The client left while the start waited (an injected stall or latency).
        finish(false);
        return;
    }
    m_http2 = m_socket->protocol() == QLatin1String("h2");
    m_bytesSent += quint64(preamble.size());
    m_stats->bytesSent += quint64(preamble.size());
    connect(m_socket.get(), &StreamSocket::disconnected, this, [this] { finish(false); });
    Q_EMIT opened();
    if (m_replaying) {
        connect(m_socket.get(), &StreamSocket::bytesWritten, this, &SseStream::pumpReplay);
        pumpReplay();
    }
}

bool SseStream::ownsConnection() const
{
    return m_socket && !m_http2;
}

ConnectionInfo SseStream::info() const
{
    ConnectionInfo info {QStringLiteral("sse"), m_socket ? m_socket->peer() : QString(), m_topics,
        m_since, m_eventsSent, m_bytesSent, m_socket ? m_socket->queuedBytes() : 0};
    info.protocol = m_socket ? m_socket->protocol() : QString();
    return info;
}

void SseStream::write(const QByteArray &bytes)
{
    if (m_closed || !m_socket)
        return;
    if (m_capture && m_wireId != 0)
        m_capture->wrote(m_wireId, bytes);
    if (!m_socket->write(bytes))
        return; // disconnected() has closed this stream.
    m_bytesSent += quint64(bytes.size());
    m_stats->bytesSent += quint64(bytes.size());
    if (m_socket->queuedBytes() > m_queueLimit) {
        qCInfo(lcSse) << "dropping slow subscriber" << m_socket->peer() << "with"
                      << m_socket->queuedBytes() << "bytes queued";
        m_socket->abort();
        finish(true);
    }
}

void SseStream::deliver(const QByteArray &eventBytes)
{
    ++m_eventsSent;
    ++m_stats->eventsDelivered;
    write(eventBytes);
}

void SseStream::sendEvent(quint64 id, const QByteArray &bytes)
{
    if (!m_socket || m_replaying || id <= m_cursor)
        return; // Not started yet, or replay reads this event from the store when it gets there.
    m_cursor = id;
    deliver(bytes);
}

void SseStream::sendRaw(const QByteArray &bytes)
{
    write(bytes);
}

void SseStream::pumpReplay()
{
    // Never re-entered: a socket that reports bytesWritten() from inside write() would have the
    // nested call deliver from the cursor while this one goes on with its page.
    if (m_pumping)
        return;
    const QScopedValueRollback pumping(m_pumping, true);
    // Replay as fast as the client reads, never queueing more than half the limit: a resuming
    // client is not a slow one.
    const qint64 lowWater = qMin(ReplayLowWater, m_queueLimit / 2);
    while (m_replaying && !m_closed && m_socket->queuedBytes() < lowWater) {
        const EventList page = m_store->after(m_cursor, m_topics, ReplayPage);
        for (const Event &event : page) {
            if (m_closed || m_socket->queuedBytes() >= lowWater)
                return; // The rest follows on bytesWritten(), from m_cursor.
            m_cursor = event.id;
            deliver(SseEncoder::event(event));
        }
        if (page.size() < ReplayPage) {
            // Everything up to the store's newest id has been seen: live events take over.
            m_cursor = qMax(m_cursor, m_store->newestId());
            m_replaying = false;
            if (m_socket)
                disconnect(
                    m_socket.get(), &StreamSocket::bytesWritten, this, &SseStream::pumpReplay);
        }
    }
}

void SseStream::close()
{
    if (m_closed)
        return;
    if (m_socket)
        m_socket->close();
    finish(false);
}

void SseStream::abort()
{
    if (m_socket)
        m_socket->abort();
    finish(false);
}

void SseStream::finish(bool slow)
{
    if (m_closed)
        return;
    m_closed = true;
    m_replaying = false;
    if (m_capture && m_wireId != 0)
        m_capture->closed(m_wireId,
            slow ? QStringLiteral("dropped: too slow a reader") : QStringLiteral("closed"));
    Q_EMIT closed(slow);
    deleteLater();
}

} // namespace Pushboard
