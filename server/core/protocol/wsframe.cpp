#include "wsframe.h"

namespace Pushboard {

QByteArray WsFrame::serverFrame(quint8 opcode, QByteArrayView payload)
{
    const quint64 length = quint64(payload.size());
    QByteArray frame;
    frame.reserve(payload.size() + 10);
    frame.append(char(0x80 | (opcode & 0x0f))); // FIN
    if (length < 126) {
        frame.append(char(length));
    } else if (length <= 0xffff) {
        frame.append(char(126));
        frame.append(char(length >> 8));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((length >> shift) & 0xff));
    }
    frame.append(payload);
    return frame;
}

QByteArray WsFrame::closePayload(quint16 code, const QString &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xff));
    // A control frame carries at most 125 bytes: the reason is cut on a character boundary.
    QString text = reason;
    QByteArray utf8 = text.toUtf8();
    while (utf8.size() > 123) {
        text.chop(1);
        utf8 = text.toUtf8();
    }
    return payload + utf8;
}

} // namespace Pushboard
