#include "servercapture.h"

#include "wire/capturelog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace Pushboard {

namespace {

WireEndpoints endpoints(const QJsonObject &open)
{
    // "127.0.0.1:5000" or "::1:5000": the port follows the last colon.
    const auto split = [](const QString &text) {
        const qsizetype colon = text.lastIndexOf(u':');
        return std::pair<QString, quint16>(text.left(colon), quint16(text.mid(colon + 1).toUInt()));
    };
    const auto [clientAddress, clientPort] = split(open.value(u"client").toString());
    const auto [serverAddress, serverPort] = split(open.value(u"server").toString());
    return {clientAddress, clientPort, serverAddress, serverPort};
}

} // namespace

ServerCapture::ServerCapture(CaptureLog *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{ }

ServerCapture::~ServerCapture()
{
    stop();
}

QNetworkRequest ServerCapture::request(const QString &path) const
{
    QUrl url = m_server;
    url.setPath(path);
    url.setQuery(QString());
    QNetworkRequest request(url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    return request;
}

void ServerCapture::start(const QUrl &server, const QString &token)
{
    stop();
    m_server = server;
    m_token = token;
    m_running = true;
    m_error.clear();
    m_parser = SseParser();
    QNetworkRequest control = request(QStringLiteral("/api/inspect"));
    control.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    m_control = m_nam.post(control, QByteArrayLiteral("{\"capture\":\"all\"}"));
    connect(m_control, &QNetworkReply::finished, this, [this, reply = m_control.data()] {
        reply->deleteLater();
        if (reply != m_control)
            return;
        if (reply->error() != QNetworkReply::NoError) {
            const QString body
                = QJsonDocument::fromJson(reply->readAll()).object().value(u"error").toString();
            fail(QStringLiteral("the server refused capture: %1")
                     .arg(body.isEmpty() ? reply->errorString() : body));
            return;
        }
        openStream();
    });
    Q_EMIT stateChanged();
}

void ServerCapture::openStream()
{
    QNetworkRequest stream = request(QStringLiteral("/api/inspect/stream"));
    stream.setRawHeader("Accept", "text/event-stream");
    stream.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    m_stream = m_nam.get(stream);
    connect(m_stream, &QNetworkReply::readyRead, this, [this, reply = m_stream.data()] {
        if (reply != m_stream)
            return;
        for (const SseMessage &message : m_parser.feed(reply->readAll()))
            onEvent(message);
        if (m_parser.hasFailed())
            fail(m_parser.errorString());
    });
    connect(m_stream, &QNetworkReply::finished, this, [this, reply = m_stream.data()] {
        reply->deleteLater();
        if (reply == m_stream && m_running)
            fail(reply->error() != QNetworkReply::NoError
                    ? reply->errorString()
                    : QStringLiteral("the server ended the capture stream"));
    });
}

void ServerCapture::onEvent(const SseMessage &message)
{
    const QJsonObject data = QJsonDocument::fromJson(message.data.toUtf8()).object();
    const qint64 id = data.value(u"id").toInteger(0);
    if (id <= 0)
        return;
    const quint64 connection = IdOffset + quint64(id);
    const qint64 timeUs = data.value(u"timeUs").toInteger(WireObserver::nowUs());
    if (message.type == u"open") {
        const QString transport = data.value(u"transport").toString();
        if (data.value(u"midStream").toBool()) {
            m_log->wireJoined(connection, endpoints(data),
                transport == u"sse"      ? WireConversation::Transport::Sse
                    : transport == u"ws" ? WireConversation::Transport::WebSocket
                                         : WireConversation::Transport::Http,
                timeUs);
        } else {
            m_log->wireOpened(connection, endpoints(data), timeUs);
        }
    } else if (message.type == u"bytes") {
        const QByteArray bytes = QByteArray::fromBase64(data.value(u"data").toString().toLatin1());
        m_log->wireBytes(connection,
            data.value(u"direction").toString() == u"send" ? WireDirection::ToServer
                                                           : WireDirection::ToClient,
            bytes, timeUs);
    } else if (message.type == u"close") {
        m_log->wireClosed(connection, data.value(u"reason").toString(), timeUs);
    }
}

void ServerCapture::fail(const QString &why)
{
    m_error = why;
    stop();
}

void ServerCapture::stop()
{
    const bool was = m_running;
    m_running = false;
    for (QPointer<QNetworkReply> *reply : {&m_control, &m_stream}) {
        if (QNetworkReply *r = reply->data()) {
            *reply = nullptr;
            r->abort();
        }
    }
    if (was)
        Q_EMIT stateChanged();
}

} // namespace Pushboard
