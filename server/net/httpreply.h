#pragma once

#include "cors.h"

#include <QHttpServerResponder>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

namespace Pushboard {

/// One answer to one request: the responder plus the headers (CORS) every answer to this request
/// carries. Route handlers answer through it, now or later (a parked long poll keeps it).
class HttpReply
{
public:
    using StatusCode = QHttpServerResponder::StatusCode;

    HttpReply(QHttpServerResponder &&responder, HttpHeaders commonHeaders);
    HttpReply(HttpReply &&) = default;

    /// A complete answer with `Content-Length`.
    void send(StatusCode status, const QByteArray &body, const QByteArray &contentType,
        const HttpHeaders &extraHeaders = {});
    void sendJson(const QJsonObject &body, StatusCode status = StatusCode::Ok);
    /// `{"error": reason}`.
    void sendError(StatusCode status, const QString &reason, const HttpHeaders &extraHeaders = {});

    /// The complete head (`200 OK`, `headers`, the common headers, the blank line) of a body that
    /// follows as a stream (SSE). The caller writes it and the body to socket() itself, so that
    /// nothing goes through the responder's (and the socket's) write buffer.
    [[nodiscard]] QByteArray streamHead(const HttpHeaders &headers) const;

    /// The connection, or null once the client has gone (a parked reply may outlive it).
    [[nodiscard]] QTcpSocket *socket() const { return m_socket; }

private:
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    HttpHeaders m_commonHeaders;
};

} // namespace Pushboard
