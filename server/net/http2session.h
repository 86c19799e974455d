#pragma once

#include "httpconnection.h"
#include "streamsocket.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <map>
#include <memory>

struct nghttp2_session;

namespace Pushboard {

class Http2Exchange;
class Http2StreamSocket;

/// One client connection speaking HTTP/2 (RFC 9113), from its connection preface until it
/// closes: a libnghttp2 server session fed from Qt's event loop (bytes in from readyRead, frames
/// out when the socket has room), callbacks only, no extra thread.
///
/// Every stream is one request, handed to the same route table as HTTP/1.1 (HttpReply answers
/// through Http2Exchange, so a route does not know the protocol). An event stream (`/events`)
/// stays open as a stream whose body never ends (Http2StreamSocket): many on one connection,
/// each with its own queue. A stream's DATA goes out only as far as the client's flow-control
/// window for it allows, so a reader that stops fills its own queue alone (SseStream cuts it
/// with RST_STREAM when the queue passes the limit) while the other streams go on.
///
/// The front door's limits hold here too: the preface must arrive within the head time-out,
/// each stream's request (headers and body) within it too (else 408), a request head over
/// `maxHeadBytes` is answered 431, a body over `maxBodyBytes` 413, a connection without streams
/// is closed after the idle time-out (GOAWAY NO_ERROR), and at most `maxConcurrentStreams`
/// streams are open at once (SETTINGS_MAX_CONCURRENT_STREAMS; more are refused with
/// RST_STREAM REFUSED_STREAM). libnghttp2 enforces the framing rules (a connection error is a
/// GOAWAY with its code, a stream error an RST_STREAM); on top of that a client that sends
/// control frames (SETTINGS, PING, RST_STREAM, PRIORITY) faster than a budget allows gets
/// GOAWAY ENHANCE_YOUR_CALM.
class Http2Session : public QObject
{
    Q_OBJECT

public:
    /// Control frames a connection may send in a burst, and how many more it earns a second.
    /// Below libnghttp2's own limit on received RST_STREAM (1000, then GOAWAY INTERNAL_ERROR), so
    /// that a flood always gets this session's clearer ENHANCE_YOUR_CALM.
    static constexpr int ControlFrameBurst = 500;
    static constexpr int ControlFramesPerSecond = 100;

    /// Takes ownership of `socket` (whose first bytes, `received`, were read already);
    /// `settings` must outlive the session.
    Http2Session(QTcpSocket *socket, const QByteArray &received,
        const HttpConnection::Settings *settings, int maxConcurrentStreams,
        HttpConnection::RequestHandler onRequest, QObject *parent = nullptr);
    ~Http2Session() override;

    /// Sends the server's SETTINGS and reads `received` (call once, after connecting the
    /// signals).
    void start();

    [[nodiscard]] QTcpSocket *socket() const { return m_socket; }
    /// Monotonic ms by which the preface, or the oldest incomplete request, is due; 0 if none.
    [[nodiscard]] qint64 headDeadline() const;
    /// Monotonic ms at which this connection, without streams since, is closed; 0 while it has
    /// streams.
    [[nodiscard]] qint64 idleDeadline() const;
    /// Acts on the deadlines that passed by `now` (ConnectionGate's sweep): 408 to late
    /// requests, GOAWAY to a connection whose preface is late or that sat idle.
    void sweep(qint64 now);
    /// Open streams.
    [[nodiscard]] int streamCount() const { return int(m_streams.size()); }
    /// Ends every stream where it is, sends GOAWAY (NO_ERROR) and closes (shutdown).
    void close();

    // Used by Http2Exchange and Http2StreamSocket.
    void respond(qint32 streamId, int status, const HttpHeaders &headers, const QByteArray &body,
        bool headOnly);
    std::unique_ptr<StreamSocket> startStream(
        qint32 streamId, const HttpHeaders &headers, const QByteArray &first);
    bool queue(qint32 streamId, const QByteArray &bytes);
    [[nodiscard]] qint64 queuedBytes(qint32 streamId) const;
    void endStream(qint32 streamId);
    void resetStream(qint32 streamId, quint32 errorCode);
    void forgetSocket(qint32 streamId);
    [[nodiscard]] QString peer() const { return m_peer; }

Q_SIGNALS:
    /// A request was answered with status >= 400 by this class itself (408, 413, 421, 431).
    void refused(int status);
    /// A stream was opened by the client.
    void streamOpened();
    /// An RST_STREAM (`goaway` false) or GOAWAY (`goaway` true) frame was sent; `errorCode` its
    /// code (0: NO_ERROR).
    void resetSent(bool goaway, quint32 errorCode);
    /// Closed for sitting idle.
    void idleClosed();
    /// The connection is closed; the object deletes itself later.
    void finished();

private:
    struct Stream;
    struct Callbacks;
    friend struct Callbacks;

    void readMore();
    void feed(const QByteArray &bytes);
    /// Writes what libnghttp2 has to send while the socket has room; closes once neither side
    /// has anything more to say.
    void pump();
    void schedulePump();
    void dispatch(Stream &stream);
    void refuse(Stream &stream, int status, const QString &reason);
    /// Ends the session with GOAWAY `errorCode` and `reason` as its debug data (after what is
    /// queued), reads nothing more and closes once it is sent.
    void terminate(quint32 errorCode, const char *reason);
    /// One control frame received; false when the budget is spent (the session is terminated).
    bool spendControlFrame();
    void onDisconnected();
    [[nodiscard]] Stream *stream(qint32 id) const;

    QPointer<QTcpSocket> m_socket;
    QString m_peer;
    const HttpConnection::Settings *m_settings;
    int m_maxConcurrentStreams;
    HttpConnection::RequestHandler m_onRequest;
    QByteArray m_received; ///< Read before the session existed; fed by start().
    nghttp2_session *m_session = nullptr;
    std::map<qint32, std::unique_ptr<Stream>> m_streams;
    quint64 m_wireId = 0;
    qint64 m_prefaceDeadline = 0; ///< Until the client's SETTINGS arrived.
    qint64 m_idleSince = 0; ///< Monotonic ms since when no stream is open.
    double m_controlBudget = ControlFrameBurst;
    QElapsedTimer m_budgetClock;
    bool m_pumpScheduled = false;
    bool m_inCallbacks = false; ///< Inside nghttp2_session_mem_recv(): no sending now.
    bool m_closing = false;
    bool m_finished = false;
};

/// The answer side of one HTTP/2 stream's request (HttpReply talks to it). Lives until the
/// stream closes.
class Http2Exchange : public HttpResponder
{
    Q_OBJECT

public:
    Http2Exchange(Http2Session *session, qint32 streamId);

    [[nodiscard]] bool isWaitingForReply() const override { return m_waiting && m_session; }
    void respond(
        int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly) override;
    [[nodiscard]] std::unique_ptr<StreamSocket> startStream(
        const HttpHeaders &headers, const QByteArray &first) override;
    [[nodiscard]] QString peer() const override;
    [[nodiscard]] QString protocol() const override { return QStringLiteral("h2"); }
    [[nodiscard]] qint64 queuedBytes() const override;
    [[nodiscard]] quint64 streamWireId() const override { return 0; }
    void abort() override;

    /// The stream closed (Http2Session): nothing more can be answered.
    void streamClosed();

private:
    QPointer<Http2Session> m_session;
    qint32 m_streamId;
    bool m_waiting = true;
};

/// An event stream's body on one HTTP/2 stream: what it writes queues on the stream and goes
/// out as DATA frames as the client's window allows; close() ends the stream (END_STREAM),
/// abort() resets it (RST_STREAM CANCEL). The connection and its other streams stay.
class Http2StreamSocket : public StreamSocket
{
    Q_OBJECT

public:
    Http2StreamSocket(Http2Session *session, qint32 streamId);
    ~Http2StreamSocket() override;

    bool write(const QByteArray &bytes) override;
    [[nodiscard]] qint64 queuedBytes() const override;
    [[nodiscard]] bool isOpen() const override { return m_session && m_open; }
    void close() override;
    void abort() override;

    /// The stream closed, or its connection did (Http2Session): emits disconnected().
    void streamClosed();
    /// Some of the queue went out (Http2Session): emits bytesWritten().
    void drained() { Q_EMIT bytesWritten(); }

private:
    QPointer<Http2Session> m_session;
    qint32 m_streamId;
    bool m_open = true;
};

} // namespace Pushboard
