#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

/// One finished HTTP exchange, as the server tests look at it.
struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; ///< Names in lower case.

    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        return headers.value(name.toLower());
    }
    [[nodiscard]] QString error() const { return json().value(QStringLiteral("error")).toString(); }
};

/// QNetworkAccessManager made synchronous for tests (it waits with QTest::qWaitFor, so the server
/// in the same thread keeps running).
class HttpTestClient
{
public:
    explicit HttpTestClient(quint16 port = 0)
        : m_port(port)
    { }
    void setPort(quint16 port) { m_port = port; }

    [[nodiscard]] QUrl url(const QByteArray &pathAndQuery) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2")
                        .arg(m_port)
                        .arg(QString::fromUtf8(pathAndQuery)));
    }

    HttpAnswer get(const QByteArray &path, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("GET", path, {}, headers);
    }
    HttpAnswer post(const QByteArray &path, const QByteArray &body,
        const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("POST", path, body, headers);
    }
    HttpAnswer send(const QByteArray &verb, const QByteArray &path, const QByteArray &body,
        const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(url(path));
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        HttpAnswer answer;
        if (QTest::qWaitFor([reply] { return reply->isFinished(); }, 70000)) {
            answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            answer.body = reply->readAll();
            for (const auto &pair : reply->rawHeaderPairs())
                answer.headers.insert(pair.first.toLower(), pair.second);
        }
        reply->deleteLater();
        return answer;
    }

    QNetworkAccessManager &nam() { return m_nam; }

private:
    QNetworkAccessManager m_nam;
    quint16 m_port;
};
