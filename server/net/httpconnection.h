#pragma once

#include "hostcheck.h"
#include "httpresponder.h"
#include "protocol/httprequestparser.h"

#include <QPointer>
#include <QTcpSocket>

#include <functional>

namespace Pushboard {

class WireCapture;

class HttpReply;

/// One client connection speaking HTTP/1.x (RFC 9112), from accept until it closes or is handed
/// to a stream (SSE) or a WebSocket.
///
/// Reads requests with HttpRequestParser and hands each complete one to the route table, one at
/// a time: the next request on the connection (pipelined or not) is read only once the current
/// one is answered, so answers always go out in order and a client that pipelines cannot make
/// the server buffer without bound (while an answer is pending, unread bytes stay in a bounded
/// socket buffer and then in the kernel). Closes after the answer when the request asked so or
/// is HTTP/1.0 without keep-alive (RFC 9112 9.3, 9.6). Malformed input gets one JSON error
/// answer with `Connection: close` and the connection ends. Every request's Host is checked
/// (HostCheck) before it reaches a route or becomes a WebSocket.
///
/// A connection that opens with HTTP/2 instead (TLS that chose `h2` by ALPN, or the HTTP/2
/// connection preface on clear text: h2c with prior knowledge, RFC 9113 3.3) is handed over
/// before anything is parsed (the HTTP/2 handler, Http2Session).
///
/// Two clocks, both read by the owner's sweep (ConnectionGate): headDeadline() while a request
/// head is due or under way (408 when missed), idleDeadline() while a kept-alive connection
/// waits for its next request (then it is closed without an answer, as RFC 9112 9.8 allows).
class HttpConnection : public HttpResponder
{
    Q_OBJECT

public:
    using RequestHandler = std::function<void(HttpRequest &&, HttpReply &&)>;
    /// A WebSocket opening handshake: the receiver owns `socket` from now on; `buffered` are the
    /// bytes that followed the handshake request.
    using UpgradeHandler
        = std::function<void(QTcpSocket *socket, const HttpRequest &request, QByteArray buffered)>;
    /// A connection that speaks HTTP/2: the receiver owns `socket`; `received` are the bytes read
    /// from it so far (the start of the connection preface, or more).
    using Http2Handler = std::function<void(QTcpSocket *socket, QByteArray received)>;

    struct Settings
    {
        HttpRequestParser::Limits limits;
        int headTimeoutMs = 10 * 1000; ///< From accept, or a head's first byte, to its end.
        int idleTimeoutMs = 75 * 1000; ///< From an answer to the next request's first byte.
        HostCheck hostCheck;
        WireCapture *capture = nullptr; ///< Where bytes are reported for the inspector.
    };

    /// Takes ownership of `socket`; `settings` must outlive the connection. Without `onHttp2`,
    /// the HTTP/2 preface is answered like any other malformed request.
    HttpConnection(QTcpSocket *socket, const Settings *settings, RequestHandler onRequest,
        UpgradeHandler onUpgrade, Http2Handler onHttp2 = {}, QObject *parent = nullptr);
    ~HttpConnection() override;

    [[nodiscard]] QTcpSocket *socket() const { return m_socket; }
    /// Monotonic ms by which the request head under way (or the first one, after accept) must
    /// be complete; 0 while none is due (between requests, or while one is answered).
    [[nodiscard]] qint64 headDeadline() const { return m_headDeadline; }
    /// Monotonic ms at which this kept-alive connection, idle since its last answer, is closed;
    /// 0 while it is not idle.
    [[nodiscard]] qint64 idleDeadline() const { return m_idleDeadline; }
    /// True while a request waits for its answer.
    [[nodiscard]] bool isWaitingForReply() const override { return m_busy && !m_ended; }
    /// The `Connection` header the current answer carries: `close` when the connection closes
    /// after it, `keep-alive` for an HTTP/1.0 request that asked for it (an HTTP/1.0 client
    /// reuses the connection only when the answer says so, RFC 9112 C.2.2), else nothing.
    [[nodiscard]] QByteArray connectionHeader() const;

    /// Writes the current request's complete answer (with `Content-Length` and `Connection`),
    /// then reads the next request or closes.
    void respond(
        int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly) override;
    /// Writes the head (with `Connection: close`) and `first`, and hands the connection to the
    /// returned stream: no more HTTP on it.
    [[nodiscard]] std::unique_ptr<StreamSocket> startStream(
        const HttpHeaders &headers, const QByteArray &first) override;
    [[nodiscard]] QString peer() const override;
    [[nodiscard]] QString protocol() const override { return QStringLiteral("http/1.1"); }
    [[nodiscard]] qint64 queuedBytes() const override;
    [[nodiscard]] quint64 streamWireId() const override { return m_wireId; }
    void abort() override;
    /// Answers `status` with `{"error": reason}` and `Connection: close`, and closes.
    void refuse(int status, const QString &reason);
    /// The same on any socket: the answer, then whatever still arrives is read and dropped (so
    /// that closing does not reset the connection before the client has read the answer), and a
    /// peer that does not read it within `lingerMs` is cut.
    static void refuseSocket(QTcpSocket *socket, int status, const QString &reason, int lingerMs,
        const QList<std::pair<QByteArray, QByteArray>> &extraHeaders = {},
        WireCapture *capture = nullptr);
    /// Hands the socket over for good (a WebSocket, an SSE stream): it is no longer this
    /// object's child nor connected to it, and this object finishes and deletes itself. Null when
    /// the client has gone.
    [[nodiscard]] QTcpSocket *detachSocket();
    /// Sends what is queued and closes (shutdown).
    void close();

Q_SIGNALS:
    /// An answer with status >= 400 was sent by this class itself (malformed input, time-out).
    void refused(int status);
    /// The connection is closed; the object deletes itself later.
    void finished();

private:
    void readMore();
    /// Reads the first bytes of a connection that may open with HTTP/2; false once it has been
    /// handed over or is still unclear.
    bool sniffHttp2();
    /// On a TLS socket that has not started its handshake: starts it when the client's first
    /// byte is a TLS handshake record, or answers 400 (in clear text) to anything else. True
    /// while nothing may be read as HTTP yet.
    bool awaitTls();
    void processBuffered();
    void dispatch(HttpRequest &&request);

    QPointer<QTcpSocket> m_socket;
    /// Writes to the socket and reports the bytes to the capture.
    void write(const QByteArray &bytes);

    const Settings *m_settings;
    quint64 m_wireId = 0; ///< WireCapture's id for this connection.
    HttpRequestParser m_parser;
    RequestHandler m_onRequest;
    UpgradeHandler m_onUpgrade;
    Http2Handler m_onHttp2;
    bool m_sniffing = true; ///< Nothing has been parsed yet: HTTP/2 may still begin.
    qint64 m_headDeadline = 0;
    qint64 m_idleDeadline = 0;
    bool m_busy = false; ///< A request is being answered.
    bool m_keepAlive = true;
    bool m_http10 = false; ///< The current request is HTTP/1.0.
    bool m_ended = false; ///< Refused, closing, or taken over: no more HTTP.
    bool m_handedOver = false; ///< A stream owns the connection now (it reports its close).
};

} // namespace Pushboard
