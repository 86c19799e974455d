#pragma once

#include "cors.h"
#include "httpresponder.h"

#include <QJsonObject>
#include <QPointer>

#include <memory>

namespace Pushboard {

class StreamSocket;

/// One answer to one request, on the connection (HTTP/1.1) or stream (HTTP/2) it arrived on:
/// route handlers answer through it, now or later (a parked long poll keeps it), without knowing
/// the protocol (HttpResponder). The headers every answer to this request carries (CORS) are set
/// once by the route table.
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
        PayloadTooLarge = 413,
        UpgradeRequired = 426,
        ServiceUnavailable = 503,
    };

    /// `headRequest`: the answer is to a HEAD request and carries no content.
    HttpReply(HttpResponder *responder, bool headRequest);
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

    /// Answers `200 OK` with `headers` (and the common ones) and `first` as the start of a body
    /// that follows as a stream (SSE), written to the returned socket; nothing else is answered
    /// on this request. Null when the client has gone, and for a HEAD request (answered with the
    /// head alone).
    [[nodiscard]] std::unique_ptr<StreamSocket> startStream(
        const HttpHeaders &headers, const QByteArray &first);

    /// Where the answer goes; null once the client has gone (a parked reply may outlive it).
    /// Its clientGone() tells when that happens.
    [[nodiscard]] HttpResponder *responder() const { return m_responder; }
    /// "address:port" of the client; empty once it has gone.
    [[nodiscard]] QString peer() const;
    /// "http/1.1" or "h2".
    [[nodiscard]] QString protocol() const;
    /// Bytes answered but not yet taken by the network.
    [[nodiscard]] qint64 queuedBytes() const;
    /// Drops the client's connection (HTTP/2: its stream) unanswered, as a broken network would.
    void abort();

    /// The reason phrase of `status` (RFC 9110 15), "Error" for unknown ones.
    [[nodiscard]] static const char *reasonPhrase(int status);

private:
    QPointer<HttpResponder> m_responder;
    HttpHeaders m_commonHeaders;
    bool m_headRequest = false;
    bool m_pending = true; ///< Not answered yet (false once sent or moved from).
};

} // namespace Pushboard
