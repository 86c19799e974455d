#include "httpapi.h"

namespace Pushboard {

using StatusCode = HttpReply::StatusCode;

void HttpApi::addRoute(
    const QByteArray &method, const QString &path, Handler handler, Access access)
{
    m_routes.push_back(Route {method, path, std::move(handler), access});
}

void HttpApi::handle(const HttpRequest &request, HttpReply &&reply)
{
    const QString path = request.url().path();
    const Route *match = nullptr;
    QByteArray allowed;
    // HEAD is GET without the content (RFC 9110 9.3.2): every GET route answers it too.
    const QByteArray method
        = request.method() == "HEAD" ? QByteArrayLiteral("GET") : request.method();
    for (const Route &route : m_routes) {
        if (route.path != path)
            continue;
        if (route.method == method)
            match = &route;
        else
            allowed += (allowed.isEmpty() ? "" : ", ") + route.method
                + (route.method == "GET" ? ", HEAD" : "");
    }
    const bool read = request.method() == "GET" || request.method() == "HEAD";
    // A CORS preflight: browsers send it without credentials, so it needs no token.
    const bool preflight = !match && !allowed.isEmpty() && request.method() == "OPTIONS";
    reply.setCommonHeaders(
        preflight ? m_cors.preflightHeaders(request, allowed) : m_cors.headersFor(request, read));

    if (match) {
        if (match->access == Access::TokenRequired && !m_auth.allows(request)) {
            ++m_rejected;
            reply.sendError(StatusCode::Unauthorized, QStringLiteral("missing or wrong token"),
                {{"WWW-Authenticate", "Bearer"}});
        } else if (!read && !m_cors.allows(request, false)) {
            // Reads from other origins are answered without CORS headers (the browser hides
            // them); a write is refused, or any web page could publish through a visitor.
            ++m_rejected;
            reply.sendError(StatusCode::Forbidden, QStringLiteral("origin not allowed"));
        } else {
            match->handler(request, std::move(reply));
        }
    } else if (allowed.isEmpty()) {
        ++m_rejected;
        reply.sendError(StatusCode::NotFound, QStringLiteral("no such endpoint: %1").arg(path));
    } else if (preflight) {
        reply.send(StatusCode::NoContent, {}, "text/plain", {{"Allow", allowed + ", OPTIONS"}});
    } else {
        ++m_rejected;
        reply.sendError(StatusCode::MethodNotAllowed, QStringLiteral("method not allowed"),
            {{"Allow", allowed}});
    }
}

} // namespace Pushboard
