#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Pushboard {

/// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 4.2.2 step 5.4): base64 of
/// the SHA-1 of the key followed by the protocol's GUID.
[[nodiscard]] QByteArray webSocketAccept(QByteArrayView key);

} // namespace Pushboard
