#include "wsconnection.h"

#include "event.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>

namespace Pushboard {

WsConnection::WsConnection(const Target &target, QObject *parent)
    : StreamConnection(target, parent)
{
    // QWebSocket's own default lets one message grow to 256 MiB.
    m_socket.setMaxAllowedIncomingMessageSize(quint64(MaxMessageBytes));
    m_socket.setMaxAllowedIncomingFrameSize(quint64(MaxMessageBytes));
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        m_tlsFailure = m_target.tls.onSslErrors(&m_socket, errors);
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_tlsFailure = m_target.tls.onConnected(&m_socket);
        if (!m_tlsFailure.isEmpty()) {
            m_socket.abort();
            return;
        }
        m_protocol = QStringLiteral("http/1.1"); // WebSocket over HTTP/2 (RFC 8441) is not used.
        Q_EMIT opened();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &WsConnection::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_closing)
            return;
        if (!m_tlsFailure.isEmpty()) { // trusting the server is the user's call: do not retry
            Q_EMIT ended(m_tlsFailure, true);
            return;
        }
        QString reason = m_socket.closeReason();
        if (m_socket.closeCode() != QWebSocketProtocol::CloseCodeNormal || reason.isEmpty())
            reason = QStringLiteral("closed (%1)%2")
                         .arg(int(m_socket.closeCode()))
                         .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason);
        if (m_socket.error() != QAbstractSocket::UnknownSocketError
            && m_socket.closeCode() == QWebSocketProtocol::CloseCodeNormal)
            reason = m_socket.errorString();
        Q_EMIT ended(reason, false);
    });
}

WsConnection::~WsConnection()
{
    close();
}

void WsConnection::open(const QString &lastEventId)
{
    m_closing = false;
    m_mode = Mode::Unknown;
    m_lastEventId = lastEventId;
    m_tlsFailure.clear();
    m_socket.setSslConfiguration(m_target.tls.configuration());
    QNetworkRequest request(m_target.url);
    if (!m_target.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_target.token.toUtf8());
    m_socket.open(request);
}

void WsConnection::close()
{
    m_closing = true;
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        m_socket.abort();
}

void WsConnection::onText(const QString &text)
{
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString op = object.value(QStringLiteral("op")).toString();
    if (m_mode == Mode::Unknown) {
        m_mode = op == QLatin1String("state") ? Mode::Pushboard : Mode::Plain;
        if (m_mode == Mode::Pushboard) {
            QJsonObject subscribe {{QStringLiteral("op"), QStringLiteral("subscribe")},
                {QStringLiteral("topics"), QJsonArray::fromStringList(m_target.topics)}};
            quint64 after = 0;
            if (parseEventId(m_lastEventId.toUtf8(), &after))
                subscribe.insert(QStringLiteral("after"), m_lastEventId);
            m_socket.sendTextMessage(
                QString::fromUtf8(QJsonDocument(subscribe).toJson(QJsonDocument::Compact)));
            return;
        }
    }
    if (m_mode == Mode::Plain) {
        Q_EMIT received(SseMessage {QStringLiteral("message"), text, QString()});
        return;
    }
    if (op == QLatin1String("event")) {
        // The same data string the SSE stream carries for this event.
        const QByteArray data
            = "{\"time\":" + QByteArray::number(object.value(QStringLiteral("time")).toInteger())
            + ",\"data\":" + compactJson(object.value(QStringLiteral("data"))) + '}';
        Q_EMIT received(SseMessage {object.value(QStringLiteral("topic")).toString(),
            QString::fromUtf8(data), object.value(QStringLiteral("id")).toString(), true});
    } else if (op == QLatin1String("gap")) {
        QJsonObject gap = object;
        gap.remove(QStringLiteral("op"));
        Q_EMIT received(SseMessage {QStringLiteral("gap"),
            QString::fromUtf8(QJsonDocument(gap).toJson(QJsonDocument::Compact)), m_lastEventId});
    } else if (op == QLatin1String("reset")) {
        const QString newest = object.value(QStringLiteral("newest")).toString();
        Q_EMIT received(SseMessage {QStringLiteral("reset"),
            QStringLiteral("{\"newest\":\"%1\"}").arg(newest), newest, true});
    }
    // ack, error and state are the control channel's business, not the stream's.
}

} // namespace Pushboard
