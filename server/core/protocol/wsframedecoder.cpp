#include "wsframedecoder.h"

namespace Pushboard {

std::optional<WsFrame> WsFrameDecoder::next()
{
    if (m_error != Error::None || m_buffer.size() < 2)
        return std::nullopt;
    const auto byte = [this](qsizetype i) { return uchar(m_buffer.at(i)); };
    WsFrame frame;
    frame.fin = byte(0) & 0x80;
    frame.rsv1 = byte(0) & 0x40;
    frame.rsv2 = byte(0) & 0x20;
    frame.rsv3 = byte(0) & 0x10;
    frame.opcode = byte(0) & 0x0f;
    frame.masked = byte(1) & 0x80;
    const quint8 length7 = byte(1) & 0x7f;
    int header = 2;
    if (length7 == 126) {
        header += 2;
        if (m_buffer.size() < header)
            return std::nullopt;
        frame.length = (quint64(byte(2)) << 8) | byte(3);
    } else if (length7 == 127) {
        header += 8;
        if (m_buffer.size() < header)
            return std::nullopt;
        for (int i = 2; i < 10; ++i)
            frame.length = (frame.length << 8) | byte(i);
        if (frame.length >> 63) {
            m_error = Error::BadLength;
            return std::nullopt;
        }
    } else {
        frame.length = length7;
    }
    m_pendingLength = frame.length;
    if (frame.length > m_maxPayload) {
        m_error = Error::TooLarge;
        return std::nullopt;
    }
    if (frame.masked)
        header += 4;
    if (quint64(m_buffer.size()) < quint64(header) + frame.length)
        return std::nullopt;
    frame.headerSize = header;
    if (frame.masked)
        frame.maskingKey = m_buffer.mid(header - 4, 4);
    frame.payload = m_buffer.mid(header, qsizetype(frame.length));
    if (frame.masked) {
        char *data = frame.payload.data();
        for (qsizetype i = 0; i < frame.payload.size(); ++i)
            data[i] = char(data[i] ^ frame.maskingKey.at(i % 4));
    }
    m_buffer.remove(0, header + qsizetype(frame.length));
    m_pendingLength = 0;
    return frame;
}

} // namespace Pushboard
