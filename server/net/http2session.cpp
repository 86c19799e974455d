#include "http2session.h"

#include "httpreply.h"
#include "wirecapture.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>
#include <cstring>
#include <nghttp2/nghttp2.h>
#include <vector>

Q_LOGGING_CATEGORY(lcHttp2, "pushboard.server.http2", QtInfoMsg)

namespace Pushboard {

namespace {

constexpr qint64 ReadChunk = 16 * 1024;
/// Frames are produced only while the socket holds less than this unsent: what does not fit
/// waits in the streams' queues, where each stream's own limit applies.
constexpr qint64 WriteHighWater = 64 * 1024;
/// A stream with this much queued sends now rather than on the next turn of the event loop
/// (where the writes of many streams go out together), as far as its window allows.
constexpr qint64 SendNowBytes = 16 * 1024;

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

/// Header fields HTTP/2 forbids (RFC 9113 8.2.2): they describe an HTTP/1.1 connection.
bool isConnectionSpecific(const QByteArray &lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" || lowerName == "proxy-connection"
        || lowerName == "transfer-encoding" || lowerName == "upgrade";
}

nghttp2_nv field(const QByteArray &name, const QByteArray &value)
{
    // nghttp2 copies names and values when a frame is submitted (no NO_COPY flags).
    return {reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
        reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
        size_t(value.size()), NGHTTP2_NV_FLAG_NONE};
}

} // namespace

/// What the session knows of one open stream.
struct Http2Session::Stream
{
    qint32 id = 0;
    // The request, as it arrives.
    QByteArray method;
    QByteArray path;
    QByteArray authority;
    HttpRequest::Headers headers;
    qint64 headBytes = 0; ///< RFC 9113 6.5.2's measure: name + value + 32 per field.
    QByteArray body;
    qint64 deadline = 0; ///< Monotonic ms by which the request must be complete; 0 once it is.
    bool requestComplete = false; ///< END_STREAM came from the client.
    bool answered = false; ///< A response (or a stream head) was submitted.
    Http2Exchange *exchange = nullptr; ///< Once the request went to the routes.
    Http2StreamSocket *socket = nullptr; ///< While an event stream writes to it.
    // The body going out, taken by libnghttp2 as the client's window allows.
    QList<QByteArray> out;
    qsizetype outOffset = 0; ///< Bytes of out.first() already taken.
    qint64 outBytes = 0;
    bool outEnd = false; ///< END_STREAM once `out` is empty.
    bool deferred = false; ///< libnghttp2 waits for resume_data().
    bool drained = false; ///< Some of `out` was taken since the last bytesWritten().
};

/// libnghttp2's callbacks, as static functions with the session as user data.
struct Http2Session::Callbacks
{
    static Http2Session *self(void *user) { return static_cast<Http2Session *>(user); }

    static int onBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        Http2Session *session = self(user);
        auto stream = std::make_unique<Stream>();
        stream->id = frame->hd.stream_id;
        stream->deadline = nowMs() + session->m_settings->headTimeoutMs;
        session->m_streams[stream->id] = std::move(stream);
        session->m_idleSince = 0;
        Q_EMIT session->streamOpened();
        return 0;
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        Http2Session *session = self(user);
        Stream *stream = session->stream(frame->hd.stream_id);
        if (frame->hd.type != NGHTTP2_HEADERS || !stream || stream->answered)
            return 0;
        // Trailers count towards the limit too, and are otherwise ignored (like HTTP/1.1's).
        stream->headBytes += qint64(nameLength + valueLength) + 32;
        if (stream->headBytes > session->m_settings->limits.maxHeadBytes
            || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        const QByteArray fieldName(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray fieldValue(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        if (fieldName == ":method")
            stream->method = fieldValue;
        else if (fieldName == ":path")
            stream->path = fieldValue;
        else if (fieldName == ":authority")
            stream->authority = fieldValue;
        else if (!fieldName.startsWith(':'))
            stream->headers.append({fieldName, fieldValue});
        return 0;
    }

    static int onDataChunk(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data,
        size_t length, void *user)
    {
        Http2Session *session = self(user);
        Stream *stream = session->stream(streamId);
        if (!stream || stream->answered)
            return 0; // Answered early (413, 408): the rest is read and dropped.
        const qint64 limit = session->m_settings->limits.maxBodyBytes;
        if (stream->body.size() + qint64(length) > limit) {
            session->refuse(
                *stream, 413, QStringLiteral("request body larger than %1 bytes").arg(limit));
            return 0;
        }
        stream->body.append(reinterpret_cast<const char *>(data), qsizetype(length));
        return 0;
    }

    static int onFrameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        Http2Session *session = self(user);
        const bool ack = frame->hd.flags & NGHTTP2_FLAG_ACK;
        switch (frame->hd.type) {
        case NGHTTP2_SETTINGS:
            if (!ack) {
                session->m_prefaceDeadline = 0;
                session->spendControlFrame();
            }
            return 0;
        case NGHTTP2_PING:
            if (!ack)
                session->spendControlFrame();
            return 0;
        case NGHTTP2_RST_STREAM:
        case NGHTTP2_PRIORITY:
            session->spendControlFrame();
            return 0;
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA:
            break;
        default:
            return 0;
        }
        Stream *stream = session->stream(frame->hd.stream_id);
        if (!stream)
            return 0;
        if (frame->hd.type == NGHTTP2_HEADERS && !stream->answered) {
            const qint64 maxHead = session->m_settings->limits.maxHeadBytes;
            if (stream->headBytes > maxHead) {
                session->refuse(*stream, 431,
                    QStringLiteral("request header fields larger than %1 bytes").arg(maxHead));
            } else if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
                bool numeric = false;
                const qint64 declared = HttpRequest({}, {}, {}, stream->headers, {})
                                            .value("content-length")
                                            .toLongLong(&numeric);
                const qint64 maxBody = session->m_settings->limits.maxBodyBytes;
                if (numeric && declared > maxBody)
                    session->refuse(*stream, 413,
                        QStringLiteral("request body larger than %1 bytes").arg(maxBody));
            }
        }
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
            stream->requestComplete = true;
            stream->deadline = 0;
            if (!stream->answered)
                session->dispatch(*stream);
        }
        return 0;
    }

    static int onStreamClosed(nghttp2_session *, int32_t streamId, uint32_t, void *user)
    {
        Http2Session *session = self(user);
        const auto it = session->m_streams.find(streamId);
        if (it == session->m_streams.end())
            return 0;
        const std::unique_ptr<Stream> stream = std::move(it->second);
        session->m_streams.erase(it);
        if (session->m_streams.empty())
            session->m_idleSince = nowMs();
        if (stream->exchange)
            stream->exchange->streamClosed();
        if (stream->socket)
            stream->socket->streamClosed();
        return 0;
    }

    static int onFrameSent(nghttp2_session *nghttp2, const nghttp2_frame *frame, void *user)
    {
        Http2Session *session = self(user);
        switch (frame->hd.type) {
        case NGHTTP2_RST_STREAM:
            Q_EMIT session->resetSent(false, frame->rst_stream.error_code);
            return 0;
        case NGHTTP2_GOAWAY:
            Q_EMIT session->resetSent(true, frame->goaway.error_code);
            return 0;
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA:
            break;
        default:
            return 0;
        }
        // An answer that ended before its request did (413, 408): the rest of the request is
        // not wanted (RFC 9113 8.1).
        const Stream *stream = session->stream(frame->hd.stream_id);
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && stream && !stream->requestComplete)
            nghttp2_submit_rst_stream(
                nghttp2, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t streamId, uint8_t *buffer, size_t length,
        uint32_t *flags, nghttp2_data_source *, void *user)
    {
        Stream *stream = self(user)->stream(streamId);
        if (!stream)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        size_t copied = 0;
        while (copied < length && !stream->out.isEmpty()) {
            const QByteArray &front = stream->out.constFirst();
            const size_t n = std::min(length - copied, size_t(front.size() - stream->outOffset));
            std::memcpy(buffer + copied, front.constData() + stream->outOffset, n);
            copied += n;
            stream->outOffset += qsizetype(n);
            if (stream->outOffset == front.size()) {
                stream->out.removeFirst();
                stream->outOffset = 0;
            }
        }
        stream->outBytes -= qint64(copied);
        if (copied > 0)
            stream->drained = true;
        if (stream->out.isEmpty() && stream->outEnd) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return ssize_t(copied);
        }
        if (copied == 0) {
            stream->deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
        return ssize_t(copied);
    }

    static int onInvalidFrame(nghttp2_session *, const nghttp2_frame *frame, int error, void *user)
    {
        qCDebug(lcHttp2) << self(user)->m_peer << "sent an invalid frame of type" << frame->hd.type
                         << "on stream" << frame->hd.stream_id << ":" << nghttp2_strerror(error);
        return 0;
    }

    static int onError(nghttp2_session *, int, const char *message, size_t length, void *user)
    {
        qCDebug(lcHttp2) << self(user)->m_peer << QByteArrayView(message, qsizetype(length));
        return 0;
    }
};

Http2Session::Http2Session(QTcpSocket *socket, const QByteArray &received,
    const HttpConnection::Settings *settings, int maxConcurrentStreams,
    HttpConnection::RequestHandler onRequest, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_peer(
          socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort()))
    , m_settings(settings)
    , m_maxConcurrentStreams(maxConcurrentStreams)
    , m_onRequest(std::move(onRequest))
    , m_received(received)
    , m_prefaceDeadline(nowMs() + settings->headTimeoutMs)
    , m_idleSince(nowMs())
{
    socket->setParent(this);
    socket->setReadBufferSize(4 * ReadChunk);
    // Frames go out as they are made: an event's DATA must not wait for the previous one's ACK
    // (Nagle, against the client's delayed ACK, held events back by up to 40 ms).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_wireId = WireCapture::idOf(socket);
    if (m_settings->capture)
        m_settings->capture->setTransport(m_wireId, QStringLiteral("h2"));
    m_budgetClock.start();

    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Callbacks::onBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::onHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::onDataChunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::onFrameReceived);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::onStreamClosed);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Callbacks::onFrameSent);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
        callbacks, &Callbacks::onInvalidFrame);
    nghttp2_session_callbacks_set_error_callback2(callbacks, &Callbacks::onError);
    nghttp2_session_server_new(&m_session, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);

    connect(socket, &QTcpSocket::readyRead, this, &Http2Session::readMore);
    connect(socket, &QTcpSocket::bytesWritten, this, &Http2Session::pump);
    connect(socket, &QTcpSocket::disconnected, this, &Http2Session::onDisconnected);
}

Http2Session::~Http2Session()
{
    // The streams' readers learn that the connection is gone; libnghttp2 calls nothing back.
    const auto streams = std::move(m_streams);
    for (const auto &[id, stream] : streams) {
        if (stream->socket)
            stream->socket->streamClosed();
        if (stream->exchange)
            stream->exchange->streamClosed();
    }
    nghttp2_session_del(m_session);
}

void Http2Session::start()
{
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, uint32_t(m_maxConcurrentStreams)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(m_settings->limits.maxHeadBytes)},
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    feed(std::exchange(m_received, {}));
    readMore();
}

Http2Session::Stream *Http2Session::stream(qint32 id) const
{
    const auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

void Http2Session::readMore()
{
    // While the client does not read what it asked for, it is not read either.
    while (m_socket && !m_closing && m_socket->bytesToWrite() < WriteHighWater) {
        const QByteArray bytes = m_socket->read(ReadChunk);
        if (bytes.isEmpty())
            break;
        if (m_settings->capture)
            m_settings->capture->read(m_wireId, bytes);
        feed(bytes);
    }
    pump();
}

void Http2Session::feed(const QByteArray &bytes)
{
    if (bytes.isEmpty() || m_closing)
        return;
    m_inCallbacks = true;
    const ssize_t used = nghttp2_session_mem_recv(
        m_session, reinterpret_cast<const uint8_t *>(bytes.constData()), size_t(bytes.size()));
    m_inCallbacks = false;
    if (used >= 0)
        return;
    qCDebug(lcHttp2) << m_peer << "broke HTTP/2:" << nghttp2_strerror(int(used));
    switch (used) {
    case NGHTTP2_ERR_BAD_CLIENT_MAGIC:
        terminate(NGHTTP2_PROTOCOL_ERROR, "not the HTTP/2 connection preface");
        break;
    case NGHTTP2_ERR_FLOODED:
        terminate(NGHTTP2_ENHANCE_YOUR_CALM, "too many frames left unanswered");
        break;
    default:
        terminate(NGHTTP2_PROTOCOL_ERROR, nghttp2_strerror(int(used)));
        break;
    }
}

void Http2Session::schedulePump()
{
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(this, &Http2Session::pump, Qt::QueuedConnection);
}

void Http2Session::pump()
{
    m_pumpScheduled = false;
    if (!m_socket || m_finished)
        return;
    if (m_inCallbacks) { // libnghttp2 may not send from inside its callbacks.
        schedulePump();
        return;
    }
    QByteArray out;
    while (m_socket->bytesToWrite() + out.size() < WriteHighWater) {
        const uint8_t *data = nullptr;
        const ssize_t length = nghttp2_session_mem_send(m_session, &data);
        if (length < 0) {
            qCWarning(lcHttp2) << "cannot send to" << m_peer << ":"
                               << nghttp2_strerror(int(length));
            m_socket->abort();
            onDisconnected();
            return;
        }
        if (length == 0)
            break;
        out.append(reinterpret_cast<const char *>(data), qsizetype(length));
    }
    if (!out.isEmpty()) {
        m_socket->write(out);
        m_socket->flush(); // To the kernel now, as far as it takes it (like FdStreamSocket).
        if (m_settings->capture)
            m_settings->capture->wrote(m_wireId, out);
    }
    // Event streams whose queue went down may write more (a replay pumps on this): told on a
    // later turn, never from inside their own write.
    QList<QPointer<Http2StreamSocket>> drained;
    for (const auto &[id, stream] : m_streams) {
        if (stream->drained && stream->socket)
            drained.append(stream->socket);
        stream->drained = false;
    }
    if (!drained.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [drained] {
                for (const QPointer<Http2StreamSocket> &socket : drained) {
                    if (socket)
                        socket->drained();
                }
            },
            Qt::QueuedConnection);
    }
    const bool done
        = !nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session);
    if (done || (m_closing && !nghttp2_session_want_write(m_session))) {
        m_socket->disconnectFromHost(); // After what is written.
        return;
    }
    // Reading paused while the socket was full: go on where it stopped.
    if (m_socket->bytesToWrite() < WriteHighWater && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &Http2Session::readMore, Qt::QueuedConnection);
}

void Http2Session::terminate(quint32 errorCode, const char *reason)
{
    if (m_closing)
        return;
    m_closing = true;
    const QByteArray debug(reason);
    nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE,
        nghttp2_session_get_last_proc_stream_id(m_session), errorCode,
        reinterpret_cast<const uint8_t *>(debug.constData()), size_t(debug.size()));
    schedulePump();
}

bool Http2Session::spendControlFrame()
{
    const double earned = double(m_budgetClock.restart()) * ControlFramesPerSecond / 1000.0;
    m_controlBudget = std::min<double>(ControlFrameBurst, m_controlBudget + earned);
    if (m_controlBudget < 1) {
        terminate(
            NGHTTP2_ENHANCE_YOUR_CALM, "too many SETTINGS, PING, RST_STREAM or PRIORITY frames");
        return false;
    }
    m_controlBudget -= 1;
    return true;
}

void Http2Session::dispatch(Stream &stream)
{
    HttpRequest::Headers headers = stream.headers;
    // :authority is the Host of HTTP/2 (RFC 9113 8.3.1); a Host field, if sent, must agree.
    const bool hasHost = std::any_of(
        headers.cbegin(), headers.cend(), [](const auto &field) { return field.first == "host"; });
    if (!stream.authority.isEmpty() && !hasHost)
        headers.prepend({QByteArrayLiteral("host"), stream.authority});
    HttpRequest request(stream.method, stream.path, QByteArrayLiteral("HTTP/2"), std::move(headers),
        std::exchange(stream.body, {}));
    if (const auto wrongHost = m_settings->hostCheck.check(request, m_socket->localAddress())) {
        refuse(stream, wrongHost->status, wrongHost->reason);
        return;
    }
    const bool head = stream.method == "HEAD";
    stream.exchange = new Http2Exchange(this, stream.id);
    m_onRequest(std::move(request), HttpReply(stream.exchange, head));
}

void Http2Session::refuse(Stream &stream, int status, const QString &reason)
{
    qCDebug(lcHttp2) << "answering" << status << "to" << m_peer << "stream" << stream.id << ":"
                     << reason;
    Q_EMIT refused(status);
    respond(stream.id, status, {{"Content-Type", "application/json"}},
        QJsonDocument(QJsonObject {{QStringLiteral("error"), reason}})
            .toJson(QJsonDocument::Compact),
        false);
}

void Http2Session::respond(
    qint32 streamId, int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly)
{
    Stream *stream = this->stream(streamId);
    if (!stream || stream->answered || m_finished)
        return;
    stream->answered = true;
    stream->deadline = 0;
    // Names in lower case (RFC 9113 8.2.1); the storage outlives the submit, which copies.
    std::vector<QByteArray> storage;
    storage.reserve(size_t(headers.size()) * 2 + 4);
    std::vector<nghttp2_nv> fields;
    auto add = [&](QByteArray name, QByteArray value) {
        storage.push_back(std::move(name));
        storage.push_back(std::move(value));
        fields.push_back(field(storage[storage.size() - 2], storage.back()));
    };
    add(QByteArrayLiteral(":status"), QByteArray::number(status));
    for (const auto &[name, value] : headers) {
        QByteArray lower = name.toLower();
        if (!isConnectionSpecific(lower))
            add(std::move(lower), value);
    }
    const bool streaming = stream->socket != nullptr;
    if (!streaming)
        add(QByteArrayLiteral("content-length"), QByteArray::number(body.size()));
    const bool hasBody = streaming || (!headOnly && !body.isEmpty());
    if (!headOnly && !body.isEmpty()) {
        stream->out.append(body);
        stream->outBytes += body.size();
    }
    stream->outEnd = !streaming;
    nghttp2_data_provider provider {};
    provider.read_callback = &Callbacks::readBody;
    const int result = nghttp2_submit_response(
        m_session, streamId, fields.data(), fields.size(), hasBody ? &provider : nullptr);
    if (result != 0)
        qCWarning(lcHttp2) << "cannot answer stream" << streamId << "of" << m_peer << ":"
                           << nghttp2_strerror(result);
    schedulePump();
}

std::unique_ptr<StreamSocket> Http2Session::startStream(
    qint32 streamId, const HttpHeaders &headers, const QByteArray &first)
{
    Stream *stream = this->stream(streamId);
    if (!stream || stream->answered || m_finished)
        return nullptr;
    auto socket = std::make_unique<Http2StreamSocket>(this, streamId);
    stream->socket = socket.get();
    respond(streamId, 200, headers, {}, false);
    queue(streamId, first);
    return socket;
}

bool Http2Session::queue(qint32 streamId, const QByteArray &bytes)
{
    Stream *stream = this->stream(streamId);
    if (!stream || stream->outEnd || m_finished)
        return false;
    if (bytes.isEmpty())
        return true;
    stream->out.append(bytes);
    stream->outBytes += bytes.size();
    if (std::exchange(stream->deferred, false))
        nghttp2_session_resume_data(m_session, streamId);
    if (stream->outBytes >= SendNowBytes && !m_inCallbacks)
        pump();
    else
        schedulePump();
    return m_socket != nullptr;
}

qint64 Http2Session::queuedBytes(qint32 streamId) const
{
    const Stream *stream = this->stream(streamId);
    return stream ? stream->outBytes : 0;
}

void Http2Session::endStream(qint32 streamId)
{
    Stream *stream = this->stream(streamId);
    if (!stream || stream->outEnd)
        return;
    stream->outEnd = true;
    if (std::exchange(stream->deferred, false))
        nghttp2_session_resume_data(m_session, streamId);
    schedulePump();
}

void Http2Session::resetStream(qint32 streamId, quint32 errorCode)
{
    Stream *stream = this->stream(streamId);
    if (!stream || m_finished)
        return;
    stream->out.clear();
    stream->outOffset = 0;
    stream->outBytes = 0;
    stream->outEnd = true;
    stream->socket = nullptr;
    nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, errorCode);
    schedulePump();
}

void Http2Session::forgetSocket(qint32 streamId)
{
    if (Stream *stream = this->stream(streamId))
        stream->socket = nullptr;
}

qint64 Http2Session::headDeadline() const
{
    qint64 deadline = m_prefaceDeadline;
    for (const auto &[id, stream] : m_streams) {
        if (stream->deadline != 0 && (deadline == 0 || stream->deadline < deadline))
            deadline = stream->deadline;
    }
    return deadline;
}

qint64 Http2Session::idleDeadline() const
{
    return m_streams.empty() && m_idleSince != 0 ? m_idleSince + m_settings->idleTimeoutMs : 0;
}

void Http2Session::sweep(qint64 now)
{
    if (m_closing || m_finished)
        return;
    if (m_prefaceDeadline != 0 && now >= m_prefaceDeadline) {
        Q_EMIT refused(408);
        terminate(NGHTTP2_PROTOCOL_ERROR, "no connection preface and SETTINGS in time");
        return;
    }
    QList<qint32> late;
    for (const auto &[id, stream] : m_streams) {
        if (stream->deadline != 0 && now >= stream->deadline && !stream->answered)
            late.append(id);
    }
    for (qint32 id : std::as_const(late)) {
        if (Stream *stream = this->stream(id))
            refuse(*stream, 408,
                QStringLiteral("request not complete within %1 ms").arg(m_settings->headTimeoutMs));
    }
    const qint64 idle = idleDeadline();
    if (idle != 0 && now >= idle) {
        Q_EMIT idleClosed();
        terminate(NGHTTP2_NO_ERROR, "idle");
    }
}

void Http2Session::close()
{
    if (m_finished || !m_socket)
        return;
    for (const auto &[id, stream] : m_streams) {
        if (stream->socket)
            endStream(id);
    }
    terminate(NGHTTP2_NO_ERROR, "the server is shutting down");
    pump();
    if (m_socket) {
        m_socket->flush();
        m_socket->disconnectFromHost();
    }
}

void Http2Session::onDisconnected()
{
    if (std::exchange(m_finished, true))
        return;
    if (m_settings->capture)
        m_settings->capture->closed(m_wireId, QStringLiteral("closed"));
    const auto streams = std::move(m_streams);
    m_streams.clear();
    for (const auto &[id, stream] : streams) {
        if (stream->exchange)
            stream->exchange->streamClosed();
        if (stream->socket)
            stream->socket->streamClosed();
    }
    Q_EMIT finished();
    deleteLater();
}

Http2Exchange::Http2Exchange(Http2Session *session, qint32 streamId)
    : HttpResponder(session)
    , m_session(session)
    , m_streamId(streamId)
{ }

void Http2Exchange::respond(
    int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly)
{
    if (!std::exchange(m_waiting, false) || !m_session)
        return;
    m_session->respond(m_streamId, status, headers, body, headOnly);
}

std::unique_ptr<StreamSocket> Http2Exchange::startStream(
    const HttpHeaders &headers, const QByteArray &first)
{
    if (!std::exchange(m_waiting, false) || !m_session)
        return nullptr;
    return m_session->startStream(m_streamId, headers, first);
}

QString Http2Exchange::peer() const
{
    return m_session ? m_session->peer() : QString();
}

qint64 Http2Exchange::queuedBytes() const
{
    return m_session ? m_session->queuedBytes(m_streamId) : 0;
}

void Http2Exchange::abort()
{
    m_waiting = false;
    if (m_session)
        m_session->resetStream(m_streamId, NGHTTP2_CANCEL);
}

void Http2Exchange::streamClosed()
{
    m_waiting = false;
    m_session = nullptr;
    Q_EMIT clientGone();
    deleteLater();
}

Http2StreamSocket::Http2StreamSocket(Http2Session *session, qint32 streamId)
    : StreamSocket(session->peer(), QStringLiteral("h2"))
    , m_session(session)
    , m_streamId(streamId)
{ }

Http2StreamSocket::~Http2StreamSocket()
{
    if (!m_session)
        return;
    m_session->forgetSocket(m_streamId);
    if (m_open)
        m_session->resetStream(m_streamId, NGHTTP2_CANCEL);
}

bool Http2StreamSocket::write(const QByteArray &bytes)
{
    return isOpen() && m_session->queue(m_streamId, bytes);
}

qint64 Http2StreamSocket::queuedBytes() const
{
    return isOpen() ? m_session->queuedBytes(m_streamId) : 0;
}

void Http2StreamSocket::close()
{
    if (!isOpen())
        return;
    m_open = false;
    m_session->endStream(m_streamId);
    m_session->forgetSocket(m_streamId);
}

void Http2StreamSocket::abort()
{
    if (!isOpen())
        return;
    m_open = false;
    m_session->resetStream(m_streamId, NGHTTP2_CANCEL);
}

void Http2StreamSocket::streamClosed()
{
    if (!std::exchange(m_open, false))
        return;
    Q_EMIT disconnected();
}

} // namespace Pushboard
