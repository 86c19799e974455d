#include "httpreply.h"

#include <QJsonDocument>

namespace Pushboard {

HttpReply::HttpReply(QHttpServerResponder &&responder, HttpHeaders commonHeaders)
    : m_responder(std::move(responder))
    , m_socket(m_responder.socket())
    , m_commonHeaders(std::move(commonHeaders))
{ }

void HttpReply::send(StatusCode status, const QByteArray &body, const QByteArray &contentType,
    const HttpHeaders &extraHeaders)
{
    if (!m_socket)
        return; // The client has gone.
    m_responder.writeStatusLine(status);
    m_responder.writeHeader("Content-Type", contentType);
    m_responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    for (const auto &[name, value] : extraHeaders)
        m_responder.writeHeader(name, value);
    for (const auto &[name, value] : m_commonHeaders)
        m_responder.writeHeader(name, value);
    m_responder.writeBody(body); // Writes the blank line that ends the head first.
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

} // namespace Pushboard
