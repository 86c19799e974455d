#include "controlclient.h"

#include "streamconnection.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QUrl>

namespace Pushboard {

ControlClient::ControlClient(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(2000);
    // The server may be anyone's: bound what one message can make us hold.
    m_socket.setMaxAllowedIncomingMessageSize(quint64(StreamConnection::MaxMessageBytes));
    m_socket.setMaxAllowedIncomingFrameSize(quint64(StreamConnection::MaxMessageBytes));
    connect(&m_retry, &QTimer::timeout, this, &ControlClient::open);
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (const QString refusal = m_trust.onSslErrors(&m_socket, errors); !refusal.isEmpty()) {
            m_lastError = refusal;
            Q_EMIT lastErrorChanged();
        }
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        if (const QString refusal = m_trust.onConnected(&m_socket); !refusal.isEmpty()) {
            m_lastError = refusal;
            Q_EMIT lastErrorChanged();
            m_socket.abort();
            return;
        }
        Q_EMIT connectedChanged();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        Q_EMIT connectedChanged();
        m_retry.start();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString op = message.value(QStringLiteral("op")).toString();
        if (op == QLatin1String("state")) {
            m_state = message.toVariantMap();
            m_state.remove(QStringLiteral("op"));
            Q_EMIT stateChanged();
        } else if (op == QLatin1String("error")) {
            m_lastError = message.value(QStringLiteral("error")).toString();
            Q_EMIT lastErrorChanged();
        }
    });
}

ControlClient::~ControlClient()
{
    // The socket outlives the timer (members go in reverse order) and says `disconnected` as it
    // goes, which would restart the destroyed timer.
    m_socket.disconnect(this);
    m_socket.abort();
}

void ControlClient::setUrl(const QString &url)
{
    if (url == m_url)
        return;
    m_url = url;
    Q_EMIT urlChanged();
    open();
}

void ControlClient::setToken(const QString &token)
{
    if (token == m_token)
        return;
    m_token = token;
    Q_EMIT tokenChanged();
    open();
}

void ControlClient::setCaFile(const QString &caFile)
{
    if (caFile == m_caFile)
        return;
    m_caFile = caFile;
    Q_EMIT trustChanged();
    open();
}

void ControlClient::setPin(const QString &pin)
{
    if (pin == m_pin)
        return;
    m_pin = pin;
    Q_EMIT trustChanged();
    open();
}

void ControlClient::open()
{
    if (m_url.isEmpty()) {
        m_retry.stop();
        return;
    }
    QUrl url(m_url);
    url.setScheme(
        url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/ws"));
    QNetworkRequest request(url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    QString error; // the command line has checked them; a bad value here trusts nothing more
    m_trust = TlsTrust::fromOptions(m_caFile, m_pin, &error).value_or(TlsTrust());
    m_socket.abort();
    m_socket.setSslConfiguration(m_trust.configuration());
    // After the abort: closing the old socket says `disconnected`, which starts the retry; left
    // running it would abort this new connection two seconds later, and the next, and so on.
    m_retry.stop();
    m_socket.open(request);
}

void ControlClient::control(const QString &action, const QVariantMap &args)
{
    const QJsonObject message {{QStringLiteral("op"), QStringLiteral("control")},
        {QStringLiteral("action"), action},
        {QStringLiteral("args"), QJsonObject::fromVariantMap(args)}};
    m_lastError.clear();
    Q_EMIT lastErrorChanged();
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

} // namespace Pushboard
