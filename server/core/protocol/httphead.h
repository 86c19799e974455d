#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace Pushboard {

/// One HTTP/1.x message head (RFC 9112 section 2.1) as an observer reads it off the wire: the
/// request line or the status line, then the header lines. For the inspector, which must show
/// whatever a peer sent, so it is lenient where a server would refuse (a bare LF ends a line, as
/// RFC 9112 2.2 allows a recipient to accept) and strict only where the head cannot be read.
struct HttpHead
{
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    bool isRequest = true;
    QByteArray method; ///< Request: "GET", ...
    QByteArray target; ///< Request: the request-target as sent.
    QByteArray version; ///< "HTTP/1.1"
    int status = 0; ///< Response: the status code.
    QByteArray reasonPhrase; ///< Response: the reason phrase (may be empty).
    Headers headers; ///< In order, names as sent, values without surrounding white space.
    qsizetype size = 0; ///< Bytes of the head on the wire, the blank line included.

    /// The first value of header `name` (any case); empty when absent.
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    [[nodiscard]] bool has(QByteArrayView name) const;
    /// True when header `name` has `token` in its comma-separated list (any case).
    [[nodiscard]] bool hasToken(QByteArrayView name, QByteArrayView token) const;
    /// "GET /events HTTP/1.1" or "HTTP/1.1 200 OK".
    [[nodiscard]] QByteArray startLine() const;
};

/// True when `text` is an RFC 9110 token (5.6.2): a method or a field name.
[[nodiscard]] bool isHttpToken(QByteArrayView text);

/// What parseHttpHead() found at the start of a buffer.
struct HttpHeadResult
{
    enum class Status {
        NeedMore, ///< No blank line yet, and fewer than the maximum bytes.
        Complete, ///< `head` is complete; its bytes are `head.size`.
        Malformed, ///< `error` says why; the bytes are not an HTTP/1.x head.
    };
    Status status = Status::NeedMore;
    HttpHead head;
    QString error;
};

/// Reads the HTTP/1.x head at the start of `bytes` (a request when `request`, else a response).
/// A head longer than `maxBytes` without its blank line is Malformed. Pure: call it again with
/// more bytes after NeedMore (the inspector's decoders do, on every read).
[[nodiscard]] HttpHeadResult parseHttpHead(QByteArrayView bytes, bool request, qsizetype maxBytes);

} // namespace Pushboard
