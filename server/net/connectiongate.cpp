#include "connectiongate.h"

#include "http2session.h"
#include "httpreply.h"
#include "wirecapture.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcGate, "pushboard.server.gate", QtInfoMsg)

namespace Pushboard {

ConnectionGate::ConnectionGate(QObject *parent)
    : QTcpServer(parent)
{
    connect(&m_sweep, &QTimer::timeout, this, &ConnectionGate::sweepDeadlines);
    setLimits(m_limits);
}

void ConnectionGate::setLimits(const Limits &limits)
{
    m_limits = limits;
    m_settings.limits = {limits.maxHeadBytes, limits.maxBodyBytes};
    m_settings.headTimeoutMs = limits.headTimeoutMs;
    m_settings.idleTimeoutMs = limits.idleTimeoutMs;
}

ConnectionGate::~ConnectionGate()
{
    // The connections are children: they go with the gate, without calling back into it.
    for (HttpConnection *connection : std::as_const(m_connections))
        connection->disconnect(this);
    for (Http2Session *session : std::as_const(m_sessions))
        session->disconnect(this);
}

void ConnectionGate::incomingConnection(qintptr socketDescriptor)
{
    QSslSocket *tls = m_tls.isNull() ? nullptr : new QSslSocket(this);
    QTcpSocket *socket = tls ? tls : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (tls) {
        tls->setSslConfiguration(m_tls);
        // A failed handshake (a plain HTTP client, a client that distrusts us) just closes.
        // Closed before the handshake finished: it failed (a client that refused the
        // certificate, a plain-HTTP client) or was given up; the time-out counts its own.
        connect(tls, &QAbstractSocket::disconnected, this, [this, tls] {
            if (tls->isEncrypted() || tls->property("pushboardHandshakeTimedOut").toBool())
                return;
            ++m_tlsHandshakesFailed;
            qCDebug(lcGate) << "TLS handshake with" << tls->peerAddress()
                            << "failed:" << tls->errorString();
        });
        // The handshake starts once the client's first byte shows it is one (HttpConnection):
        // a plain HTTP request gets a plain answer that says to use https.
    }
    if (m_settings.capture)
        m_settings.capture->attach(socket);
    if (connectionCount() >= m_limits.maxConnections) {
        ++m_refused;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        refuse(socket, 503,
            QStringLiteral("too many connections (limit %1)").arg(m_limits.maxConnections));
        return;
    }
    auto *connection = new HttpConnection(
        socket, &m_settings,
        [this](HttpRequest &&request, HttpReply &&reply) {
            if (m_onRequest)
                m_onRequest(std::move(request), std::move(reply));
        },
        [this](QTcpSocket *upgraded, const HttpRequest &request, QByteArray buffered) {
            Q_EMIT webSocketUpgrade(upgraded, request, buffered);
        },
        [this](QTcpSocket *http2, QByteArray received) { startHttp2(http2, received); }, this);
    m_connections.append(connection);
    connect(connection, &HttpConnection::refused, this, [this] { ++m_rejected; });
    connect(connection, &HttpConnection::finished, this,
        [this, connection] { m_connections.removeOne(connection); });
    if (!m_sweep.isActive())
        m_sweep.start(
            qBound(10, std::min(m_limits.headTimeoutMs, m_limits.idleTimeoutMs) / 4, 1000));
}

void ConnectionGate::startHttp2(QTcpSocket *socket, const QByteArray &received)
{
    if (!socket)
        return;
    auto *session = new Http2Session(
        socket, received, &m_settings, m_limits.maxConcurrentStreams,
        [this](HttpRequest &&request, HttpReply &&reply) {
            if (m_onRequest)
                m_onRequest(std::move(request), std::move(reply));
        },
        this);
    m_sessions.append(session);
    ++m_http2.connections;
    connect(session, &Http2Session::refused, this, [this] { ++m_rejected; });
    connect(session, &Http2Session::idleClosed, this, [this] { ++m_idleClosed; });
    connect(session, &Http2Session::streamOpened, this, [this] { ++m_http2.streams; });
    connect(session, &Http2Session::resetSent, this, [this](bool goaway, quint32 errorCode) {
        if (!goaway)
            ++m_http2.streamResets;
        else if (errorCode != 0)
            ++m_http2.connectionErrors;
    });
    connect(
        session, &Http2Session::finished, this, [this, session] { m_sessions.removeOne(session); });
    session->start();
}

int ConnectionGate::http2OpenStreams() const
{
    int streams = 0;
    for (const Http2Session *session : m_sessions)
        streams += session->streamCount();
    return streams;
}

void ConnectionGate::refuse(QTcpSocket *socket, int status, const QString &reason,
    const QList<std::pair<QByteArray, QByteArray>> &extraHeaders)
{
    qCDebug(lcGate) << "answering" << status << "to" << socket->peerAddress() << socket->peerPort()
                    << ":" << reason;
    if (status != 503)
        ++m_rejected;
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater, Qt::UniqueConnection);
    HttpConnection::refuseSocket(
        socket, status, reason, m_limits.headTimeoutMs, extraHeaders, m_settings.capture);
}

void ConnectionGate::closeAll()
{
    const QList<HttpConnection *> connections = m_connections;
    for (HttpConnection *connection : connections)
        connection->close();
    const QList<Http2Session *> sessions = m_sessions;
    for (Http2Session *session : sessions)
        session->close();
}

void ConnectionGate::sweepDeadlines()
{
    const qint64 now = QDeadlineTimer::current().deadline();
    QList<HttpConnection *> late;
    QList<HttpConnection *> idle;
    for (HttpConnection *connection : std::as_const(m_connections)) {
        if (connection->headDeadline() != 0 && now >= connection->headDeadline())
            late.append(connection);
        else if (connection->idleDeadline() != 0 && now >= connection->idleDeadline())
            idle.append(connection);
    }
    for (HttpConnection *connection : late) {
        // A TLS handshake that never finished cannot carry an answer: cut it.
        auto *tls = qobject_cast<QSslSocket *>(connection->socket());
        if (tls && !tls->isEncrypted()) {
            ++m_rejected;
            ++m_tlsHandshakesTimedOut;
            tls->setProperty("pushboardHandshakeTimedOut", true);
            tls->abort();
            continue;
        }
        connection->refuse(408,
            QStringLiteral("request head not complete within %1 ms").arg(m_limits.headTimeoutMs));
    }
    // Closing between requests needs no answer: a client must expect it (RFC 9112 9.8).
    m_idleClosed += quint64(idle.size());
    for (HttpConnection *connection : idle)
        connection->close();
    const QList<Http2Session *> sessions = m_sessions;
    for (Http2Session *session : sessions)
        session->sweep(now);
    if (m_connections.isEmpty() && m_sessions.isEmpty())
        m_sweep.stop();
}

} // namespace Pushboard
