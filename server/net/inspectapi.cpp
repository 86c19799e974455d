#include "inspectapi.h"

#include "httpreply.h"
#include "protocol/httprequestparser.h"
#include "streamsocket.h"
#include "wirecapture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
    for (StreamSocket *watcher : std::as_const(m_watchers))
        watcher->disconnect(this);
}

int InspectApi::ownConnections() const
{
    return int(std::count_if(m_watchers.cbegin(), m_watchers.cend(),
        [](const StreamSocket *watcher) { return watcher->protocol() != QLatin1String("h2"); }));
}

void InspectApi::closeAll()
{
    const QList<StreamSocket *> watchers = m_watchers;
    for (StreamSocket *watcher : watchers) {
        watcher->close();
        forget(watcher);
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
    const quint64 wireId = reply.responder() ? reply.responder()->streamWireId() : 0;
    std::unique_ptr<StreamSocket> socket
        = reply.startStream({{"Content-Type", "text/event-stream; charset=utf-8"},
                                {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}},
            ": captured bytes of this server's connections\n\n");
    if (!socket)
        return;
    // Never captured: it would capture itself. (An HTTP/2 stream's connection reports its own
    // bytes, so it is excluded from then on with every stream it carries.)
    if (wireId != 0)
        m_capture->exclude(wireId);
    StreamSocket *watcher = socket.release();
    watcher->setParent(this);
    m_watchers.append(watcher);
    connect(watcher, &StreamSocket::disconnected, this, [this, watcher, wireId] {
        if (wireId != 0)
            m_capture->closed(wireId, QStringLiteral("closed"));
        forget(watcher);
    });
    m_capture->addSubscriber();
}

void InspectApi::forget(StreamSocket *watcher)
{
    if (!m_watchers.removeOne(watcher))
        return;
    watcher->deleteLater();
    m_capture->removeSubscriber();
}

void InspectApi::broadcast(const QByteArray &event)
{
    const QList<StreamSocket *> watchers = m_watchers;
    for (StreamSocket *watcher : watchers) {
        if (!watcher->write(event))
            continue; // Its `disconnected` forgets it.
        if (watcher->queuedBytes() > MaxQueuedBytes) {
            watcher->abort();
            forget(watcher);
        }
    }
}

} // namespace Pushboard
