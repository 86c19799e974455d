#pragma once

#include "httpanswerreader.h"
#include "tlstrust.h"

#include <QByteArrayList>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QTcpSocket;

namespace Pushboard {

/// One HTTP/1.1 exchange on a connection of its own, read as raw bytes, so that `pushboard
/// check` sees exactly what a server sent (HttpAnswerReader): the head as sent, the body after
/// its framing and content coding, each piece with the time it arrived on the check's clock.
/// After a `101 Switching Protocols` the bytes that follow come out of upgradedReceived()
/// unchanged, and send() writes to the peer (a WebSocket).
class ProbeConnection : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QUrl url; ///< http(s):// or ws(s)://; the path and query are sent as the target.
        QByteArray method = "GET";
        HttpHead::Headers headers; ///< Sent after Host, in order.
        TlsTrust tls;
        QByteArrayList alpn; ///< ALPN protocols to offer over TLS (empty: none).
        /// A server that accepts and never answers (or a connection that never completes)
        /// cannot hold a probe longer than this: the exchange ends with an error.
        int headTimeoutMs = 10 * 1000;

        void addHeader(const QByteArray &name, const QByteArray &value)
        {
            headers.append({name, value});
        }
    };

    /// `clock` is the check's clock: every time below is in its milliseconds.
    ProbeConnection(const QElapsedTimer &clock, QObject *parent = nullptr);
    ~ProbeConnection() override;

    void start(const Request &request);
    /// Writes `bytes` on the connection (after an upgrade).
    void send(const QByteArray &bytes);
    /// Ends the exchange without emitting finished().
    void abort();

    [[nodiscard]] const HttpHead &head() const { return m_reader.head(); }
    [[nodiscard]] QByteArray rawHead() const { return m_reader.rawHead(); }
    [[nodiscard]] bool hasHead() const { return m_headAtMs >= 0; }
    [[nodiscard]] qint64 sentAtMs() const { return m_sentAtMs; }
    [[nodiscard]] qint64 headAtMs() const { return m_headAtMs; }
    [[nodiscard]] qint64 firstBodyAtMs() const { return m_firstBodyAtMs; }
    /// The protocol ALPN chose over TLS ("h2", "http/1.1"); empty without TLS or ALPN.
    [[nodiscard]] QByteArray alpnProtocol() const { return m_alpn; }
    /// The body's content coding as the server named it (empty: none).
    [[nodiscard]] QByteArray contentCoding() const { return m_reader.contentCoding(); }
    [[nodiscard]] bool isOpen() const;

Q_SIGNALS:
    /// The connection (and TLS handshake) is up and the request is written.
    void connected();
    void headReceived();
    /// Body bytes, decoded; `read` counts the socket reads, so that bytes that arrived together
    /// share one number.
    void bodyReceived(const QByteArray &bytes, qint64 atMs, qint64 read);
    /// Bytes after a 101 answer, as they arrived.
    void upgradedReceived(const QByteArray &bytes, qint64 atMs);
    /// The exchange is over: the body ended (`error` empty and `clean` true), the server closed
    /// the connection (`clean` tells whether the body's framing had ended), or `error` says what
    /// went wrong (connection refused, TLS, a malformed head, ...).
    void finished(const QString &error, bool clean);

private:
    void onReadyRead();
    void onDisconnected();
    void finish(const QString &error, bool clean);

    const QElapsedTimer &m_clock;
    Request m_request;
    QPointer<QTcpSocket> m_socket;
    HttpAnswerReader m_reader;
    QTimer m_headTimer;
    qint64 m_sentAtMs = -1;
    qint64 m_headAtMs = -1;
    qint64 m_firstBodyAtMs = -1;
    qint64 m_reads = 0;
    QByteArray m_alpn;
    bool m_finished = false;
};

} // namespace Pushboard
