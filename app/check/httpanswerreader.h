#pragma once

#include "protocol/chunkeddecoder.h"
#include "protocol/httphead.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace Pushboard {

/// Reads one HTTP/1.1 answer off the wire for `pushboard check`, whatever the server sends:
/// the head (up to MaxHeadBytes), then the body after its framing (chunked, Content-Length, or
/// until the connection closes) and its content coding (gzip, deflate), or after a `101` the
/// bytes of the protocol switched to, unchanged. Pure: bytes in, split anywhere, and what they
/// completed out; the socket is ProbeConnection's.
///
/// Bounded against a hostile server: a head over MaxHeadBytes, bad chunked framing, a coding it
/// cannot decode, or one read that inflates past MaxInflatedBytes is an error, after which
/// nothing more is read.
class HttpAnswerReader
{
public:
    static constexpr qsizetype MaxHeadBytes = 64 * 1024;
    static constexpr qsizetype MaxInflatedBytes = 16 * 1024 * 1024;

    /// `headRequest`: the answer to a HEAD has no body.
    explicit HttpAnswerReader(bool headRequest = false);
    ~HttpAnswerReader();
    HttpAnswerReader(const HttpAnswerReader &) = delete;
    HttpAnswerReader &operator=(const HttpAnswerReader &) = delete;

    /// What one feed() completed.
    struct Output
    {
        bool headCompleted = false; ///< head() is now complete.
        QByteArray body; ///< Body bytes, decoded.
        QByteArray upgraded; ///< Bytes after a 101 answer.
        bool bodyEnded = false; ///< The body's framing ended (or it has none).
    };
    Output feed(QByteArrayView bytes);

    [[nodiscard]] bool hasHead() const { return m_state != State::Head; }
    [[nodiscard]] const HttpHead &head() const { return m_head; }
    /// The head's bytes exactly as they came.
    [[nodiscard]] QByteArray rawHead() const { return m_rawHead; }
    [[nodiscard]] bool isUpgraded() const { return m_state == State::Upgraded; }
    [[nodiscard]] bool isDone() const { return m_state == State::Done; }
    /// True when the connection closing now ends the body cleanly (it is read until close, or
    /// already ended).
    [[nodiscard]] bool closeEndsBody() const;
    [[nodiscard]] bool hasFailed() const { return m_state == State::Failed; }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// The body's content coding as the server named it (empty: none).
    [[nodiscard]] QByteArray contentCoding() const { return m_coding; }

private:
    enum class State { Head, Chunked, Length, UntilClose, Upgraded, Done, Failed };
    void fail(const QString &why);
    void readBody(QByteArrayView bytes, Output &out);
    void decode(QByteArrayView bytes, Output &out);
    bool startInflating();

    bool m_headRequest;
    State m_state = State::Head;
    QByteArray m_buffer; ///< Head bytes not yet complete.
    QByteArray m_rawHead;
    HttpHead m_head;
    ChunkedDecoder m_chunked;
    qint64 m_remaining = 0;
    QByteArray m_coding;
    struct Inflater;
    std::unique_ptr<Inflater> m_inflater;
    QString m_error;
};

} // namespace Pushboard
