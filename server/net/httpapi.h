#pragma once

#include "auth.h"
#include "cors.h"
#include "httpreply.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>

#include <functional>
#include <vector>

namespace Pushboard {

/// The HTTP route table: exact paths and methods to handlers, JSON errors for everything else.
///
/// Subclasses QAbstractHttpServer rather than QHttpServer so that unknown paths get a JSON 404 and
/// known paths with the wrong method a 405 with `Allow` (QHttpServer 6.4's fallback is final).
/// Every route but the public ones requires the token (Auth). Every answer carries the CORS
/// headers the request's origin earned; `OPTIONS` preflights are answered here for every path.
class HttpApi : public QAbstractHttpServer
{
    Q_OBJECT

public:
    using Handler = std::function<void(const QHttpServerRequest &, HttpReply &&)>;
    enum class Access { TokenRequired, Public };

    explicit HttpApi(QObject *parent = nullptr);

    void setAuth(const Auth &auth) { m_auth = auth; }
    void setCors(const Cors &cors) { m_cors = cors; }
    void addRoute(QHttpServerRequest::Method method, const QString &path, Handler handler,
        Access access = Access::TokenRequired);

    /// Counts of answers by status that the route table gave itself (401, 403, 404, 405).
    [[nodiscard]] quint64 rejectedRequests() const { return m_rejected; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Route
    {
        QHttpServerRequest::Method method;
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
