#pragma once

#include "auth.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>

#include <functional>
#include <vector>

namespace Pushboard {

/// The HTTP route table: exact paths and methods to handlers, JSON errors for everything else.
///
/// Subclasses QAbstractHttpServer rather than QHttpServer so that unknown paths get a JSON 404 and
/// known paths with the wrong method a 405 with `Allow` (QHttpServer 6.4's fallback is final).
/// Every route but the ones marked public requires the token (Auth).
class HttpApi : public QAbstractHttpServer
{
    Q_OBJECT

public:
    using Handler = std::function<void(const QHttpServerRequest &, QHttpServerResponder &&)>;
    enum class Access { TokenRequired, Public };

    explicit HttpApi(QObject *parent = nullptr);

    void setAuth(const Auth &auth) { m_auth = auth; }
    void addRoute(QHttpServerRequest::Method method, const QString &path, Handler handler,
        Access access = Access::TokenRequired);

    /// `{"error": reason}` with `status`.
    static void sendError(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status,
        const QString &reason);
    static void sendJson(QHttpServerResponder &responder, const QJsonObject &body,
        QHttpServerResponder::StatusCode status = QHttpServerResponder::StatusCode::Ok);

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
};

} // namespace Pushboard
