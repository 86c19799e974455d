#pragma once

#include "auth.h"
#include "cors.h"
#include "httpreply.h"
#include "protocol/httprequestparser.h"

#include <functional>
#include <vector>

namespace Pushboard {

/// The HTTP route table: exact paths and methods to handlers, JSON errors for everything else
/// (404 for an unknown path, 405 with `Allow` for a known path and another method).
/// Every route but the public ones requires the token (Auth). Every answer carries the CORS
/// headers the request's origin earned; `OPTIONS` preflights are answered here for every path.
class HttpApi
{
public:
    using Handler = std::function<void(const HttpRequest &, HttpReply &&)>;
    enum class Access { TokenRequired, Public };

    void setAuth(const Auth &auth) { m_auth = auth; }
    void setCors(const Cors &cors) { m_cors = cors; }
    /// `method`: "GET", "POST", ...
    void addRoute(const QByteArray &method, const QString &path, Handler handler,
        Access access = Access::TokenRequired);

    /// Answers `request` (ConnectionGate's request handler).
    void handle(const HttpRequest &request, HttpReply &&reply);

    /// Counts of answers by status that the route table gave itself (401, 403, 404, 405).
    [[nodiscard]] quint64 rejectedRequests() const { return m_rejected; }

private:
    struct Route
    {
        QByteArray method;
        QString path;
        Handler handler;
        Access access;
    };
    std::vector<Route> m_routes;
    Auth m_auth;
    Cors m_cors;
    quint64 m_rejected = 0;
};

} // namespace Pushboard
