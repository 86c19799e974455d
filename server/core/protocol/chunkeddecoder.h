#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Pushboard {

/// An incremental decoder of the chunked transfer coding (RFC 9112 section 7.1) for an observer:
/// wire bytes in, split anywhere; the body's bytes out, with the count of chunks and where the
/// body ended. Chunk extensions and trailer fields are read and skipped. A chunk-size line over
/// 1 KiB, a size that is not hex or passes 2^62, or a chunk not ended by CRLF is an error.
class ChunkedDecoder
{
public:
    /// Decodes what it can of `bytes`; appends the body's bytes to `out` and returns how many
    /// of `bytes` it used (all of them until the body ends; after the end the rest belongs to
    /// the next message).
    qsizetype feed(QByteArrayView bytes, QByteArray &out);

    /// The last chunk and the trailer section have been read.
    [[nodiscard]] bool isDone() const { return m_state == State::Done; }
    [[nodiscard]] bool hasFailed() const { return m_state == State::Failed; }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// Chunks with data read so far (the last, empty chunk not counted).
    [[nodiscard]] qint64 chunks() const { return m_chunks; }
    /// Framing bytes (size lines, CRLFs, trailers) read so far.
    [[nodiscard]] qint64 framingBytes() const { return m_framing; }

private:
    enum class State { Size, Data, DataEnd, Trailer, Done, Failed };

    void fail(const QString &why);

    State m_state = State::Size;
    QByteArray m_line; ///< A size or trailer line not yet ended.
    qint64 m_remaining = 0;
    qint64 m_chunks = 0;
    qint64 m_framing = 0;
    QString m_error;
};

} // namespace Pushboard
