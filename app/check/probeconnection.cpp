#include "probeconnection.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <zlib.h>

namespace Pushboard {

/// A zlib stream for the body's gzip or deflate coding.
struct ProbeConnection::Inflater
{
    z_stream stream {};
    bool ended = false;
    ~Inflater() { inflateEnd(&stream); }
};

ProbeConnection::ProbeConnection(const QElapsedTimer &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{ }

ProbeConnection::~ProbeConnection()
{
    abort();
}

bool ProbeConnection::isOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState && !m_finished;
}

void ProbeConnection::start(const Request &request)
{
    m_request = request;
    const QString scheme = request.url.scheme();
    const bool tls = scheme == QLatin1String("https") || scheme == QLatin1String("wss");
    const quint16 port = request.url.port(tls ? 443 : 80);
    QTcpSocket *socket = nullptr;
    if (tls) {
        auto *ssl = new QSslSocket(this);
        QSslConfiguration configuration = request.tls.configuration();
        configuration.setAllowedNextProtocols(request.alpn);
        ssl->setSslConfiguration(configuration);
        connect(ssl, &QSslSocket::sslErrors, this, [this, ssl](const QList<QSslError> &errors) {
            // Decided in encrypted(): TlsTrust knows whether a pin overrides these.
            if (m_request.tls.refusal(ssl->peerCertificate(), errors).isEmpty())
                ssl->ignoreSslErrors();
            else
                finish(QStringLiteral("TLS: %1").arg(
                           m_request.tls.refusal(ssl->peerCertificate(), errors)),
                    false);
        });
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
    }
    m_socket = socket;
    connect(socket, &QTcpSocket::readyRead, this, &ProbeConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &ProbeConnection::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError)
            return; // disconnected() follows
        finish(m_socket ? m_socket->errorString() : QStringLiteral("socket error"), false);
    });

    QByteArray target = request.url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (request.url.hasQuery())
        target += '?' + request.url.query(QUrl::FullyEncoded).toLatin1();
    QByteArray host = request.url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (request.url.port() != -1)
        host += ':' + QByteArray::number(port);
    QByteArray bytes = request.method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    for (const auto &[name, value] : request.headers)
        bytes += name + ": " + value + "\r\n";
    bytes += "\r\n";

    const auto write = [this, bytes] {
        if (!m_socket)
            return;
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()))
            m_alpn = ssl->sslConfiguration().nextNegotiatedProtocol();
        m_socket->write(bytes);
        m_sentAtMs = m_clock.elapsed();
        Q_EMIT connected();
    };
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        connect(ssl, &QSslSocket::encrypted, this, [this, ssl, write] {
            const QString refused = m_request.tls.hasPin()
                ? m_request.tls.refusal(ssl->peerCertificate(), {})
                : QString();
            if (!refused.isEmpty())
                return finish(QStringLiteral("TLS: %1").arg(refused), false);
            write();
        });
        ssl->connectToHostEncrypted(request.url.host(), port);
    } else {
        connect(socket, &QTcpSocket::connected, this, write);
        socket->connectToHost(request.url.host(), port);
    }
}

void ProbeConnection::send(const QByteArray &bytes)
{
    if (isOpen())
        m_socket->write(bytes);
}

void ProbeConnection::abort()
{
    m_finished = true;
    if (m_socket) {
        QTcpSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void ProbeConnection::onReadyRead()
{
    if (!m_socket || m_finished)
        return;
    const QByteArray bytes = m_socket->readAll();
    const qint64 at = m_clock.elapsed();
    ++m_reads;
    if (m_framing == Framing::Upgraded) {
        Q_EMIT upgradedReceived(bytes, at);
        return;
    }
    QByteArrayView rest = bytes;
    if (m_framing == Framing::Head) {
        m_buffer += bytes;
        const HttpHeadResult result = parseHttpHead(m_buffer, false, MaxHeadBytes);
        if (result.status == HttpHeadResult::Status::NeedMore)
            return;
        if (result.status == HttpHeadResult::Status::Malformed)
            return finish(QStringLiteral("not an HTTP/1.1 answer: %1").arg(result.error), false);
        m_head = result.head;
        m_rawHead = m_buffer.left(m_head.size);
        const QByteArray after = m_buffer.mid(m_head.size);
        m_buffer.clear();
        m_headAtMs = at;
        const int status = m_head.status;
        const QByteArray length = m_head.value("Content-Length");
        if (status == 101) {
            m_framing = Framing::Upgraded;
        } else if (status == 204 || status == 304 || (status >= 100 && status < 200)
            || m_request.method == "HEAD") {
            m_framing = Framing::Done;
        } else if (m_head.hasToken("Transfer-Encoding", "chunked")) {
            m_framing = Framing::Chunked;
        } else if (!length.isEmpty()) {
            bool ok = false;
            m_remaining = length.toLongLong(&ok);
            if (!ok || m_remaining < 0)
                return finish(QStringLiteral("bad Content-Length '%1'")
                                  .arg(QString::fromLatin1(length.left(40))),
                    false);
            m_framing = m_remaining == 0 ? Framing::Done : Framing::Length;
        } else {
            m_framing = Framing::UntilClose;
        }
        m_coding = m_head.value("Content-Encoding").trimmed().toLower();
        if (m_coding == "identity")
            m_coding.clear();
        if (!m_coding.isEmpty() && m_framing != Framing::Upgraded && !startInflating())
            return finish(QStringLiteral("unsupported Content-Encoding '%1'")
                              .arg(QString::fromLatin1(m_coding.left(40))),
                false);
        Q_EMIT headReceived();
        if (m_finished)
            return;
        if (m_framing == Framing::Done)
            return finish(QString(), true);
        if (m_framing == Framing::Upgraded) {
            if (!after.isEmpty())
                Q_EMIT upgradedReceived(after, at);
            return;
        }
        m_buffer = after; // the body's first bytes, handled below
        rest = m_buffer;
    }
    if (rest.isEmpty())
        return;
    switch (m_framing) {
    case Framing::Chunked: {
        QByteArray body;
        m_chunked.feed(rest, body);
        if (m_chunked.hasFailed())
            return finish(
                QStringLiteral("bad chunked framing: %1").arg(m_chunked.errorString()), false);
        deliverBody(body, at);
        if (!m_finished && m_chunked.isDone())
            finish(QString(), true);
        break;
    }
    case Framing::Length: {
        const qint64 take = qMin<qint64>(m_remaining, rest.size());
        m_remaining -= take;
        deliverBody(rest.first(take), at);
        if (!m_finished && m_remaining == 0)
            finish(QString(), true);
        break;
    }
    case Framing::UntilClose:
        deliverBody(rest, at);
        break;
    default:
        break;
    }
    m_buffer.clear();
}

bool ProbeConnection::startInflating()
{
    int windowBits = 0;
    if (m_coding == "gzip" || m_coding == "x-gzip")
        windowBits = 15 + 16;
    else if (m_coding == "deflate")
        windowBits = 15 + 32; // zlib-wrapped as RFC 9110 says, or gzip by mistake
    else
        return false;
    m_inflater = std::make_unique<Inflater>();
    return inflateInit2(&m_inflater->stream, windowBits) == Z_OK;
}

void ProbeConnection::deliverBody(QByteArrayView bytes, qint64 at)
{
    if (bytes.isEmpty())
        return;
    if (m_firstBodyAtMs < 0)
        m_firstBodyAtMs = at;
    if (!m_inflater) {
        Q_EMIT bodyReceived(bytes.toByteArray(), at, m_reads);
        return;
    }
    if (m_inflater->ended)
        return;
    QByteArray out;
    z_stream &z = m_inflater->stream;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = uInt(bytes.size());
    char chunk[16384];
    while (z.avail_in > 0) {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        const int status = inflate(&z, Z_SYNC_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
            return finish(QStringLiteral("the %1 body does not inflate: %2")
                              .arg(QString::fromLatin1(m_coding),
                                  QString::fromLatin1(z.msg ? z.msg : "corrupt data")),
                false);
        out.append(chunk, qsizetype(sizeof chunk - z.avail_out));
        if (out.size() > MaxInflatedBytes)
            return finish(QStringLiteral("one read inflates past %1 MiB")
                              .arg(MaxInflatedBytes / (1024 * 1024)),
                false);
        if (status == Z_STREAM_END) {
            m_inflater->ended = true;
            break;
        }
        if (status == Z_BUF_ERROR || (z.avail_out > 0 && z.avail_in == 0))
            break;
    }
    if (!out.isEmpty())
        Q_EMIT bodyReceived(out, at, m_reads);
}

void ProbeConnection::onDisconnected()
{
    if (m_finished)
        return;
    if (m_framing == Framing::Head)
        return finish(m_headAtMs < 0 && m_buffer.isEmpty()
                ? QStringLiteral("the server closed the connection without answering")
                : QStringLiteral("the server closed the connection inside the answer's head"),
            false);
    const bool clean = m_framing == Framing::UntilClose || m_framing == Framing::Done
        || m_framing == Framing::Upgraded;
    finish(QString(), clean);
}

void ProbeConnection::finish(const QString &error, bool clean)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_socket) // the exchange is over: nothing more is read from this connection
        m_socket->disconnect(this);
    Q_EMIT finished(error, clean);
    if (m_socket) {
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
}

} // namespace Pushboard
