#pragma once

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

    friend bool operator==(const SseMessage &a, const SseMessage &b)
    {
        return a.type == b.type && a.data == b.data && a.lastEventId == b.lastEventId;
    }
};

/// An incremental parser of `text/event-stream` that follows the WHATWG HTML "Server-sent events"
/// parsing and interpretation rules byte for byte: UTF-8 decoding with U+FFFD for invalid bytes
/// (also when a sequence is split across feeds), one leading BOM ignored, CR, LF and CRLF line
/// ends (also a CRLF split across feeds), comments, fields without a colon, one leading space of a
/// value stripped, unknown fields ignored, `data` lines joined with LF, no dispatch for empty
/// data, `id` kept across events and ignored when it contains NULL, `retry` only when all ASCII
/// digits, and an unterminated last event never dispatched.
class SseParser
{
public:
    /// Parses the next bytes of the stream; returns the events they completed, in order.
    QList<SseMessage> feed(QByteArrayView bytes);

    /// The last `retry:` value seen, in ms (nothing before the first).
    [[nodiscard]] std::optional<qint64> retry() const { return m_retry; }
    /// The event source's last event ID (what a reconnect sends as Last-Event-ID).
    [[nodiscard]] QString lastEventId() const { return m_lastEventId; }
    /// Comment lines seen so far (keepalives, for the curious).
    [[nodiscard]] qint64 comments() const { return m_comments; }

    /// Starts a new stream (a reconnect): buffers are cleared, the last event ID is kept.
    void reset();

private:
    void processLine(QStringView line, QList<SseMessage> &out);
    void dispatch(QList<SseMessage> &out);

    QByteArray m_carry; ///< The start of a UTF-8 sequence that the next feed completes.
    QString m_pending; ///< Decoded text not yet ended by a line break.
    bool m_atStart = true; ///< No character decoded yet (for the BOM).
    bool m_lastWasCr = false; ///< The previous line ended with CR: an LF right after belongs to it.
    QString m_data;
    QString m_eventType;
    QString m_lastEventIdBuffer;
    QString m_lastEventId;
    std::optional<qint64> m_retry;
    qint64 m_comments = 0;
};

} // namespace Pushboard
