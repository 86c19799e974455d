#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Pushboard {

/// One RFC 6455 frame (section 5.2) as it crossed the wire.
struct WsFrame
{
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xa,
    };

    bool fin = false;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    quint8 opcode = 0;
    bool masked = false;
    QByteArray maskingKey; ///< 4 bytes when masked.
    quint64 length = 0; ///< The payload length the header declares.
    int headerSize = 0; ///< 2 to 14 bytes.
    QByteArray payload; ///< Unmasked.

    [[nodiscard]] bool isControl() const { return opcode & 0x8; }

    /// A complete, final, unmasked frame as a server writes it. Built once per message and
    /// shared by every client: a server's frames are the same bytes for everyone.
    [[nodiscard]] static QByteArray serverFrame(quint8 opcode, QByteArrayView payload);
    /// serverFrame(Text, payload): `payload` is UTF-8.
    [[nodiscard]] static QByteArray serverText(const QByteArray &payload)
    {
        return serverFrame(Text, payload);
    }
    /// The payload of a Close frame: the code, then the UTF-8 reason (5.5.1).
    [[nodiscard]] static QByteArray closePayload(quint16 code, const QString &reason);
};

} // namespace Pushboard
