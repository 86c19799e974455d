#include "wsreader.h"

#include "utf8.h"

namespace Pushboard {

using Kind = WsReader::Item::Kind;

WsReader::WsReader(qint64 maxMessageBytes)
    : m_maxMessage(maxMessageBytes)
    , m_decoder(quint64(qMax<qint64>(maxMessageBytes, 125)))
{ }

void WsReader::feed(QByteArrayView bytes)
{
    if (!m_done)
        m_decoder.feed(bytes);
}

bool WsReader::isValidCloseCode(quint16 code)
{
    // 1004-1006 and 1015 are reserved, never sent; 1016-2999 are for future standards.
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
}

std::optional<WsReader::Item> WsReader::fail(quint16 code, const QString &reason)
{
    m_done = true;
    m_message.clear();
    return Item {Kind::Fail, {}, code, reason};
}

std::optional<WsReader::Item> WsReader::next()
{
    if (m_done)
        return std::nullopt;
    const std::optional<WsFrame> frame = m_decoder.next();
    if (!frame) {
        if (m_decoder.error() == WsFrameDecoder::Error::BadLength)
            return fail(1002, QStringLiteral("a 64-bit frame length must have its top bit clear"));
        if (m_decoder.error() == WsFrameDecoder::Error::TooLarge)
            return fail(1009,
                QStringLiteral("a frame of %1 bytes is over the limit of %2")
                    .arg(m_decoder.pendingLength())
                    .arg(m_maxMessage));
        return std::nullopt;
    }
    if (!frame->masked)
        return fail(1002, QStringLiteral("client frames must be masked"));
    if (frame->rsv1 || frame->rsv2 || frame->rsv3)
        return fail(1002, QStringLiteral("reserved bits set without a negotiated extension"));
    const quint8 opcode = frame->opcode;
    if (frame->isControl()) {
        if (opcode != WsFrame::Close && opcode != WsFrame::Ping && opcode != WsFrame::Pong)
            return fail(1002, QStringLiteral("reserved opcode %1").arg(opcode));
        if (!frame->fin)
            return fail(1002, QStringLiteral("a control frame must not be fragmented"));
        if (frame->length > 125)
            return fail(1002, QStringLiteral("a control frame carries at most 125 bytes"));
        if (opcode == WsFrame::Ping)
            return Item {Kind::Ping, frame->payload};
        if (opcode == WsFrame::Pong)
            return Item {Kind::Pong, frame->payload};
        // Close: nothing after it is read.
        const QByteArray &payload = frame->payload;
        if (payload.size() == 1)
            return fail(1002, QStringLiteral("a close payload of one byte"));
        quint16 code = 0;
        QString reason;
        if (payload.size() >= 2) {
            code = quint16((uchar(payload.at(0)) << 8) | uchar(payload.at(1)));
            if (!isValidCloseCode(code))
                return fail(1002, QStringLiteral("invalid close code %1").arg(code));
            const QByteArrayView text = QByteArrayView(payload).sliced(2);
            if (!isValidUtf8(text))
                return fail(1007, QStringLiteral("the close reason is not valid UTF-8"));
            reason = QString::fromUtf8(text);
        }
        m_done = true;
        return Item {Kind::Close, {}, code, reason};
    }
    if (opcode != WsFrame::Continuation && opcode != WsFrame::Text && opcode != WsFrame::Binary)
        return fail(1002, QStringLiteral("reserved opcode %1").arg(opcode));
    if (opcode == WsFrame::Continuation && !m_inMessage)
        return fail(1002, QStringLiteral("a continuation frame without a message to continue"));
    if (opcode != WsFrame::Continuation && m_inMessage)
        return fail(1002, QStringLiteral("a new message inside a fragmented one"));
    if (m_message.size() + qint64(frame->length) > m_maxMessage)
        return fail(1009, QStringLiteral("a message over the limit of %1 bytes").arg(m_maxMessage));
    if (opcode != WsFrame::Continuation)
        m_messageOpcode = opcode;
    m_message += frame->payload;
    m_inMessage = !frame->fin;
    if (m_inMessage)
        return next(); // The rest of the message may be buffered already.
    QByteArray message = std::exchange(m_message, {});
    if (m_messageOpcode == WsFrame::Text) {
        if (!isValidUtf8(message))
            return fail(1007, QStringLiteral("a text message that is not valid UTF-8"));
        return Item {Kind::Text, std::move(message)};
    }
    return Item {Kind::Binary, std::move(message)};
}

} // namespace Pushboard
