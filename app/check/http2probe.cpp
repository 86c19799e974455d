#include "http2probe.h"

#include <QSslSocket>

namespace Pushboard {

Http2Probe::Http2Probe(QObject *parent)
    : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
        [this] { finish(QString(), QStringLiteral("no answer in time")); });
}

void Http2Probe::start(const QUrl &url, const TlsTrust &tls, int timeoutMs)
{
    const QString scheme = url.scheme();
    m_tls = scheme == QLatin1String("https") || scheme == QLatin1String("wss");
    const quint16 port = url.port(m_tls ? 443 : 80);
    m_timeout.start(timeoutMs);
    if (m_tls) {
        auto *socket = new QSslSocket(this);
        QSslConfiguration configuration = tls.configuration();
        configuration.setAllowedNextProtocols(
            {QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});
        socket->setSslConfiguration(configuration);
        // Only the negotiation matters here; whom to trust is the stream's item.
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        connect(socket, &QSslSocket::encrypted, this, [this, socket] {
            const QByteArray chosen = socket->sslConfiguration().nextNegotiatedProtocol();
            finish(QString::fromLatin1(chosen),
                chosen.isEmpty() ? QStringLiteral("ALPN: the server chose no protocol")
                                 : QStringLiteral("ALPN chose %1 of h2, http/1.1")
                                       .arg(QString::fromLatin1(chosen)));
        });
        m_socket = socket;
        socket->connectToHostEncrypted(url.host(), port);
    } else {
        auto *socket = new QTcpSocket(this);
        connect(socket, &QTcpSocket::connected, this, [socket] {
            // The client connection preface (RFC 9113 3.4) and an empty SETTINGS frame.
            socket->write(QByteArrayLiteral("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                + QByteArray::fromHex("000000040000000000"));
        });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            m_answer += socket->read(64 - m_answer.size());
            if (m_answer.size() < 9)
                return;
            if (quint8(m_answer.at(3)) == 0x4 && m_answer.mid(5, 4) == QByteArray(4, '\0')) {
                finish(QStringLiteral("h2c"),
                    QStringLiteral("the HTTP/2 preface was answered with SETTINGS"));
            } else {
                finish(QString(),
                    QStringLiteral("the HTTP/2 preface was answered with '%1'")
                        .arg(QString::fromLatin1(m_answer.left(24)).simplified()));
            }
        });
        m_socket = socket;
        socket->connectToHost(url.host(), port);
    }
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        finish(QString(),
            m_answer.isEmpty() ? m_socket->errorString()
                               : QStringLiteral("closed after '%1'")
                                     .arg(QString::fromLatin1(m_answer.left(24)).simplified()));
    });
}

void Http2Probe::finish(const QString &protocol, const QString &detail)
{
    if (m_done)
        return;
    m_done = true;
    m_protocol = protocol;
    m_detail = detail;
    m_timeout.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    Q_EMIT finished();
}

} // namespace Pushboard
