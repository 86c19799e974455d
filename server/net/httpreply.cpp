#include "httpreply.h"

#include "httpconnection.h"

#include <QJsonDocument>

namespace Pushboard {

HttpReply::HttpReply(HttpConnection *connection, bool headRequest)
    : m_connection(connection)
    , m_headRequest(headRequest)
{ }

HttpReply::HttpReply(HttpReply &&other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr))
    , m_commonHeaders(std::move(other.m_commonHeaders))
    , m_headRequest(other.m_headRequest)
    , m_pending(std::exchange(other.m_pending, false))
{ }

HttpReply::~HttpReply()
{
    if (m_pending && m_connection && m_connection->isWaitingForReply())
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
    if (!std::exchange(m_pending, false) || !m_connection)
        return; // Answered already, or the client has gone.
    const QByteArray connection = m_connection->connectionHeader();
    QByteArray head = "HTTP/1.1 " + QByteArray::number(int(status)) + ' '
        + reasonPhrase(int(status)) + "\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const HttpHeaders *list :
        {&extraHeaders, const_cast<const HttpHeaders *>(&m_commonHeaders)}) {
        for (const auto &[name, value] : *list)
            head += name + ": " + value + "\r\n";
    }
    if (!connection.isEmpty())
        head += "Connection: " + connection + "\r\n";
    head += "\r\n";
    // A HEAD answer has the GET answer's headers and no content (RFC 9110 9.3.2).
    m_connection->respond(m_headRequest ? head : head + body);
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

QByteArray HttpReply::streamHead(const HttpHeaders &headers) const
{
    QByteArray head = "HTTP/1.1 200 OK\r\n";
    for (const HttpHeaders *list : {&headers, &m_commonHeaders}) {
        for (const auto &[name, value] : *list)
            head += name + ": " + value + "\r\n";
    }
    return head + "\r\n";
}

QTcpSocket *HttpReply::takeSocket()
{
    m_pending = false;
    if (!m_connection)
        return nullptr;
    QTcpSocket *socket = m_connection->socket();
    m_connection->endHttp();
    return socket;
}

QTcpSocket *HttpReply::detachSocket()
{
    m_pending = false;
    return m_connection ? m_connection->detachSocket() : nullptr;
}

QTcpSocket *HttpReply::socket() const
{
    return m_connection ? m_connection->socket() : nullptr;
}

} // namespace Pushboard
