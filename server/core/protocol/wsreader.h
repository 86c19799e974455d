#pragma once

#include "wsframedecoder.h"

#include <QString>

#include <optional>

namespace Pushboard {

/// What a WebSocket server reads from a client, by the rules of RFC 6455: frames in, messages and
/// control frames out, or the reason to fail the connection (7.1.7) with its close code.
///
/// Enforced (each a MUST of RFC 6455 a server can see): client frames are masked (5.1, else
/// 1002); RSV1-3 are 0 as no extension was negotiated (5.2, 1002); no reserved opcode (5.2,
/// 1002); control frames are final and carry at most 125 bytes (5.5, 1002); continuation frames
/// continue a message and a new message does not start inside another (5.4, 1002); a 64-bit
/// length has its top bit clear (5.2, 1002); text is valid UTF-8 (8.1, 1007); a Close payload
/// is empty or a valid code plus a UTF-8 reason (5.5.1, 7.4, 1002 / 1007). Messages over
/// `maxMessageBytes` (one frame or the sum of fragments) fail with 1009, decided before the
/// payload is buffered. After a Close or a failure nothing more is read.
class WsReader
{
public:
    struct Item
    {
        enum class Kind { Text, Binary, Ping, Pong, Close, Fail };
        Kind kind;
        QByteArray payload; ///< The message (Text: UTF-8) or the ping/pong data.
        quint16 code = 0; ///< Close: the peer's code (0: none given); Fail: the code to send.
        QString reason; ///< Close: the peer's reason; Fail: why, for the close frame and logs.
    };

    explicit WsReader(qint64 maxMessageBytes);

    void feed(QByteArrayView bytes);
    /// The next message, control frame or failure; nothing while more bytes are needed.
    std::optional<Item> next();

    /// True for a code a peer may send in a Close frame (RFC 6455 7.4).
    [[nodiscard]] static bool isValidCloseCode(quint16 code);

private:
    std::optional<Item> fail(quint16 code, const QString &reason);

    qint64 m_maxMessage;
    WsFrameDecoder m_decoder;
    bool m_inMessage = false;
    quint8 m_messageOpcode = 0;
    QByteArray m_message;
    bool m_done = false;
};

} // namespace Pushboard
