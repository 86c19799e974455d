#pragma once

#include <QByteArray>

class QTcpSocket;

namespace Pushboard {

/// Writes `bytes` to a connected socket the fastest way that keeps their order: straight into the
/// kernel with one non-blocking send() while Qt's write buffer is empty, and whatever the kernel
/// does not take now through QTcpSocket::write(), which sends it when the socket drains.
///
/// Why: QTcpSocket::write() copies into its buffer, enables a write notifier and sends on a later
/// turn of the event loop. For one event fanned out to thousands of streams that is thousands of
/// notifier toggles and copies; measured with bench/run, this path cut server CPU and latency
/// markedly (see bench/README.md). Returns false when the connection is broken.
bool writeDirect(QTcpSocket *socket, const QByteArray &bytes);

} // namespace Pushboard
