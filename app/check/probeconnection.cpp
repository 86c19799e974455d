#include "probeconnection.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace Pushboard {

ProbeConnection::ProbeConnection(const QElapsedTimer &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    m_headTimer.setSingleShot(true);
    connect(&m_headTimer, &QTimer::timeout, this, [this] {
        finish(QStringLiteral("no answer within %1 s").arg(m_request.headTimeoutMs / 1000), false);
    });
}

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
    m_headTimer.start(request.headTimeoutMs);
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
        // What arrived before the error (a Close frame before a reset) is the server's last word.
        if (m_socket && m_socket->bytesAvailable() > 0)
            onReadyRead();
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
    m_headTimer.stop();
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
    const HttpAnswerReader::Output out = m_reader.feed(bytes);
    if (out.headCompleted) {
        m_headTimer.stop();
        m_headAtMs = at;
        Q_EMIT headReceived();
        if (m_finished)
            return;
    }
    if (!out.upgraded.isEmpty())
        Q_EMIT upgradedReceived(out.upgraded, at);
    if (!out.body.isEmpty()) {
        if (m_firstBodyAtMs < 0)
            m_firstBodyAtMs = at;
        Q_EMIT bodyReceived(out.body, at, m_reads);
    }
    if (m_finished)
        return;
    if (m_reader.hasFailed())
        finish(m_reader.errorString(), false);
    else if (out.bodyEnded)
        finish(QString(), true);
}

void ProbeConnection::onDisconnected()
{
    if (m_socket && m_socket->bytesAvailable() > 0)
        onReadyRead();
    if (m_finished)
        return;
    if (!m_reader.hasHead())
        return finish(m_reader.rawHead().isEmpty() && m_headAtMs < 0
                ? QStringLiteral("the server closed the connection without a complete answer")
                : QStringLiteral("the server closed the connection"),
            false);
    finish(QString(), m_reader.closeEndsBody());
}

void ProbeConnection::finish(const QString &error, bool clean)
{
    if (m_finished)
        return;
    m_finished = true;
    m_headTimer.stop();
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
