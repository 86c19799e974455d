#pragma once

#include "cors.h"

#include <QHttpServerResponder>
#include <QJsonObject>

class QTcpSocket;

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

    /// The status line and headers of a body that follows as a stream (SSE); the caller writes
    /// the blank line that ends the head, then the body, to socket().
    void startStream(const HttpHeaders &headers);

    [[nodiscard]] QTcpSocket *socket() const { return m_responder.socket(); }

private:
    QHttpServerResponder m_responder;
    HttpHeaders m_commonHeaders;
};

} // namespace Pushboard
