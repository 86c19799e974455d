#include "connectiongate.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcGate, "pushboard.server.gate", QtInfoMsg)

namespace Pushboard {

namespace {

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

const char *reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Methods QHttpServer 6.4 knows; it drops the connection without an answer on any other.
bool isKnownMethod(QByteArrayView method)
{
    for (const char *known :
        {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}) {
        if (method == known)
            return true;
    }
    return false;
}

// Index just past the blank line that ends a head ("\n\n" or "\n\r\n"), or -1.
qsizetype headEnd(const QByteArray &head, qsizetype from)
{
    for (qsizetype i = qMax<qsizetype>(0, from); i < head.size(); ++i) {
        if (head.at(i) != '\n')
            continue;
        if (i + 1 < head.size() && head.at(i + 1) == '\n')
            return i + 2;
        if (i + 2 < head.size() && head.at(i + 1) == '\r' && head.at(i + 2) == '\n')
            return i + 3;
    }
    return -1;
}

} // namespace

ConnectionGate::ConnectionGate(QObject *parent)
    : QTcpServer(parent)
{
    connect(&m_sweep, &QTimer::timeout, this, &ConnectionGate::sweepDeadlines);
}

ConnectionGate::~ConnectionGate() = default;

void ConnectionGate::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    // Until the HTTP server takes it over, the socket is ours to delete.
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    if (connectionCount() >= m_limits.maxConnections) {
        ++m_refused;
        refuse(socket, 503,
            QStringLiteral("too many connections (limit %1)").arg(m_limits.maxConnections));
        return;
    }
    Connection connection;
    connection.headDeadline = nowMs() + m_limits.headTimeoutMs;
    m_connections.insert(socket, connection);
    connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    if (!m_sweep.isActive())
        m_sweep.start(qBound(10, m_limits.headTimeoutMs / 4, 1000));
}

void ConnectionGate::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    const qint64 available = socket->bytesAvailable();
    if (available <= it->framedUnread)
        return;
    const QByteArray buffered = socket->peek(available);
    const qint64 alreadyFramed = it->framedUnread;
    it->framedUnread = available;
    frame(socket, *it, QByteArrayView(buffered).sliced(alreadyFramed));
}

void ConnectionGate::frame(QTcpSocket *socket, Connection &connection, QByteArrayView bytes)
{
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        if (connection.bodyRemaining > 0) {
            const qint64 take = qMin<qint64>(connection.bodyRemaining, bytes.size() - pos);
            connection.bodyRemaining -= take;
            pos += take;
            continue;
        }
        if (connection.head.isEmpty()) {
            // RFC 9112 section 2.2: ignore empty lines before a request line.
            while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n'))
                ++pos;
            if (pos == bytes.size())
                break;
            if (connection.headDeadline == 0)
                connection.headDeadline = nowMs() + m_limits.headTimeoutMs;
        }
        const qsizetype before = connection.head.size();
        const qsizetype room = qMax<qint64>(0, m_limits.maxHeadBytes + 1 - before);
        connection.head.append(bytes.sliced(pos, qMin<qsizetype>(room, bytes.size() - pos)));
        const qsizetype end = headEnd(connection.head, before - 2);
        if (end < 0) {
            if (connection.head.size() > m_limits.maxHeadBytes) {
                refuse(socket, 431,
                    QStringLiteral("request head over %1 bytes").arg(m_limits.maxHeadBytes));
                return;
            }
            return;
        }
        pos += end - before;
        connection.head.truncate(end);
        if (!checkHead(socket, connection))
            return;
    }
}

bool ConnectionGate::checkHead(QTcpSocket *socket, Connection &connection)
{
    const QByteArray head = std::exchange(connection.head, {});
    connection.headDeadline = 0;
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return true;

    const QList<QByteArray> requestLine = lines.constFirst().split(' ');
    if (requestLine.size() != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty()) {
        refuse(socket, 400, QStringLiteral("malformed request line"));
        return false;
    }
    for (const char c : requestLine[1]) {
        if (uchar(c) <= 0x20 || c == 0x7f) {
            refuse(socket, 400, QStringLiteral("malformed request target"));
            return false;
        }
    }
    const QByteArray &version = requestLine[2];
    if (!version.startsWith("HTTP/") || version.size() != 8 || version[6] != '.') {
        refuse(socket, 400, QStringLiteral("malformed HTTP version"));
        return false;
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        refuse(socket, 505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are spoken here"));
        return false;
    }
    if (!isKnownMethod(requestLine[0])) {
        refuse(socket, 501,
            QStringLiteral("unknown method %1").arg(QString::fromLatin1(requestLine[0].left(32))));
        return false;
    }

    std::optional<qint64> contentLength;
    bool expectContinue = false;
    bool webSocket = false;
    Upgrade upgrade;
    upgrade.target = requestLine[1];
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        // A header QHttpServer would choke on (and then drop every header, the token's included)
        // is refused here instead.
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon))) {
            refuse(socket, 400, QStringLiteral("malformed header line %1").arg(i));
            return false;
        }
        const QByteArrayView value = QByteArrayView(line).sliced(colon + 1).trimmed();
        for (const char c : value) {
            if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f || c == '\r') {
                refuse(socket, 400, QStringLiteral("control character in header line %1").arg(i));
                return false;
            }
        }
        const QByteArrayView name = QByteArrayView(line).first(colon);
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool ok = !value.isEmpty() && value.size() <= 18;
            for (const char c : value)
                ok = ok && c >= '0' && c <= '9';
            const qint64 length = ok ? value.toLongLong(&ok) : -1;
            if (!ok || (contentLength && *contentLength != length)) {
                refuse(socket, 400, QStringLiteral("bad Content-Length"));
                return false;
            }
            contentLength = length;
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            refuse(socket, 411,
                QStringLiteral("send the request body with Content-Length, not Transfer-Encoding"));
            return false;
        } else if (name.compare("Upgrade", Qt::CaseInsensitive) == 0) {
            webSocket = value.compare("websocket", Qt::CaseInsensitive) == 0;
        } else if (name.compare("Origin", Qt::CaseInsensitive) == 0) {
            upgrade.origin = value.toByteArray();
        } else if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            upgrade.host = value.toByteArray();
        } else if (name.compare("Authorization", Qt::CaseInsensitive) == 0) {
            upgrade.authorization = value.toByteArray();
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0) {
                refuse(socket, 400, QStringLiteral("unsupported Expect"));
                return false;
            }
            expectContinue = true;
        }
    }
    const qint64 bodyLength = contentLength.value_or(0);
    if (bodyLength > m_limits.maxBodyBytes) {
        refuse(socket, 413,
            QStringLiteral("request body of %1 bytes is over the limit of %2")
                .arg(bodyLength)
                .arg(m_limits.maxBodyBytes));
        return false;
    }
    if (webSocket && requestLine[0] == "GET")
        return takeUpgrade(socket, connection, upgrade);
    connection.bodyRemaining = bodyLength;
    if (expectContinue && bodyLength > 0 && version == "HTTP/1.1")
        socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (!connection.handedOver)
        handOver(socket, connection);
    return true;
}

bool ConnectionGate::takeUpgrade(QTcpSocket *socket, const Connection &connection, Upgrade upgrade)
{
    const QUrl url = QUrl::fromEncoded(upgrade.target);
    if (connection.handedOver) {
        refuse(socket, 400,
            QStringLiteral("a WebSocket upgrade must be the first request on its connection"));
        return false;
    }
    if (url.path() != QLatin1String("/ws")) {
        refuse(socket, 404,
            QStringLiteral("no WebSocket endpoint at %1: upgrades go to /ws")
                .arg(url.path().left(200)));
        return false;
    }
    const QUrlQuery query(url);
    if (query.hasQueryItem(QStringLiteral("token")))
        upgrade.queryToken = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    // Let go: the receiver reads the handshake from the socket's buffer.
    m_connections.remove(socket);
    disconnect(socket, nullptr, this, nullptr);
    Q_EMIT webSocketUpgrade(socket, upgrade);
    return false;
}

void ConnectionGate::handOver(QTcpSocket *socket, Connection &connection)
{
    connection.handedOver = true;
    addPendingConnection(socket);
    Q_EMIT newConnection();
    // The HTTP server connected to readyRead just now, after our framing handler; the bytes it
    // must parse are already buffered, so tell it again. After it has read, remember what it left.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        const auto it = m_connections.find(socket);
        if (it != m_connections.end())
            it->framedUnread = socket->bytesAvailable();
    });
    QMetaObject::invokeMethod(
        socket, [socket] { Q_EMIT socket->readyRead(); }, Qt::QueuedConnection);
}

void ConnectionGate::refuse(QTcpSocket *socket, int status, const QString &reason)
{
    qCDebug(lcGate) << "answering" << status << "to" << socket->peerAddress() << socket->peerPort()
                    << ":" << reason;
    if (status != 503)
        ++m_rejected;
    const auto it = m_connections.find(socket);
    if (it != m_connections.end())
        it->headDeadline = 0;
    // Nobody parses this connection any more; whatever else arrives is read and dropped.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::readyRead, socket,
        [socket] { socket->skip(socket->bytesAvailable()); });
    const QByteArray body = QJsonDocument(
        QJsonObject {{QStringLiteral("error"),
            reason}}).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nConnection: close\r\n\r\n" + body);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater, Qt::UniqueConnection);
    socket->disconnectFromHost();
    // A peer that never reads the answer does not keep the connection.
    QTimer::singleShot(m_limits.headTimeoutMs, socket, &QTcpSocket::abort);
}

void ConnectionGate::closeAll()
{
    const QList<QTcpSocket *> sockets = m_connections.keys();
    for (QTcpSocket *socket : sockets) {
        socket->flush();
        socket->disconnectFromHost();
    }
}

void ConnectionGate::sweepDeadlines()
{
    const qint64 now = nowMs();
    QList<QTcpSocket *> late;
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        if (it->headDeadline != 0 && now >= it->headDeadline)
            late.append(it.key());
    }
    for (QTcpSocket *socket : late)
        refuse(socket, 408,
            QStringLiteral("request head not complete within %1 ms").arg(m_limits.headTimeoutMs));
    if (m_connections.isEmpty())
        m_sweep.stop();
}

} // namespace Pushboard
