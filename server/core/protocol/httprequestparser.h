#pragma once

#include <QByteArray>
#include <QList>
#include <QUrl>

#include <optional>
#include <utility>

namespace Pushboard {

/// One HTTP/1.x request as the server's routes see it: the body is complete and already decoded
/// from chunked transfer coding, whatever the client sent.
class HttpRequest
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    HttpRequest() = default;
    /// A request that did not come through the parser (an HTTP/2 stream's, `version` "HTTP/2").
    HttpRequest(
        QByteArray method, QByteArray target, QByteArray version, Headers headers, QByteArray body)
        : m_method(std::move(method))
        , m_target(std::move(target))
        , m_version(std::move(version))
        , m_headers(std::move(headers))
        , m_body(std::move(body))
    { }

    [[nodiscard]] const QByteArray &method() const { return m_method; }
    /// The request-target exactly as sent.
    [[nodiscard]] const QByteArray &target() const { return m_target; }
    /// "HTTP/1.0", "HTTP/1.1" or "HTTP/2".
    [[nodiscard]] const QByteArray &version() const { return m_version; }
    /// Path and query of the target (also for an absolute-form target).
    [[nodiscard]] QUrl url() const;
    /// Header lines in order, names as sent, values without surrounding white space.
    [[nodiscard]] const Headers &headers() const { return m_headers; }
    /// The first value of header `name` (any case); empty when absent.
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    /// True when header `name` has `token` in its comma-separated list (any case).
    [[nodiscard]] bool hasToken(QByteArrayView name, QByteArrayView token) const;
    [[nodiscard]] const QByteArray &body() const { return m_body; }

    /// RFC 9112 9.3: HTTP/1.1 stays open unless `Connection: close`; HTTP/1.0 closes unless
    /// `Connection: keep-alive`.
    [[nodiscard]] bool keepAlive() const;
    /// A WebSocket opening handshake (RFC 6455 4.2.1): GET, `Upgrade: websocket` and `Connection`
    /// naming `upgrade`. An upgrade offer on any other request is ignored (RFC 9110 7.8).
    [[nodiscard]] bool isWebSocketUpgrade() const;

private:
    friend class HttpRequestParser;
    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_version;
    Headers m_headers;
    QByteArray m_body;
};

/// An incremental parser of HTTP/1.0 and HTTP/1.1 requests (RFC 9112) for a server that must stay
/// up against any client: bytes go in as they arrive, split anywhere, and come out as complete
/// requests or as one error with the status to answer.
///
/// It frames `Content-Length` and `chunked` bodies (chunk extensions and trailer fields read and
/// ignored), and holds everything to limits decided as the bytes arrive, never after buffering
/// them: a head over `maxHeadBytes` is a 431, a body whose declared or decoded size passes
/// `maxBodyBytes` is a 413 at once. Errors: 400 (malformed request line, header line, target,
/// `Content-Length`, chunk framing; a missing or repeated `Host` in HTTP/1.1; both
/// `Content-Length` and `Transfer-Encoding`), 417 (an `Expect` other than 100-continue), 501
/// (an unknown method or transfer coding), 505 (a version other than 1.0 or 1.1). After an
/// error the parser stays failed: the connection must be closed.
class HttpRequestParser
{
public:
    struct Limits
    {
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 64 * 1024;
    };
    struct Error
    {
        int status = 400;
        QString reason;
    };
    enum class Status {
        NeedMore, ///< Every byte fed so far is used; a request is under way or none started.
        Complete, ///< takeRequest() has the next request; more may be buffered behind it.
        Failed, ///< error() says why; nothing more will be parsed.
    };

    HttpRequestParser()
        : HttpRequestParser(Limits())
    { }
    explicit HttpRequestParser(Limits limits);

    /// Adds received bytes (they are kept until parsed; call parse()).
    void feed(QByteArrayView bytes);
    /// Parses as far as the buffered bytes go, stopping after one complete request.
    Status parse();
    /// The request that parse() completed.
    [[nodiscard]] HttpRequest takeRequest();
    [[nodiscard]] const Error &error() const { return m_error; }

    /// True while a request head has started but not ended (its read deadline runs).
    [[nodiscard]] bool isInHead() const { return m_state == State::Head && !m_buffer.isEmpty(); }
    /// True once per request whose head asked `Expect: 100-continue` and whose body is due.
    [[nodiscard]] bool takeContinueRequest() { return std::exchange(m_continue, false); }
    /// Bytes received after the last complete request and not parsed (an upgraded connection's
    /// first frames); the parser is empty afterwards.
    [[nodiscard]] QByteArray takeBuffered() { return std::exchange(m_buffer, {}); }
    /// Bytes held now (bounded by the limits plus one read).
    [[nodiscard]] qsizetype bufferedBytes() const { return m_buffer.size(); }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done, Failed };

    Status fail(int status, const QString &reason);
    Status parseHead(qsizetype end);
    /// Moves up to m_remaining body bytes from the buffer to the request; true when all came.
    bool takeBody();
    std::optional<QByteArray> takeLine(qsizetype maxLength, bool *tooLong);

    Limits m_limits;
    State m_state = State::Head;
    QByteArray m_buffer;
    qsizetype m_scanned = 0; ///< Head bytes already searched for the blank line.
    HttpRequest m_request;
    qint64 m_remaining = 0; ///< Body or chunk bytes still to read.
    qint64 m_trailerBytes = 0;
    bool m_continue = false;
    Error m_error;
};

} // namespace Pushboard
