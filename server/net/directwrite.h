#pragma once

#include <QByteArray>

class QTcpSocket;

namespace Pushboard {

/// Writes `bytes` to a connected socket the fastest way that keeps their order: straight into the
/// kernel with one non-blocking send() while Qt's write buffer is empty, and whatever the kernel
/// does not take now through QTcpSocket::write(), which sends it as the socket drains.
///
/// Why: QTcpSocket::write() copies into its buffer, enables a write notifier and sends on a later
/// turn of the event loop; for one message fanned out to a thousand clients that is a thousand
/// notifier toggles and copies (bench/README.md has the figures). Used for WebSocket frames,
/// whose connections stay with QWebSocket (pings, close handshake) but whose frames we build.
/// Returns false when the connection is broken.
bool writeDirect(QTcpSocket *socket, const QByteArray &bytes);

} // namespace Pushboard
