#include "streamsocket.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Pushboard {

std::unique_ptr<StreamSocket> StreamSocket::takeOver(QTcpSocket *socket)
{
    if (!socket)
        return nullptr;
    // Later, not now: the caller may be inside one of the socket's own signals.
    auto letGo = [socket] {
        socket->abort();
        socket->deleteLater();
    };
    if (socket->state() != QAbstractSocket::ConnectedState || socket->socketDescriptor() < 0) {
        letGo();
        return nullptr;
    }
    const QString peer
        = socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort());
    if (qobject_cast<QSslSocket *>(socket))
        return std::make_unique<QtStreamSocket>(socket, peer);
    const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        letGo();
        return nullptr;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    // Closing Qt's descriptor leaves the connection open in ours (close() without shutdown()).
    letGo();
    return std::make_unique<FdStreamSocket>(fd, peer);
}

FdStreamSocket::FdStreamSocket(int fd, QString peer)
    : StreamSocket(std::move(peer))
    , m_fd(fd)
    , m_readNotifier(fd, QSocketNotifier::Read)
{
    connect(&m_readNotifier, &QSocketNotifier::activated, this, &FdStreamSocket::onReadable);
}

FdStreamSocket::~FdStreamSocket()
{
    release();
}

bool FdStreamSocket::write(const QByteArray &bytes)
{
    if (m_fd < 0)
        return false;
    qsizetype sent = 0;
    if (m_queue.isEmpty()) {
        const ssize_t n
            = ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            release();
            Q_EMIT disconnected();
            return false;
        }
        sent = qMax<qsizetype>(0, n);
    }
    if (sent == bytes.size())
        return true;
    m_queue.append(sent == 0 ? bytes : bytes.mid(sent));
    m_queued += bytes.size() - sent;
    if (!m_writeNotifier) {
        m_writeNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
        connect(
            m_writeNotifier.get(), &QSocketNotifier::activated, this, &FdStreamSocket::flushQueue);
    }
    m_writeNotifier->setEnabled(true);
    return true;
}

void FdStreamSocket::flushQueue()
{
    while (m_fd >= 0 && !m_queue.isEmpty()) {
        const QByteArray &head = m_queue.constFirst();
        const ssize_t n = ::send(m_fd, head.constData() + m_headOffset,
            size_t(head.size() - m_headOffset), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            release();
            Q_EMIT disconnected();
            return;
        }
        m_queued -= n;
        m_headOffset += n;
        if (m_headOffset < head.size())
            break;
        m_queue.removeFirst();
        m_headOffset = 0;
    }
    if (m_queue.isEmpty())
        m_writeNotifier.reset(); // The common case needs no write notifier at all.
    Q_EMIT bytesWritten();
}

void FdStreamSocket::onReadable()
{
    // A stream's peer has nothing to say; reading only tells whether it is still there.
    char sink[1024];
    for (;;) {
        const ssize_t n = ::recv(m_fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        release(); // 0: orderly close by the peer; < 0: the connection broke.
        Q_EMIT disconnected();
        return;
    }
}

void FdStreamSocket::close()
{
    if (m_fd < 0)
        return;
    flushQueue();
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_WR);
    release();
}

void FdStreamSocket::abort()
{
    release();
}

void FdStreamSocket::release()
{
    if (m_fd < 0)
        return;
    m_readNotifier.setEnabled(false);
    m_writeNotifier.reset();
    m_queue.clear();
    m_queued = 0;
    ::close(m_fd);
    m_fd = -1;
}

QtStreamSocket::QtStreamSocket(QTcpSocket *socket, QString peer)
    : StreamSocket(std::move(peer))
    , m_socket(socket)
{
    socket->setParent(nullptr);
    socket->disconnect(); // Whatever served it as HTTP is gone.
    socket->setReadBufferSize(4096); // A stream's peer has nothing to say.
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    // Later, like FdStreamSocket: write() flushes, and the socket may report from inside it.
    connect(
        socket, &QTcpSocket::bytesWritten, this, &StreamSocket::bytesWritten, Qt::QueuedConnection);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        release();
        Q_EMIT disconnected();
    });
}

QtStreamSocket::~QtStreamSocket()
{
    release();
}

bool QtStreamSocket::write(const QByteArray &bytes)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    if (m_socket->write(bytes) != bytes.size())
        return false;
    // Encrypted and handed to the kernel now, as FdStreamSocket sends: left to the event loop,
    // every write would arm and disarm the socket's write notifier, whose bookkeeping in Qt's
    // glib dispatcher grows with the number of sockets (a profile showed 15% of the server's
    // time there with 1000 TLS subscribers).
    m_socket->flush();
    return m_socket != nullptr;
}

qint64 QtStreamSocket::queuedBytes() const
{
    if (!m_socket)
        return 0;
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket);
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void QtStreamSocket::close()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    // disconnectFromHost() sends what is buffered first; the socket deletes itself once closed.
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

void QtStreamSocket::abort()
{
    release();
}

void QtStreamSocket::release()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

} // namespace Pushboard
