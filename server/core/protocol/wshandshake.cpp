#include "wshandshake.h"

#include <QCryptographicHash>

namespace Pushboard {

QByteArray webSocketAccept(QByteArrayView key)
{
    QByteArray input = key.trimmed().toByteArray();
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64();
}

} // namespace Pushboard
