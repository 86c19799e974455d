#include "httpreply.h"

#include "streamsocket.h"

#include <QJsonDocument>

namespace Pushboard {

HttpReply::HttpReply(HttpResponder *responder, bool headRequest)
    : m_responder(responder)
    , m_headRequest(headRequest)
{ }

HttpReply::HttpReply(HttpReply &&other) noexcept
    : m_responder(std::exchange(other.m_responder, nullptr))
    , m_commonHeaders(std::move(other.m_commonHeaders))
    , m_headRequest(other.m_headRequest)
    , m_pending(std::exchange(other.m_pending, false))
{ }

HttpReply::~HttpReply()
{
    if (m_pending && m_responder && m_responder->isWaitingForReply())
        sendError(StatusCode::ServiceUnavailable,
            QStringLiteral("the server could not answer this request (it is shutting down?)"));
}

const char *HttpReply::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 417:
        return "Expectation Failed";
    case 421:
        return "Misdirected Request";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

void HttpReply::send(StatusCode status, const QByteArray &body, const QByteArray &contentType,
    const HttpHeaders &extraHeaders)
{
    if (!std::exchange(m_pending, false) || !m_responder)
        return; // Answered already, or the client has gone.
    HttpHeaders headers {{"Content-Type", contentType}};
    headers += extraHeaders;
    headers += m_commonHeaders;
    m_responder->respond(int(status), headers, body, m_headRequest);
}

void HttpReply::sendJson(const QJsonObject &body, StatusCode status)
{
    send(status, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json",
        {{"Cache-Control", "no-store"}});
}

void HttpReply::sendError(StatusCode status, const QString &reason, const HttpHeaders &extraHeaders)
{
    send(status,
        QJsonDocument(QJsonObject {{QStringLiteral("error"), reason}})
            .toJson(QJsonDocument::Compact),
        "application/json", extraHeaders);
}

std::unique_ptr<StreamSocket> HttpReply::startStream(
    const HttpHeaders &headers, const QByteArray &first)
{
    if (!std::exchange(m_pending, false) || !m_responder)
        return nullptr;
    if (m_headRequest) { // The stream's head alone; its body never starts.
        m_responder->respond(int(StatusCode::Ok), headers + m_commonHeaders, {}, true);
        return nullptr;
    }
    return m_responder->startStream(headers + m_commonHeaders, first);
}

QString HttpReply::peer() const
{
    return m_responder ? m_responder->peer() : QString();
}

QString HttpReply::protocol() const
{
    return m_responder ? m_responder->protocol() : QString();
}

qint64 HttpReply::queuedBytes() const
{
    return m_responder ? m_responder->queuedBytes() : 0;
}

void HttpReply::abort()
{
    m_pending = false;
    if (m_responder)
        m_responder->abort();
}

} // namespace Pushboard
