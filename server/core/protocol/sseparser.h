#pragma once

#include "utf8.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace Pushboard {

/// One event as an EventSource dispatches it (the fields of the DOM MessageEvent).
struct SseMessage
{
    QString type; ///< "message" unless an `event:` field said otherwise.
    QString data;
    QString lastEventId;
    /// The event's own block had an `id` field, so `lastEventId` names this event; otherwise it
    /// is the id carried over from an earlier event (EventSource does that), or empty. Only an
    /// event with its own id can be a duplicate of one delivered before a reconnect.
    bool ownId = false;

    friend bool operator==(const SseMessage &a, const SseMessage &b)
    {
        return a.type == b.type && a.data == b.data && a.lastEventId == b.lastEventId
            && a.ownId == b.ownId;
    }
};

/// An incremental parser of `text/event-stream` that follows the WHATWG HTML "Server-sent events"
/// parsing and interpretation rules byte for byte: UTF-8 decoding with one U+FFFD per maximal
/// subpart of an invalid sequence (Utf8Decoder; also when a sequence is split across feeds), one
/// leading BOM ignored, CR, LF and CRLF line ends (also a CRLF split across feeds), comments,
/// fields without a colon, one leading space of a value stripped, unknown fields ignored, `data`
/// lines joined with LF, no dispatch for empty data, `id` kept across events and ignored when it
/// contains NULL, `retry` only when all ASCII digits, and an unterminated last event never
/// dispatched.
///
/// Memory is bounded against a hostile server: a line, or an event's data, longer than
/// `maxBufferedChars` (DefaultMaxBufferedChars: 16 Mi characters, so a line of several MiB is
/// fine) is an error: hasFailed(), and nothing more is parsed until reset(). The caller ends
/// the connection.
class SseParser
{
public:
    static constexpr qsizetype DefaultMaxBufferedChars = 16 * 1024 * 1024;

    explicit SseParser(qsizetype maxBufferedChars = DefaultMaxBufferedChars)
        : m_maxBuffered(maxBufferedChars)
    { }

    /// Parses the next bytes of the stream; returns the events they completed, in order (those
    /// before an error too).
    QList<SseMessage> feed(QByteArrayView bytes);
    /// A line or an event's data passed the cap; errorString() says so.
    [[nodiscard]] bool hasFailed() const { return !m_error.isEmpty(); }
    [[nodiscard]] QString errorString() const { return m_error; }

    /// The last `retry:` value seen, in ms (nothing before the first).
    [[nodiscard]] std::optional<qint64> retry() const { return m_retry; }
    /// The event source's last event ID (what a reconnect sends as Last-Event-ID).
    [[nodiscard]] QString lastEventId() const { return m_lastEventId; }
    /// Comment lines seen so far (keepalives, for the curious).
    [[nodiscard]] qint64 comments() const { return m_comments; }

    /// Starts a new stream (a reconnect): buffers and the error are cleared, the last event ID
    /// is kept.
    void reset();

private:
    void processLine(QStringView line, QList<SseMessage> &out);
    void dispatch(QList<SseMessage> &out);
    void fail(const char *what);

    qsizetype m_maxBuffered;
    QString m_error;
    Utf8Decoder m_decoder; ///< Keeps a UTF-8 sequence split across feeds.
    QString m_pending; ///< Decoded text not yet ended by a line break.
    bool m_atStart = true; ///< No character decoded yet (for the BOM).
    bool m_lastWasCr = false; ///< The previous line ended with CR: an LF right after belongs to it.
    QString m_data;
    QString m_eventType;
    QString m_lastEventIdBuffer;
    bool m_ownId = false; ///< The block being read has an `id` field.
    QString m_lastEventId;
    std::optional<qint64> m_retry;
    qint64 m_comments = 0;
};

} // namespace Pushboard
