#pragma once

#include "wsframe.h"

#include <QByteArrayView>

#include <optional>

namespace Pushboard {

/// An incremental reader of RFC 6455 frames: bytes go in as they arrive, split anywhere, and come
/// out as whole frames with their header fields and the payload unmasked. It only frames; what a
/// frame may or may not be is the caller's rule (WsReader for a server). Errors: a 64-bit length
/// with its most significant bit set (5.2), and a payload over `maxPayload`, decided from the
/// header before any payload byte is buffered.
class WsFrameDecoder
{
public:
    enum class Error { None, BadLength, TooLarge };

    explicit WsFrameDecoder(quint64 maxPayload)
        : m_maxPayload(maxPayload)
    { }

    void feed(QByteArrayView bytes) { m_buffer.append(bytes); }
    /// The next complete frame, or nothing (more bytes needed, or error() is set).
    std::optional<WsFrame> next();
    [[nodiscard]] Error error() const { return m_error; }
    /// The header of the frame being read once it is complete (for the error's evidence).
    [[nodiscard]] quint64 pendingLength() const { return m_pendingLength; }
    [[nodiscard]] qsizetype bufferedBytes() const { return m_buffer.size(); }

private:
    quint64 m_maxPayload;
    QByteArray m_buffer;
    quint64 m_pendingLength = 0;
    Error m_error = Error::None;
};

} // namespace Pushboard
