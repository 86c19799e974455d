#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSocketNotifier>

#include <memory>

class QTcpSocket;

namespace Pushboard {

/// A connection that from now on only streams out (an SSE subscriber), taken over from the socket
/// the HTTP server answered on. Two kinds: a plain TCP connection becomes a bare file descriptor
/// (FdStreamSocket); a TLS connection keeps its QSslSocket, which does the encryption. An HTTP/2
/// stream is a third kind (Http2Session's): one of many streams on a connection.
class StreamSocket : public QObject
{
    Q_OBJECT

public:
    /// Takes over a connected `socket` the HTTP server no longer serves
    /// (HttpReply::detachSocket()): a plain one is duplicated as a descriptor and deleted, a
    /// QSslSocket is kept. Returns nothing (and deletes `socket`) when the socket is not connected.
    static std::unique_ptr<StreamSocket> takeOver(QTcpSocket *socket);

    /// Sends now what the connection takes and queues the rest, in order. False once the
    /// connection is broken or closed.
    virtual bool write(const QByteArray &bytes) = 0;
    /// Bytes written but not yet taken by the kernel (or by TLS).
    [[nodiscard]] virtual qint64 queuedBytes() const = 0;
    [[nodiscard]] virtual bool isOpen() const = 0;
    [[nodiscard]] QString peer() const { return m_peer; }
    /// "http/1.1" or "h2".
    [[nodiscard]] QString protocol() const { return m_protocol; }

    /// Sends what the kernel takes now, ends the stream (FIN) and closes.
    virtual void close() = 0;
    /// Closes at once; whatever is queued is dropped.
    virtual void abort() = 0;

Q_SIGNALS:
    /// The peer closed the connection or it broke. Not emitted by close() or abort().
    void disconnected();
    /// Queued bytes were taken by the kernel; queuedBytes() tells how many remain.
    void bytesWritten();

protected:
    explicit StreamSocket(QString peer, QString protocol = QStringLiteral("http/1.1"))
        : m_peer(std::move(peer))
        , m_protocol(std::move(protocol))
    { }

private:
    QString m_peer;
    QString m_protocol;
};

/// A plain TCP stream as the bare descriptor.
///
/// Why not keep the QTcpSocket: every QTcpSocket keeps a 16 KiB read buffer chunk, three socket
/// notifiers and the HTTP server's per-connection request state for as long as it lives, and its
/// writes go through a buffer and a write notifier. A stream needs none of that: it writes whole
/// events with one non-blocking send(), queues what the kernel does not take, and watches the
/// descriptor only to notice the peer leaving. bench/README.md has the figures.
class FdStreamSocket : public StreamSocket
{
    Q_OBJECT

public:
    FdStreamSocket(int fd, QString peer);
    ~FdStreamSocket() override;

    bool write(const QByteArray &bytes) override;
    [[nodiscard]] qint64 queuedBytes() const override { return m_queued; }
    [[nodiscard]] bool isOpen() const override { return m_fd >= 0; }
    void close() override;
    void abort() override;

private:
    void flushQueue();
    void onReadable();
    void release();

    int m_fd;
    QSocketNotifier m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; ///< Only while something is queued.
    QList<QByteArray> m_queue;
    qsizetype m_headOffset = 0; ///< Bytes of m_queue.first() already sent.
    qint64 m_queued = 0;
};

/// A TLS stream: the QSslSocket stays, since it encrypts; what it has not yet handed to the
/// kernel counts as queued.
class QtStreamSocket : public StreamSocket
{
    Q_OBJECT

public:
    QtStreamSocket(QTcpSocket *socket, QString peer);
    ~QtStreamSocket() override;

    bool write(const QByteArray &bytes) override;
    [[nodiscard]] qint64 queuedBytes() const override;
    [[nodiscard]] bool isOpen() const override { return m_socket != nullptr; }
    void close() override;
    void abort() override;

private:
    void release();

    QTcpSocket *m_socket; ///< Owned; null once closed.
};

} // namespace Pushboard
