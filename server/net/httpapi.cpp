#include "httpapi.h"

#include <QJsonDocument>
#include <QMetaEnum>

namespace Pushboard {

using StatusCode = QHttpServerResponder::StatusCode;

namespace {

QByteArray errorBody(const QString &reason)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("error"), reason}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

HttpApi::HttpApi(QObject *parent)
    : QAbstractHttpServer(parent)
{ }

void HttpApi::addRoute(
    QHttpServerRequest::Method method, const QString &path, Handler handler, Access access)
{
    m_routes.push_back(Route {method, path, std::move(handler), access});
}

void HttpApi::sendJson(QHttpServerResponder &responder, const QJsonObject &body, StatusCode status)
{
    responder.write(QJsonDocument(body).toJson(QJsonDocument::Compact),
        {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}}, status);
}

void HttpApi::sendError(QHttpServerResponder &responder, StatusCode status, const QString &reason)
{
    responder.write(errorBody(reason), {{"Content-Type", "application/json"}}, status);
}

bool HttpApi::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString path = request.url().path();
    QByteArray allowed;
    for (const Route &route : m_routes) {
        if (route.path != path)
            continue;
        if (route.method != request.method()) {
            const char *name
                = QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(route.method));
            allowed += (allowed.isEmpty() ? "" : ", ") + QByteArray(name).toUpper();
            continue;
        }
        QHttpServerResponder responder = makeResponder(request, socket);
        if (route.access == Access::TokenRequired && !m_auth.allows(request)) {
            responder.write(errorBody(QStringLiteral("missing or wrong token")),
                {{"Content-Type", "application/json"}, {"WWW-Authenticate", "Bearer"}},
                StatusCode::Unauthorized);
            return true;
        }
        route.handler(request, std::move(responder));
        return true;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    if (!allowed.isEmpty()) {
        responder.write(errorBody(QStringLiteral("method not allowed")),
            {{"Content-Type", "application/json"}, {"Allow", allowed}},
            StatusCode::MethodNotAllowed);
        return true;
    }
    sendError(responder, StatusCode::NotFound, QStringLiteral("no such endpoint: %1").arg(path));
    return true;
}

void HttpApi::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    sendError(responder, StatusCode::NotFound,
        QStringLiteral("no such endpoint: %1").arg(request.url().path()));
}

} // namespace Pushboard
