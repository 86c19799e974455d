#include "directwrite.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>
#include <sys/socket.h>
#include <sys/types.h>

namespace Pushboard {

bool writeDirect(QTcpSocket *socket, const QByteArray &bytes)
{
    qsizetype sent = 0;
    const qintptr fd = qobject_cast<QSslSocket *>(socket) ? -1 : socket->socketDescriptor();
    if (fd >= 0 && socket->bytesToWrite() == 0
        && socket->state() == QAbstractSocket::ConnectedState) {
        const ssize_t n
            = ::send(int(fd), bytes.constData(), size_t(bytes.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            sent = n;
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return false;
    }
    if (sent < bytes.size())
        socket->write(bytes.constData() + sent, bytes.size() - sent);
    return true;
}

} // namespace Pushboard
