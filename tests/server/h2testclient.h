#pragma once

#include <QByteArray>
#include <QMap>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

#include <cstring>
#include <map>
#include <memory>
#include <nghttp2/nghttp2.h>
#include <set>

/// An HTTP/2 client for the server tests, on libnghttp2's client session: h2c with prior
/// knowledge, or h2 over TLS by ALPN. Everything it receives is kept per stream. Requests
/// submitted before the first flush() go out in the first flight, before the server's SETTINGS
/// have been read (so a test can send what a polite client would hold back).
///
/// With `manualWindow`, the client gives flow-control credit only for streams that are not
/// stalled (setStalled()): a stalled stream's window closes while the connection's stays open,
/// as with a reader that stops reading one stream.
class H2TestClient
{
public:
    struct Stream
    {
        int status = 0;
        QMap<QByteArray, QByteArray> headers;
        QByteArray data;
        bool closed = false;
        bool reset = false; ///< Closed by an RST_STREAM from the server.
        quint32 errorCode = 0;
        bool stalled = false;
    };
    struct Options
    {
        qint32 initialWindow = 65535; ///< Of every stream.
        qint32 connectionWindow = 65535;
        bool manualWindow = false;
    };

    H2TestClient()
        : H2TestClient(Options())
    { }
    explicit H2TestClient(Options options)
        : m_options(options)
    {
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &onHeader);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &onData);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &onClose);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &onFrame);
        nghttp2_option *option = nullptr;
        nghttp2_option_new(&option);
        nghttp2_option_set_no_auto_window_update(option, options.manualWindow ? 1 : 0);
        nghttp2_session_client_new2(&m_session, callbacks, this, option);
        nghttp2_option_del(option);
        nghttp2_session_callbacks_del(callbacks);
        const nghttp2_settings_entry settings[]
            = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(options.initialWindow)}};
        nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, 1);
        if (options.connectionWindow != 65535)
            nghttp2_session_set_local_window_size(
                m_session, NGHTTP2_FLAG_NONE, 0, options.connectionWindow);
    }
    ~H2TestClient()
    {
        m_socket.reset();
        nghttp2_session_del(m_session);
    }
    H2TestClient(const H2TestClient &) = delete;
    H2TestClient &operator=(const H2TestClient &) = delete;

    /// Connects (TLS with ALPN `h2` when `tls`, trusting any certificate); nothing is sent yet.
    [[nodiscard]] bool connectTo(quint16 port, bool tls = false)
    {
        if (tls) {
            auto *ssl = new QSslSocket;
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
            QSslConfiguration configuration = ssl->sslConfiguration();
            configuration.setAllowedNextProtocols({QByteArrayLiteral("h2")});
            ssl->setSslConfiguration(configuration);
            m_socket.reset(ssl);
            wire();
            ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
            return QTest::qWaitFor([ssl] { return ssl->isEncrypted(); }, 10000)
                && ssl->sslConfiguration().nextNegotiatedProtocol() == "h2";
        }
        m_socket = std::make_unique<QTcpSocket>();
        wire();
        m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        return QTest::qWaitFor(
            [this] { return m_socket->state() == QAbstractSocket::ConnectedState; }, 10000);
    }

    /// Submits a request; returns its stream id (sent on the next flush()).
    qint32 request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
        const QList<std::pair<QByteArray, QByteArray>> &extra = {})
    {
        QList<std::pair<QByteArray, QByteArray>> fields {{":method", method},
            {":scheme", m_tls() ? "https" : "http"}, {":path", path}, {":authority", "127.0.0.1"}};
        fields += extra;
        std::vector<nghttp2_nv> nva;
        for (const auto &[name, value] : fields)
            nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                size_t(name.size()), size_t(value.size()), NGHTTP2_NV_FLAG_NONE});
        nghttp2_data_provider provider {};
        provider.read_callback = &readBody;
        const qint32 id = nghttp2_submit_request(
            m_session, nullptr, nva.data(), nva.size(), body.isNull() ? nullptr : &provider, this);
        if (id > 0)
            m_bodies[id] = body;
        m_streams[id];
        return id;
    }
    /// A request whose body never comes (its HEADERS go out without END_STREAM).
    qint32 requestWithoutBody(const QByteArray &method, const QByteArray &path)
    {
        const qint32 id = request(method, path, QByteArrayLiteral("held"));
        m_held.insert(id);
        return id;
    }
    /// Sends an RST_STREAM (CANCEL) for `id`.
    void cancel(qint32 id)
    {
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
        flush();
    }
    /// Gives stream `id` a window of `size` bytes (a WINDOW_UPDATE).
    void setWindow(qint32 id, qint32 size)
    {
        nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, id, size);
        flush();
    }
    /// Sends a PING and waits for its ACK: the server has read everything sent before it.
    [[nodiscard]] bool roundTrip()
    {
        const int acks = m_pingAcks;
        nghttp2_submit_ping(m_session, NGHTTP2_FLAG_NONE, nullptr);
        flush();
        return QTest::qWaitFor([this, acks] { return m_pingAcks > acks; }, 10000);
    }
    /// Stops (or resumes) giving `id` flow-control credit (with `manualWindow`).
    void setStalled(qint32 id, bool stalled)
    {
        m_streams[id].stalled = stalled;
        if (!stalled) {
            const int32_t owed
                = nghttp2_session_get_stream_effective_recv_data_length(m_session, id);
            if (owed > 0)
                nghttp2_session_consume_stream(m_session, id, size_t(owed));
            flush();
        }
    }

    /// Writes what the session has to send.
    void flush()
    {
        if (!m_socket)
            return;
        for (;;) {
            const uint8_t *data = nullptr;
            const ssize_t length = nghttp2_session_mem_send(m_session, &data);
            if (length <= 0)
                break;
            m_socket->write(reinterpret_cast<const char *>(data), length);
        }
    }

    [[nodiscard]] Stream &stream(qint32 id) { return m_streams[id]; }
    [[nodiscard]] bool isConnected() const
    {
        return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
    }
    [[nodiscard]] QTcpSocket *socket() const { return m_socket.get(); }

    bool goaway = false;
    quint32 goawayError = 0;
    QByteArray goawayDebug;
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS.
    quint32 maxConcurrentStreams = 0;

private:
    [[nodiscard]] bool m_tls() const { return qobject_cast<QSslSocket *>(m_socket.get()); }

    void wire()
    {
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(), [this] {
            const QByteArray bytes = m_socket->readAll();
            nghttp2_session_mem_recv(
                m_session, reinterpret_cast<const uint8_t *>(bytes.constData()), bytes.size());
            flush();
        });
    }

    static H2TestClient *self(void *user) { return static_cast<H2TestClient *>(user); }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        Stream &stream = self(user)->m_streams[frame->hd.stream_id];
        const QByteArray n(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray v(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        if (n == ":status")
            stream.status = v.toInt();
        else
            stream.headers.insert(n, v);
        return 0;
    }
    static int onData(nghttp2_session *session, uint8_t, int32_t id, const uint8_t *data,
        size_t length, void *user)
    {
        H2TestClient *client = self(user);
        Stream &stream = client->m_streams[id];
        stream.data.append(reinterpret_cast<const char *>(data), qsizetype(length));
        if (client->m_options.manualWindow) {
            if (stream.stalled)
                nghttp2_session_consume_connection(session, length);
            else
                nghttp2_session_consume(session, id, length);
        }
        return 0;
    }
    static int onClose(nghttp2_session *, int32_t id, uint32_t errorCode, void *user)
    {
        Stream &stream = self(user)->m_streams[id];
        stream.closed = true;
        stream.errorCode = errorCode;
        return 0;
    }
    static int onFrame(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        H2TestClient *client = self(user);
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            client->goaway = true;
            client->goawayError = frame->goaway.error_code;
            client->goawayDebug
                = QByteArray(reinterpret_cast<const char *>(frame->goaway.opaque_data),
                    qsizetype(frame->goaway.opaque_data_len));
        } else if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK)) {
            ++client->m_pingAcks;
        } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
            client->m_streams[frame->hd.stream_id].reset = true;
        } else if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
            for (size_t i = 0; i < frame->settings.niv; ++i) {
                if (frame->settings.iv[i].settings_id == NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
                    client->maxConcurrentStreams = frame->settings.iv[i].value;
            }
        }
        return 0;
    }
    static ssize_t readBody(nghttp2_session *, int32_t id, uint8_t *buffer, size_t length,
        uint32_t *flags, nghttp2_data_source *, void *user)
    {
        if (self(user)->m_held.count(id))
            return NGHTTP2_ERR_DEFERRED;
        QByteArray &body = self(user)->m_bodies[id];
        const size_t n = std::min(length, size_t(body.size()));
        std::memcpy(buffer, body.constData(), n);
        body.remove(0, qsizetype(n));
        if (body.isEmpty())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(n);
    }

    Options m_options;
    nghttp2_session *m_session = nullptr;
    std::unique_ptr<QTcpSocket> m_socket;
    std::map<qint32, Stream> m_streams;
    std::map<qint32, QByteArray> m_bodies;
    std::set<qint32> m_held;
    int m_pingAcks = 0;
};

/// Raw HTTP/2 frames, for what no well-behaved client library would send.
namespace RawH2 {

inline QByteArray frame(quint8 type, quint8 flags, quint32 stream, const QByteArray &payload,
    qint64 declaredLength = -1)
{
    const quint32 length = quint32(declaredLength >= 0 ? declaredLength : payload.size());
    QByteArray out;
    out.append(char((length >> 16) & 0xff)).append(char((length >> 8) & 0xff));
    out.append(char(length & 0xff)).append(char(type)).append(char(flags));
    out.append(char((stream >> 24) & 0x7f)).append(char((stream >> 16) & 0xff));
    out.append(char((stream >> 8) & 0xff)).append(char(stream & 0xff));
    return out + payload;
}

inline QByteArray u32(quint32 value)
{
    QByteArray out;
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((value >> shift) & 0xff));
    return out;
}

/// The client connection preface and an empty SETTINGS frame.
inline QByteArray preface()
{
    return QByteArrayLiteral("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        + frame(NGHTTP2_SETTINGS, 0, 0, {});
}

/// An HPACK header block (libnghttp2's encoder) for a request.
inline QByteArray headerBlock(const QList<std::pair<QByteArray, QByteArray>> &fields)
{
    nghttp2_hd_deflater *deflater = nullptr;
    nghttp2_hd_deflate_new(&deflater, 4096);
    std::vector<nghttp2_nv> nva;
    for (const auto &[name, value] : fields)
        nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
            reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
            size_t(value.size()), NGHTTP2_NV_FLAG_NONE});
    QByteArray block(qsizetype(nghttp2_hd_deflate_bound(deflater, nva.data(), nva.size())), 0);
    const ssize_t length = nghttp2_hd_deflate_hd(deflater,
        reinterpret_cast<uint8_t *>(block.data()), size_t(block.size()), nva.data(), nva.size());
    nghttp2_hd_deflate_del(deflater);
    block.truncate(qsizetype(qMax<ssize_t>(0, length)));
    return block;
}

inline QByteArray get(const QByteArray &path)
{
    return headerBlock(
        {{":method", "GET"}, {":scheme", "http"}, {":path", path}, {":authority", "127.0.0.1"}});
}

struct Frame
{
    quint8 type = 0;
    quint8 flags = 0;
    quint32 stream = 0;
    QByteArray payload;
};

/// Splits `bytes` (the server's side of a connection) into frames; what is left of an
/// incomplete one stays in `bytes`.
inline QList<Frame> frames(QByteArray &bytes)
{
    QList<Frame> out;
    while (bytes.size() >= 9) {
        const auto *b = reinterpret_cast<const uchar *>(bytes.constData());
        const qsizetype length = (qsizetype(b[0]) << 16) | (qsizetype(b[1]) << 8) | b[2];
        if (bytes.size() < 9 + length)
            break;
        Frame frame;
        frame.type = b[3];
        frame.flags = b[4];
        frame.stream
            = ((quint32(b[5]) & 0x7f) << 24) | (quint32(b[6]) << 16) | (quint32(b[7]) << 8) | b[8];
        frame.payload = bytes.mid(9, length);
        out.append(frame);
        bytes.remove(0, 9 + length);
    }
    return out;
}

inline quint32 readU32(const QByteArray &bytes, qsizetype at)
{
    const auto *b = reinterpret_cast<const uchar *>(bytes.constData()) + at;
    return (quint32(b[0]) << 24) | (quint32(b[1]) << 16) | (quint32(b[2]) << 8) | b[3];
}

} // namespace RawH2
