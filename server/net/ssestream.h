#pragma once

#include "connectioninfo.h"
#include "event.h"
#include "httpreply.h"

#include <QDateTime>
#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace Pushboard {

class WireCapture;

class EventLog;
class StreamSocket;

/// One subscriber of `GET /events`.
///
/// start() writes the head and the stream's preamble, takes the connection over from the HTTP
/// server (StreamSocket), replays retained events page by page as the connection drains (a long
/// replay never holds the whole log in memory), then writes live events. Closes itself when the
/// peer disconnects or when its queued bytes pass the limit (a subscriber that does not read);
/// it then deletes itself later.
class SseStream : public QObject
{
    Q_OBJECT

public:
    /// `replayAfter`: resume point, or nothing for a live-only subscriber. `stats` (the
    /// publisher's) is counted up as this stream delivers.
    SseStream(HttpReply &&reply, const EventLog *store, QStringList topics,
        std::optional<quint64> replayAfter, qint64 queueLimit, TransportStats *stats,
        QObject *parent = nullptr);
    ~SseStream() override;

    /// Reports this stream's bytes to `capture` (set before start()).
    void setWireCapture(WireCapture *capture) { m_capture = capture; }

    /// Writes status line, headers and `preamble` (retry, gap or reset), then starts the replay.
    void start(const QByteArray &preamble);

    /// The topics this subscriber asked for; empty: every topic.
    [[nodiscard]] const QStringList &topics() const { return m_topics; }
    [[nodiscard]] bool isOpen() const { return !m_closed; }
    /// True when the stream has a connection of its own (HTTP/1.1), false when it is one stream of
    /// an HTTP/2 connection (or not started).
    [[nodiscard]] bool ownsConnection() const;

    /// Writes one live event's bytes (shared by every subscriber) unless replay still owns it.
    void sendEvent(quint64 id, const QByteArray &bytes);
    /// Writes bytes that carry no event (keepalive comments).
    void sendRaw(const QByteArray &bytes);
    /// Sends what the kernel takes now and closes the connection.
    void close();
    /// Drops the connection at once.
    void abort();

    /// This stream as `GET /api/connections` lists it.
    [[nodiscard]] ConnectionInfo info() const;

Q_SIGNALS:
    /// The response head went out: the stream is open (see ownsConnection()).
    void opened();
    /// The connection ended; `slow` when it was dropped for not reading.
    void closed(bool slow);

private:
    void write(const QByteArray &bytes);
    void deliver(const QByteArray &eventBytes);
    void pumpReplay();
    void finish(bool slow);

    std::optional<HttpReply> m_reply; ///< Until start() has taken the connection over.
    std::unique_ptr<StreamSocket> m_socket;
    bool m_http2 = false; ///< A stream of an HTTP/2 connection (which it does not own).
    WireCapture *m_capture = nullptr;
    quint64 m_wireId = 0; ///< 0: the connection reports its own bytes (HTTP/2).
    const EventLog *m_store;
    QStringList m_topics;
    quint64 m_cursor = 0; ///< Newest id this subscriber has been given (or skipped by filter).
    bool m_replaying = false;
    bool m_pumping = false; ///< pumpReplay() is running.
    bool m_closed = false;
    qint64 m_queueLimit;
    TransportStats *m_stats;
    QDateTime m_since;
    quint64 m_eventsSent = 0;
    quint64 m_bytesSent = 0;
};

} // namespace Pushboard
