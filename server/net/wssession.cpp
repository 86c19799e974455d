#include "wssession.h"

#include "directwrite.h"
#include "wirecapture.h"

#include <QLoggingCategory>
#include <QSslSocket>

#include <sys/socket.h>

Q_DECLARE_LOGGING_CATEGORY(lcWs)

namespace Pushboard {

using Kind = WsReader::Item::Kind;

WsSession::WsSession(QTcpSocket *socket, const QByteArray &buffered, qint64 maxMessageBytes,
    WireCapture *capture, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_peer(
          socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort()))
    , m_reader(maxMessageBytes)
    , m_capture(capture)
    , m_wireId(WireCapture::idOf(socket))
{
    if (m_capture)
        m_capture->setTransport(m_wireId, QStringLiteral("ws"));
    socket->setParent(this);
    // Every frame is a whole message: send it now rather than wait for the previous one's ACK
    // (Nagle's algorithm against the peer's delayed ACK held frames up to 40 ms; the lab's
    // slow-consumer scenario showed WebSocket p99 at 37 ms where SSE had 3 ms).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, &WsSession::abort);
    connect(socket, &QTcpSocket::readyRead, this, &WsSession::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] { Q_EMIT bytesWritten(); });
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_capture)
            m_capture->closed(m_wireId,
                m_closeReceived ? QStringLiteral("closed after the client's Close")
                                : QStringLiteral("closed"));
        m_closeTimer.stop();
        Q_EMIT disconnected();
    });
    m_reader.feed(buffered);
    if (!buffered.isEmpty())
        QMetaObject::invokeMethod(this, &WsSession::onReadyRead, Qt::QueuedConnection);
}

WsSession::~WsSession() = default;

void WsSession::onReadyRead()
{
    if (!m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (m_capture)
        m_capture->read(m_wireId, bytes);
    m_reader.feed(bytes);
    QPointer<WsSession> self(this);
    while (self && m_socket) {
        std::optional<WsReader::Item> item = m_reader.next();
        if (!item)
            return;
        Q_EMIT heard();
        switch (item->kind) {
        case Kind::Text:
            if (!m_closeSent)
                Q_EMIT textMessage(item->payload);
            break;
        case Kind::Binary:
            if (!m_closeSent)
                Q_EMIT binaryMessage(item->payload);
            break;
        case Kind::Ping:
            // 5.5.3: a Pong with the same payload, unless we are closing.
            if (!m_closeSent)
                writeFrame(WsFrame::serverFrame(WsFrame::Pong, item->payload));
            break;
        case Kind::Pong:
            break; // heard() above is what a pong is for: the peer is alive.
        case Kind::Close:
            // 5.5.1: answer with a Close (echoing the code) unless we sent one; then the server
            // closes the TCP connection first (7.1.1).
            m_closeReceived = true;
            if (!m_closeSent)
                sendClose(item->code ? item->code : 1000, item->reason);
            m_socket->disconnectFromHost();
            return;
        case Kind::Fail:
            qCInfo(lcWs) << "failing WebSocket" << m_peer << item->code << item->reason;
            if (!m_closeSent)
                sendClose(item->code, item->reason);
            lingeringClose();
            return;
        }
    }
}

void WsSession::lingeringClose()
{
    // Whatever else arrives (the rest of a message too big to read, say) is read and dropped:
    // closing a socket with unread bytes makes the kernel send a reset, and a reset may erase
    // the client's unread input, our Close frame with it (RFC 9112 9.6 on the same risk for
    // HTTP answers). So, in stages: our Close, then FIN (the server closes first, RFC 6455
    // 7.1.1), then drain until the client closes its side or CloseTimeoutMs.
    disconnect(m_socket, &QTcpSocket::readyRead, this, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        if (m_socket)
            m_socket->skip(m_socket->bytesAvailable());
    });
    m_socket->skip(m_socket->bytesAvailable());
    const auto pending = [this] {
        const auto *tls = qobject_cast<QSslSocket *>(m_socket.data());
        return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
    };
    const auto finish = [this, pending] {
        if (m_socket && pending() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    };
    m_socket->flush();
    if (pending() > 0) {
        connect(m_socket, &QTcpSocket::bytesWritten, this, finish);
        if (auto *tls = qobject_cast<QSslSocket *>(m_socket.data()))
            connect(tls, &QSslSocket::encryptedBytesWritten, this, finish);
    } else {
        finish();
    }
    m_closeTimer.start(CloseTimeoutMs);
}

void WsSession::sendClose(quint16 code, const QString &reason)
{
    m_closeSent = true;
    writeFrame(WsFrame::serverFrame(WsFrame::Close, WsFrame::closePayload(code, reason)));
}

bool WsSession::sendFrame(const QByteArray &frame)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    if (m_closeSent)
        return true; // Nothing after our Close; the connection ends soon.
    return writeFrame(frame);
}

bool WsSession::writeFrame(const QByteArray &frame)
{
    if (m_capture)
        m_capture->wrote(m_wireId, frame);
    return writeDirect(m_socket, frame);
}

void WsSession::ping(const QByteArray &payload)
{
    sendFrame(WsFrame::serverFrame(WsFrame::Ping, payload.left(125)));
}

void WsSession::close(quint16 code, const QString &reason)
{
    if (!m_socket || m_closeSent)
        return;
    sendClose(code, reason);
    m_socket->flush();
    m_closeTimer.start(CloseTimeoutMs);
}

void WsSession::abort()
{
    if (m_socket)
        m_socket->abort();
}

} // namespace Pushboard
