#pragma once

#include "cors.h"

#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

namespace Pushboard {

class HttpConnection;

/// One answer to one request, on the connection it arrived on: route handlers answer through it,
/// now or later (a parked long poll keeps it). The headers every answer to this request carries
/// (CORS) are set once by the route table.
///
/// A reply that is destroyed unanswered answers 503 itself, so that a connection is never left
/// waiting for an answer that will not come (requests on a connection are answered in order).
class HttpReply
{
public:
    enum class StatusCode {
        Ok = 200,
        Accepted = 202,
        NoContent = 204,
        BadRequest = 400,
        Unauthorized = 401,
        Forbidden = 403,
        NotFound = 404,
        MethodNotAllowed = 405,
        UpgradeRequired = 426,
        ServiceUnavailable = 503,
    };

    /// `headRequest`: the answer is to a HEAD request and carries no content.
    HttpReply(HttpConnection *connection, bool headRequest);
    HttpReply(HttpReply &&other) noexcept;
    HttpReply &operator=(HttpReply &&) = delete;
    ~HttpReply();

    void setCommonHeaders(HttpHeaders headers) { m_commonHeaders = std::move(headers); }

    /// A complete answer with `Content-Length`.
    void send(StatusCode status, const QByteArray &body, const QByteArray &contentType,
        const HttpHeaders &extraHeaders = {});
    void sendJson(const QJsonObject &body, StatusCode status = StatusCode::Ok);
    /// `{"error": reason}`.
    void sendError(StatusCode status, const QString &reason, const HttpHeaders &extraHeaders = {});

    /// The complete head (`200 OK`, `headers`, the common headers, the blank line) of a body that
    /// follows as a stream (SSE). The caller writes it and the body to socket() itself, after
    /// taking the connection over (the HTTP connection then ends; nothing else is read from it).
    [[nodiscard]] QByteArray streamHead(const HttpHeaders &headers) const;

    /// The connection, or null once the client has gone (a parked reply may outlive it).
    [[nodiscard]] QTcpSocket *socket() const;
    /// Ends HTTP on this connection and returns its socket for a stream that follows the head
    /// (SSE): nothing more is read or answered as HTTP. Null when the client has gone.
    [[nodiscard]] QTcpSocket *takeSocket();
    /// Hands the socket over for good (HttpConnection::detachSocket()): the caller owns it. Null
    /// when the client has gone.
    [[nodiscard]] QTcpSocket *detachSocket();

    /// The reason phrase of `status` (RFC 9110 15), "Error" for unknown ones.
    [[nodiscard]] static const char *reasonPhrase(int status);

private:
    QPointer<HttpConnection> m_connection;
    HttpHeaders m_commonHeaders;
    bool m_headRequest = false;
    bool m_pending = true; ///< Not answered yet (false once sent or moved from).
};

} // namespace Pushboard
