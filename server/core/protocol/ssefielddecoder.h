#pragma once

#include "sseparser.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Pushboard {

/// One line of a `text/event-stream` as it was sent.
struct SseLine
{
    enum class Kind { Field, Comment, Blank };
    Kind kind = Kind::Field;
    QByteArray raw; ///< The line's bytes with its line end.
    QString name; ///< Field: the name ("data", "id", ...; also unknown ones). Comment: empty.
    QString value; ///< Field: the value, one leading space removed. Comment: the text after ':'.
};

/// One block of lines up to the blank line that ends it, with what an EventSource makes of it.
struct SseBlock
{
    QByteArray raw; ///< Every line's bytes, the blank line included.
    QList<SseLine> lines;
    /// The event the block dispatched (none for a block without data, or only comments).
    std::optional<SseMessage> event;
    /// The event source's last event ID after the block (what a reconnect would send).
    QString lastEventId;
    /// The reconnection time a valid `retry:` field of this block set, in ms.
    std::optional<qint64> retry;
    /// The stream ended before the blank line: the block is not dispatched (WHATWG 9.2.6).
    bool truncated = false;

    [[nodiscard]] bool isCommentOnly() const;
};

/// An incremental, field-level decoder of `text/event-stream` for the inspector: the body's bytes
/// in, split anywhere; blocks out, each with its lines exactly as sent and the event it
/// dispatches. Dispatch is SseParser's (the client's own WHATWG rules), so what the inspector
/// shows and what a client receives cannot disagree.
///
/// Lines end at CR, LF or CRLF; a line ending in CR at the end of the bytes so far waits for
/// the next byte (it may be the LF of a CRLF). A block larger than `maxBlockBytes` is an error:
/// hasFailed(), and nothing more is decoded.
class SseFieldDecoder
{
public:
    static constexpr qsizetype DefaultMaxBlockBytes = 4 * 1024 * 1024;

    explicit SseFieldDecoder(qsizetype maxBlockBytes = DefaultMaxBlockBytes);

    QList<SseBlock> feed(QByteArrayView bytes);
    /// The stream ended: the block under way, if any, as a truncated one.
    std::optional<SseBlock> finish();

    [[nodiscard]] bool hasFailed() const { return !m_error.isEmpty(); }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// Bytes held for a block not yet ended.
    [[nodiscard]] qsizetype pendingBytes() const { return m_pending.size() + m_block.raw.size(); }

private:
    void addLine(QByteArrayView raw, QByteArrayView text, QList<SseBlock> &out);

    qsizetype m_maxBlock;
    SseParser m_parser;
    QByteArray m_pending; ///< Bytes of a line not yet ended.
    SseBlock m_block;
    bool m_first = true; ///< No line yet (a BOM may lead the first).
    QString m_error;
};

} // namespace Pushboard
