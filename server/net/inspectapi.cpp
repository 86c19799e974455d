#include "inspectapi.h"

#include "httpreply.h"
#include "protocol/httprequestparser.h"
#include "wirecapture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace Pushboard {

namespace {

QString endpoint(const QString &address, quint16 port)
{
    return address + u':' + QString::number(port);
}

QByteArray sseEvent(const char *type, const QJsonObject &data)
{
    return "event: " + QByteArray(type)
        + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

} // namespace

InspectApi::InspectApi(WireCapture *capture, QObject *parent)
    : QObject(parent)
    , m_capture(capture)
{
    connect(m_capture, &WireCapture::opened, this,
        [this](quint64 id, const WireEndpoints &ends, const QString &transport, bool midStream,
            qint64 timeUs) {
            broadcast(sseEvent("open",
                {{QStringLiteral("id"), qint64(id)},
                    {QStringLiteral("client"), endpoint(ends.clientAddress, ends.clientPort)},
                    {QStringLiteral("server"), endpoint(ends.serverAddress, ends.serverPort)},
                    {QStringLiteral("transport"), transport},
                    {QStringLiteral("midStream"), midStream}, {QStringLiteral("timeUs"), timeUs}}));
        });
    connect(m_capture, &WireCapture::bytes, this,
        [this](quint64 id, WireDirection direction, const QByteArray &bytes, qint64 timeUs) {
            broadcast(sseEvent("bytes",
                {{QStringLiteral("id"), qint64(id)},
                    {QStringLiteral("direction"), WireItem::directionName(direction)},
                    {QStringLiteral("timeUs"), timeUs},
                    {QStringLiteral("data"), QString::fromLatin1(bytes.toBase64())}}));
        });
    connect(m_capture, &WireCapture::ended, this,
        [this](quint64 id, const QString &reason, qint64 timeUs) {
            broadcast(sseEvent("close",
                {{QStringLiteral("id"), qint64(id)}, {QStringLiteral("reason"), reason},
                    {QStringLiteral("timeUs"), timeUs}}));
        });
}

InspectApi::~InspectApi()
{
    for (const QPointer<QTcpSocket> &watcher : std::as_const(m_watchers)) {
        if (watcher)
            watcher->disconnect(this);
    }
}

void InspectApi::state(HttpReply &&reply) const
{
    QJsonArray connections;
    const auto &open = m_capture->connections();
    for (auto it = open.constBegin(); it != open.constEnd(); ++it) {
        if (it->excluded)
            continue;
        connections.append(QJsonObject {{QStringLiteral("id"), qint64(it.key())},
            {QStringLiteral("client"),
                endpoint(it->endpoints.clientAddress, it->endpoints.clientPort)},
            {QStringLiteral("server"),
                endpoint(it->endpoints.serverAddress, it->endpoints.serverPort)},
            {QStringLiteral("transport"), it->transport}, {QStringLiteral("sinceUs"), it->sinceUs},
            {QStringLiteral("captured"), m_capture->isCaptured(it.key())}});
    }
    reply.sendJson({{QStringLiteral("captureAll"), m_capture->captureAll()},
        {QStringLiteral("watchers"), int(m_watchers.size())},
        {QStringLiteral("connections"), connections}});
}

void InspectApi::control(const HttpRequest &request, HttpReply &&reply)
{
    QJsonParseError error;
    const QJsonObject body = QJsonDocument::fromJson(request.body(), &error).object();
    if (error.error != QJsonParseError::NoError) {
        reply.sendError(HttpReply::StatusCode::BadRequest,
            QStringLiteral("the body is not JSON: ") + error.errorString());
        return;
    }
    const QJsonValue capture = body.value(u"capture");
    if (body.contains(u"connection")) {
        const qint64 id = body.value(u"connection").toInteger(-1);
        if (id <= 0 || !capture.isBool() || !m_capture->connections().contains(quint64(id))) {
            reply.sendError(HttpReply::StatusCode::BadRequest,
                QStringLiteral("{\"connection\": ID, \"capture\": true|false} with the id of an "
                               "open connection"));
            return;
        }
        m_capture->setCaptured(quint64(id), capture.toBool());
    } else if (capture.toString() == u"all" || capture.toString() == u"none") {
        m_capture->setCaptureAll(capture.toString() == u"all");
    } else {
        reply.sendError(HttpReply::StatusCode::BadRequest,
            QStringLiteral("send {\"capture\": \"all\"}, {\"capture\": \"none\"} or "
                           "{\"connection\": ID, \"capture\": true|false}"));
        return;
    }
    state(std::move(reply));
}

void InspectApi::stream(HttpReply &&reply)
{
    const QByteArray head = reply.streamHead({{"Content-Type", "text/event-stream; charset=utf-8"},
        {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}, {"Connection", "close"}});
    QTcpSocket *socket = reply.takeSocket();
    if (!socket)
        return;
    m_capture->exclude(WireCapture::idOf(socket));
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->write(head + ": captured bytes of this server's connections\n\n");
    m_watchers.append(socket);
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_capture->closed(WireCapture::idOf(socket), QStringLiteral("closed"));
        m_watchers.removeAll(socket);
        m_watchers.removeAll(nullptr);
        m_capture->removeSubscriber();
    });
    m_capture->addSubscriber();
}

void InspectApi::broadcast(const QByteArray &event)
{
    const QList<QPointer<QTcpSocket>> watchers = m_watchers;
    for (const QPointer<QTcpSocket> &watcher : watchers) {
        if (!watcher)
            continue;
        watcher->write(event);
        if (watcher->bytesToWrite() > MaxQueuedBytes)
            watcher->abort(); // Its `disconnected` forgets it.
    }
}

} // namespace Pushboard
