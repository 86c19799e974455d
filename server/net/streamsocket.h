#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSocketNotifier>

#include <memory>

class QTcpSocket;

namespace Pushboard {

/// A connection that from now on only streams out (an SSE subscriber): the file descriptor taken
/// over from the QTcpSocket the HTTP server answered on.
///
/// Why not keep the QTcpSocket: every QTcpSocket keeps a 16 KiB read buffer chunk, three socket
/// notifiers and the HTTP server's per-connection request state for as long as it lives, and its
/// writes go through a buffer and a write notifier. A stream needs none of that: it writes whole
/// events with one non-blocking send(), queues what the kernel does not take, and watches the
/// descriptor only to notice the peer leaving. bench/README.md has the figures.
class StreamSocket : public QObject
{
    Q_OBJECT

public:
    /// Duplicates `socket`'s descriptor and aborts `socket` (the HTTP server forgets it; the
    /// connection lives on in the duplicate). Returns nothing when the socket is not connected.
    static std::unique_ptr<StreamSocket> takeOver(QTcpSocket *socket);
    ~StreamSocket() override;

    /// Sends now what the kernel takes and queues the rest, in order. False once the connection
    /// is broken or closed.
    bool write(const QByteArray &bytes);
    /// Bytes written but not yet taken by the kernel.
    [[nodiscard]] qint64 queuedBytes() const { return m_queued; }
    [[nodiscard]] bool isOpen() const { return m_fd >= 0; }
    [[nodiscard]] QString peer() const { return m_peer; }

    /// Sends what the kernel takes now, ends the stream (FIN) and closes.
    void close();
    /// Closes at once; whatever is queued is dropped.
    void abort();

Q_SIGNALS:
    /// The peer closed the connection or it broke. Not emitted by close() or abort().
    void disconnected();
    /// Queued bytes were taken by the kernel; queuedBytes() tells how many remain.
    void bytesWritten();

private:
    StreamSocket(int fd, QString peer);
    void flushQueue();
    void onReadable();
    void release();

    int m_fd;
    QString m_peer;
    QSocketNotifier m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; ///< Only while something is queued.
    QList<QByteArray> m_queue;
    qsizetype m_headOffset = 0; ///< Bytes of m_queue.first() already sent.
    qint64 m_queued = 0;
};

} // namespace Pushboard
