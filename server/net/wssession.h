#pragma once

#include "protocol/wsreader.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace Pushboard {

class WireCapture;

/// The server side of one WebSocket connection after its opening handshake: reads client frames
/// with WsReader (every RFC 6455 rule a server can check), answers pings, runs the closing
/// handshake in both directions, and writes the frames the channel builds straight to the kernel
/// (writeDirect). A connection that breaks a rule is failed with the code WsReader gives: a Close
/// frame with that code and reason, then the TCP connection is closed (RFC 6455 7.1.7).
class WsSession : public QObject
{
    Q_OBJECT

public:
    static constexpr int CloseTimeoutMs = 5000;

    /// Takes ownership of `socket`; `buffered` are bytes already read after the handshake.
    WsSession(QTcpSocket *socket, const QByteArray &buffered, qint64 maxMessageBytes,
        WireCapture *capture, QObject *parent = nullptr);
    ~WsSession() override;

    /// Writes a complete frame (built with WsFrame). False when the connection is broken; after
    /// a Close was sent, data frames are dropped (RFC 6455 5.5.1).
    bool sendFrame(const QByteArray &frame);
    void ping(const QByteArray &payload = {});
    /// Starts the closing handshake; the TCP connection ends when the client answers, or after
    /// CloseTimeoutMs.
    void close(quint16 code, const QString &reason);
    /// Drops the connection at once, without a closing handshake.
    void abort();

    [[nodiscard]] qint64 bytesToWrite() const { return m_socket ? m_socket->bytesToWrite() : 0; }
    [[nodiscard]] QString peer() const { return m_peer; }
    [[nodiscard]] bool isOpen() const { return m_socket && !m_closeSent; }

Q_SIGNALS:
    void textMessage(const QByteArray &utf8);
    void binaryMessage(const QByteArray &data);
    /// Any frame arrived (the peer is alive).
    void heard();
    void bytesWritten();
    /// The connection is closed (either side, or broken).
    void disconnected();

private:
    /// After our Close on a failure: FIN, then drop what still arrives until the peer closes.
    void lingeringClose();
    void onReadyRead();
    void sendClose(quint16 code, const QString &reason);

    QPointer<QTcpSocket> m_socket;
    QString m_peer;
    WsReader m_reader;
    WireCapture *m_capture; ///< May be null.
    quint64 m_wireId;
    /// Writes a frame and reports it to the capture.
    bool writeFrame(const QByteArray &frame);
    QTimer m_closeTimer;
    bool m_closeSent = false;
    bool m_closeReceived = false;
};

} // namespace Pushboard
