#include "httpconnection.h"

#include "httpreply.h"
#include "streamsocket.h"
#include "wirecapture.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcHttp, "pushboard.server.http", QtInfoMsg)

namespace Pushboard {

namespace {

constexpr qint64 ReadChunk = 16 * 1024;
/// What an HTTP/2 client sends first (RFC 9113 3.4); no HTTP/1.x request starts like it.
constexpr QByteArrayView Http2Preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const Settings *settings,
    RequestHandler onRequest, UpgradeHandler onUpgrade, Http2Handler onHttp2, QObject *parent)
    : HttpResponder(parent)
    , m_socket(socket)
    , m_settings(settings)
    , m_parser(settings->limits)
    , m_onRequest(std::move(onRequest))
    , m_onUpgrade(std::move(onUpgrade))
    , m_onHttp2(std::move(onHttp2))
    , m_headDeadline(nowMs() + settings->headTimeoutMs)
{
    m_wireId = WireCapture::idOf(socket);
    const HttpRequestParser::Limits &limits = settings->limits;
    socket->setParent(this);
    // While an answer is pending nothing is parsed: bound what Qt reads ahead meanwhile (the
    // kernel then applies TCP flow control to the client).
    socket->setReadBufferSize(limits.maxHeadBytes + limits.maxBodyBytes);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::readMore);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_settings->capture && !m_handedOver)
            m_settings->capture->closed(m_wireId, QStringLiteral("closed"));
        m_ended = true;
        Q_EMIT clientGone();
        Q_EMIT finished();
        deleteLater();
    });
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::sniffHttp2()
{
    if (!m_onHttp2 || !m_socket) {
        m_sniffing = false;
        return true;
    }
    auto *tls = qobject_cast<QSslSocket *>(m_socket.data());
    const bool chosenByAlpn
        = tls && tls->sslConfiguration().nextNegotiatedProtocol() == QByteArrayLiteral("h2");
    if (!chosenByAlpn) {
        const QByteArray start = m_socket->peek(Http2Preface.size());
        if (start.isEmpty())
            return false; // Nothing to decide on yet.
        if (!Http2Preface.startsWith(start)) {
            m_sniffing = false;
            return true;
        }
        if (start.size() < Http2Preface.size())
            return false; // Could still be either: wait for the rest of the preface.
    }
    const QByteArray received = m_socket->readAll();
    if (m_settings->capture)
        m_settings->capture->read(m_wireId, received);
    m_onHttp2(detachSocket(), received);
    return false;
}

bool HttpConnection::awaitTls()
{
    auto *tls = qobject_cast<QSslSocket *>(m_socket.data());
    if (!tls || tls->mode() != QSslSocket::UnencryptedMode)
        return false;
    // Still clear text: the first byte tells a TLS ClientHello (a handshake record, 22) from
    // anything else. Peeking leaves it for the handshake to read.
    const QByteArray first = tls->peek(1);
    if (first.isEmpty())
        return true;
    if (first.at(0) == char(22)) {
        tls->startServerEncryption();
        return true;
    }
    refuse(
        400, QStringLiteral("this port speaks TLS: use https:// (or wss://) instead of http://"));
    return true;
}

void HttpConnection::readMore()
{
    if (awaitTls())
        return;
    if (m_sniffing && !sniffHttp2())
        return;
    while (m_socket && !m_busy && !m_ended) {
        const auto status = m_parser.parse();
        if (status == HttpRequestParser::Status::Complete) {
            dispatch(m_parser.takeRequest());
            continue;
        }
        if (status == HttpRequestParser::Status::Failed) {
            refuse(m_parser.error().status, m_parser.error().reason);
            return;
        }
        if (m_parser.takeContinueRequest())
            write("HTTP/1.1 100 Continue\r\n\r\n");
        // What is there, not a whole chunk: read(n) allocates n bytes first, and ten thousand
        // clients connecting at once each sending a few hundred bytes made that a profile's top
        // allocation.
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return;
        const QByteArray bytes = m_socket->read(qMin<qint64>(ReadChunk, available));
        if (bytes.isEmpty())
            return;
        if (m_settings->capture)
            m_settings->capture->read(m_wireId, bytes);
        m_parser.feed(bytes);
        m_idleDeadline = 0;
        if (m_headDeadline == 0 && m_parser.isInHead())
            m_headDeadline = nowMs() + m_settings->headTimeoutMs;
    }
}

void HttpConnection::dispatch(HttpRequest &&request)
{
    m_busy = true;
    m_headDeadline = 0;
    m_idleDeadline = 0; // A pipelined request may come from the buffer, without a new byte.
    m_keepAlive = request.keepAlive();
    m_http10 = request.version() == "HTTP/1.0";
    static_cast<void>(m_parser.takeContinueRequest()); // The body has come already.
    if (const auto wrongHost = m_settings->hostCheck.check(request, m_socket->localAddress())) {
        refuse(wrongHost->status, wrongHost->reason);
        return;
    }
    if (request.isWebSocketUpgrade()) {
        const QString path = request.url().path();
        if (path != QLatin1String("/ws")) {
            refuse(404,
                QStringLiteral("no WebSocket endpoint at %1: upgrades go to /ws")
                    .arg(path.left(200)));
            return;
        }
        // From here the connection speaks WebSocket: hand it over with what followed the request.
        const QByteArray unread = m_socket->readAll();
        if (m_settings->capture)
            m_settings->capture->read(m_wireId, unread);
        const QByteArray buffered = m_parser.takeBuffered() + unread;
        m_onUpgrade(detachSocket(), request, buffered);
        return;
    }
    // An upgrade offer on any other request is ignored (RFC 9110 7.8): it is answered as HTTP.
    const bool head = request.method() == "HEAD";
    m_onRequest(std::move(request), HttpReply(this, head));
}

QByteArray HttpConnection::connectionHeader() const
{
    if (!m_keepAlive)
        return QByteArrayLiteral("close");
    return m_http10 ? QByteArrayLiteral("keep-alive") : QByteArray();
}

void HttpConnection::respond(
    int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly)
{
    if (!m_socket || m_ended || !m_busy)
        return;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' '
        + HttpReply::reasonPhrase(status) + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    const QByteArray connection = connectionHeader();
    if (!connection.isEmpty())
        head += "Connection: " + connection + "\r\n";
    head += "\r\n";
    // A HEAD answer has the GET answer's headers and no content (RFC 9110 9.3.2).
    write(headOnly ? head : head + body);
    m_busy = false;
    if (!m_keepAlive) {
        close();
        return;
    }
    m_idleDeadline = nowMs() + m_settings->idleTimeoutMs;
    // The next request, if one is buffered, on a later turn (never recursively).
    QMetaObject::invokeMethod(this, &HttpConnection::readMore, Qt::QueuedConnection);
}

std::unique_ptr<StreamSocket> HttpConnection::startStream(
    const HttpHeaders &headers, const QByteArray &first)
{
    QByteArray head = "HTTP/1.1 200 OK\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "Connection: close\r\n\r\n";
    const quint64 wireId = m_wireId;
    QTcpSocket *socket = detachSocket();
    if (!socket)
        return nullptr;
    // Every write is a whole event: send it now rather than wait for the previous one's ACK.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    std::unique_ptr<StreamSocket> stream = StreamSocket::takeOver(socket);
    if (!stream)
        return nullptr;
    if (m_settings->capture) { // Both kinds of stream started here are event streams.
        m_settings->capture->setTransport(wireId, QStringLiteral("sse"));
        m_settings->capture->wrote(wireId, QByteArray(head + first));
    }
    stream->write(head + first); // One packet.
    return stream;
}

QString HttpConnection::peer() const
{
    if (!m_socket)
        return {};
    return m_socket->peerAddress().toString() + QLatin1Char(':')
        + QString::number(m_socket->peerPort());
}

qint64 HttpConnection::queuedBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void HttpConnection::abort()
{
    if (m_socket)
        m_socket->abort();
}

void HttpConnection::refuse(int status, const QString &reason)
{
    if (!m_socket || m_ended)
        return;
    qCDebug(lcHttp) << "answering" << status << "to" << m_socket->peerAddress()
                    << m_socket->peerPort() << ":" << reason;
    m_ended = true;
    m_busy = false;
    m_headDeadline = 0;
    m_idleDeadline = 0;
    disconnect(m_socket, &QTcpSocket::readyRead, this, nullptr);
    Q_EMIT refused(status);
    refuseSocket(m_socket, status, reason, m_settings->headTimeoutMs, {}, m_settings->capture);
}

void HttpConnection::refuseSocket(QTcpSocket *socket, int status, const QString &reason,
    int lingerMs, const QList<std::pair<QByteArray, QByteArray>> &extraHeaders,
    WireCapture *capture)
{
    QByteArray headers;
    for (const auto &[name, value] : extraHeaders)
        headers += name + ": " + value + "\r\n";
    const QByteArray body = QJsonDocument(
        QJsonObject {{QStringLiteral("error"),
            reason}}).toJson(QJsonDocument::Compact);
    const QByteArray answer = "HTTP/1.1 " + QByteArray::number(status) + ' '
        + HttpReply::reasonPhrase(status) + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + headers + "Connection: close\r\n\r\n" + body;
    socket->write(answer);
    if (capture) {
        const quint64 id = WireCapture::idOf(socket);
        capture->wrote(id, answer);
        connect(socket, &QTcpSocket::disconnected, capture, [capture, id, status] {
            capture->closed(id, QStringLiteral("refused with %1").arg(status));
        });
    }
    connect(socket, &QTcpSocket::readyRead, socket,
        [socket] { socket->skip(socket->bytesAvailable()); });
    socket->skip(socket->bytesAvailable());
    socket->disconnectFromHost();
    QTimer::singleShot(lingerMs, socket, &QTcpSocket::abort);
}

void HttpConnection::write(const QByteArray &bytes)
{
    m_socket->write(bytes);
    if (m_settings->capture)
        m_settings->capture->wrote(m_wireId, bytes);
}

QTcpSocket *HttpConnection::detachSocket()
{
    QTcpSocket *socket = m_socket;
    if (!socket)
        return nullptr;
    m_handedOver = true;
    socket->disconnect(this);
    socket->setParent(nullptr);
    socket->setReadBufferSize(0);
    m_socket = nullptr;
    m_ended = true;
    m_busy = false;
    m_headDeadline = 0;
    m_idleDeadline = 0;
    Q_EMIT finished();
    deleteLater();
    return socket;
}

void HttpConnection::close()
{
    m_ended = true;
    m_headDeadline = 0;
    m_idleDeadline = 0;
    if (!m_socket)
        return;
    m_socket->flush();
    m_socket->disconnectFromHost();
}

} // namespace Pushboard
