#pragma once

#include "protocol/permessagedeflate.h"
#include "protocol/wsframedecoder.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Pushboard {

/// What a WebSocket client reads from a server, judged by RFC 6455 (and RFC 7692 when
/// permessage-deflate was accepted): bytes in, split anywhere; messages and control frames
/// out, and every rule a frame breaks counted with the first frame that broke it. Unlike a
/// client it does not stop at the first broken rule, so that one check reports all of them;
/// only a frame it cannot read at all (a length over MaxFrameBytes, a 64-bit length with its
/// top bit set) ends the reading: isBroken().
///
/// The rules: server frames are not masked (5.1); RSV bits are 0 unless an extension defines
/// them, RSV1 only on the first frame of a compressed message (5.2, RFC 7692 6); no reserved
/// opcode (5.2); control frames are final and at most 125 bytes (5.5); continuations continue a
/// message and no message starts inside another (5.4); text is UTF-8 (8.1); a Close payload is
/// empty or a code that may be sent plus a UTF-8 reason (5.5.1, 7.4); nothing after a Close.
class ServerFrameReader
{
public:
    static constexpr quint64 MaxFrameBytes = 32 * 1024 * 1024;
    static constexpr qsizetype MaxMessageBytes = 32 * 1024 * 1024;

    struct Item
    {
        enum class Kind { Message, Ping, Pong, Close };
        Kind kind = Kind::Message;
        QByteArray payload; ///< The message (inflated), or the control frame's payload.
        bool text = false; ///< Message: a text message.
        std::optional<quint16> code; ///< Close: the code, nothing when none was given.
        QString reason; ///< Close: the reason.
    };

    struct Violation
    {
        QString rule; ///< What was broken, with the RFC's section.
        int count = 0;
        QString firstFrame; ///< "frame 3: opcode 0x1, FIN 1, RSV 000, MASK 1, length 6"
    };

    explicit ServerFrameReader(std::optional<PerMessageDeflateParams> deflate = std::nullopt);
    ~ServerFrameReader();

    QList<Item> feed(QByteArrayView bytes);

    [[nodiscard]] bool isBroken() const { return m_broken; }
    [[nodiscard]] qint64 frames() const { return m_frames; }
    [[nodiscard]] qint64 messages() const { return m_messages; }
    [[nodiscard]] const QList<Violation> &violations() const { return m_violations; }
    [[nodiscard]] int violationCount() const;

private:
    void frame(const WsFrame &frame, QList<Item> &out);
    void violation(const WsFrame &frame, const QString &rule);

    WsFrameDecoder m_decoder {MaxFrameBytes};
    std::optional<PerMessageDeflateParams> m_deflate;
    std::unique_ptr<MessageInflater> m_inflater;
    bool m_inMessage = false;
    bool m_messageText = false;
    bool m_messageCompressed = false;
    QByteArray m_message;
    bool m_closed = false;
    bool m_broken = false;
    qint64 m_frames = 0;
    qint64 m_messages = 0;
    QList<Violation> m_violations;
};

} // namespace Pushboard
