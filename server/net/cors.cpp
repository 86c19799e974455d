#include "cors.h"

#include "protocol/httprequestparser.h"

namespace Pushboard {

namespace {

QByteArray normalized(QByteArray origin)
{
    origin = origin.trimmed().toLower();
    while (origin.endsWith('/'))
        origin.chop(1);
    return origin;
}

} // namespace

Cors::Cors(const QStringList &allowedOrigins, bool tls)
    : m_tls(tls)
{
    for (const QString &origin : allowedOrigins) {
        if (origin == QLatin1String("*"))
            m_anyReads = true;
        else
            m_origins.append(normalized(origin.toUtf8()));
    }
}

bool Cors::allows(const HttpRequest &request, bool forRead) const
{
    return allows(request.value("Origin"), request.value("Host"), forRead);
}

bool Cors::allows(const QByteArray &rawOrigin, const QByteArray &host, bool forRead) const
{
    const QByteArray origin = normalized(rawOrigin);
    if (origin.isEmpty())
        return true;
    const QByteArray ownScheme = m_tls ? "https://" : "http://";
    if (origin == ownScheme + normalized(host) || m_origins.contains(origin))
        return true;
    return forRead && m_anyReads;
}

HttpHeaders Cors::headersFor(const HttpRequest &request, bool forRead) const
{
    const QByteArray origin = request.value("Origin").trimmed();
    if (origin.isEmpty() || !allows(request, forRead))
        return {};
    return {{"Access-Control-Allow-Origin", origin}, {"Vary", "Origin"}};
}

HttpHeaders Cors::preflightHeaders(const HttpRequest &request, const QByteArray &methods) const
{
    const bool read = !methods.contains("POST");
    HttpHeaders headers = headersFor(request, read);
    if (headers.isEmpty())
        return headers;
    headers.emplaceBack("Access-Control-Allow-Methods", methods);
    headers.emplaceBack(
        "Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
    headers.emplaceBack("Access-Control-Max-Age", "600");
    return headers;
}

} // namespace Pushboard
