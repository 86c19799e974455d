#include "ssestream.h"

#include "directwrite.h"
#include "eventstore.h"
#include "protocol/sseencoder.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSse, "pushboard.server.sse", QtInfoMsg)

namespace Pushboard {

namespace {
constexpr int ReplayPage = 500;
// Replay writes another page only while less than this is queued, so memory stays bounded.
constexpr qint64 ReplayLowWater = 256 * 1024;
} // namespace

SseStream::SseStream(HttpReply &&reply, const EventStore *store, QStringList topics,
    std::optional<quint64> replayAfter, qint64 queueLimit, TransportStats *stats, QObject *parent)
    : QObject(parent)
    , m_reply(std::move(reply))
    , m_socket(m_reply.socket())
    , m_store(store)
    , m_topics(std::move(topics))
    , m_cursor(replayAfter.value_or(store->newestId()))
    , m_replaying(replayAfter.has_value())
    , m_queueLimit(queueLimit)
    , m_stats(stats)
    , m_peer(m_socket->peerAddress().toString() + QLatin1Char(':')
          + QString::number(m_socket->peerPort()))
    , m_since(QDateTime::currentDateTimeUtc())
{
    // From now on the socket carries only our stream: the HTTP server must not parse anything
    // more on it, and whatever the client still sends is read and dropped.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this,
        [this] { m_socket->skip(m_socket->bytesAvailable()); });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { finish(false); });
    connect(m_socket, &QObject::destroyed, this, [this] { finish(false); });
}

void SseStream::start(const QByteArray &preamble)
{
    m_reply.startStream({{"Content-Type", "text/event-stream; charset=utf-8"},
        {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}, {"Connection", "close"}});
    // The responder writes header lines only; the blank line that ends the head is ours.
    m_socket->write("\r\n"); // Not counted: bytesSent counts the stream body.
    write(preamble);
    if (m_replaying) {
        connect(m_socket, &QTcpSocket::bytesWritten, this, &SseStream::pumpReplay);
        pumpReplay();
    }
}

ConnectionInfo SseStream::info() const
{
    return ConnectionInfo {QStringLiteral("sse"), m_peer, m_topics, m_since, m_eventsSent,
        m_bytesSent, m_socket ? m_socket->bytesToWrite() : 0};
}

void SseStream::write(const QByteArray &bytes)
{
    if (m_closed || !m_socket)
        return;
    if (!writeDirect(m_socket, bytes)) {
        m_socket->abort();
        finish(false);
        return;
    }
    m_bytesSent += quint64(bytes.size());
    m_stats->bytesSent += quint64(bytes.size());
    if (m_socket->bytesToWrite() > m_queueLimit) {
        qCInfo(lcSse) << "dropping slow subscriber" << m_peer << "with" << m_socket->bytesToWrite()
                      << "bytes queued";
        finish(true); // Before abort(): it emits disconnected() at once.
        m_socket->abort();
    }
}

void SseStream::sendEvent(quint64 id, const QByteArray &bytes)
{
    if (m_replaying || id <= m_cursor)
        return; // Replay reads this event from the store when it gets there.
    m_cursor = id;
    deliver(bytes);
}

void SseStream::deliver(const QByteArray &eventBytes)
{
    ++m_eventsSent;
    ++m_stats->eventsDelivered;
    write(eventBytes);
}

void SseStream::sendRaw(const QByteArray &bytes)
{
    write(bytes);
}

void SseStream::pumpReplay()
{
    while (m_replaying && !m_closed && m_socket && m_socket->bytesToWrite() < ReplayLowWater) {
        const EventList page = m_store->after(m_cursor, m_topics, ReplayPage);
        for (const Event &event : page) {
            m_cursor = event.id;
            deliver(SseEncoder::event(event));
        }
        if (page.size() < ReplayPage) {
            // Everything up to the store's newest id has been seen: live events take over.
            m_cursor = qMax(m_cursor, m_store->newestId());
            m_replaying = false;
            if (m_socket)
                disconnect(m_socket, &QTcpSocket::bytesWritten, this, &SseStream::pumpReplay);
        }
    }
}

void SseStream::close()
{
    if (m_closed)
        return;
    if (m_socket) {
        m_socket->flush();
        m_socket->disconnectFromHost();
    }
    finish(false);
}

void SseStream::finish(bool slow)
{
    if (m_closed)
        return;
    m_closed = true;
    m_replaying = false;
    Q_EMIT closed(slow);
    deleteLater();
}

} // namespace Pushboard
