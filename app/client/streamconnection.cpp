#include "streamconnection.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace Pushboard {

void StreamConnection::applyHttpVersion(QNetworkRequest &request) const
{
    const bool tls = request.url().scheme() == QLatin1String("https");
    // Over TLS, ALPN lets the server choose; on clear text only prior knowledge reaches h2c
    // (our server, like most, does not take the HTTP/1.1 Upgrade to h2c).
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, tls || m_target.http2);
    if (m_target.http2 && !tls)
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
}

QString StreamConnection::takeProtocol(const QNetworkReply *reply)
{
    const bool h2 = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    m_protocol = h2 ? QStringLiteral("h2") : QStringLiteral("http/1.1");
    if (m_target.http2 && !h2)
        return QStringLiteral("the server answered in HTTP/1.1, not HTTP/2 (--http2)");
    return {};
}

} // namespace Pushboard
