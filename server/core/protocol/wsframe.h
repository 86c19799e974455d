#pragma once

#include <QByteArray>

/// RFC 6455 frames as a server writes them (never masked).
namespace Pushboard::WsFrame {

/// A complete, final text frame (FIN, opcode 1) carrying `payload` (UTF-8). Built once per
/// message and shared by every client: a server's frames are the same bytes for everyone.
[[nodiscard]] QByteArray serverText(const QByteArray &payload);

} // namespace Pushboard::WsFrame
