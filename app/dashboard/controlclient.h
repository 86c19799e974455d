#pragma once

#include "tlstrust.h"

#include <QJsonObject>
#include <QObject>
#include <QQmlEngine>
#include <QTimer>
#include <QWebSocket>

namespace Pushboard {

/// The dashboard's controls panel: a WebSocket to the server's `/ws` that sends `control`
/// messages and shows the server's `state` (docs/protocol.md). Reconnects every two seconds while
/// the server is away.
class ControlClient : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /// The server's base URL, e.g. `http://127.0.0.1:8765`.
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    /// As DashboardSource's: whom to trust for an https:// server.
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY trustChanged)
    Q_PROPERTY(QString pin READ pin WRITE setPin NOTIFY trustChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    /// The last `state` message: interval, paused, keepalive, latency, stallRemaining, connections.
    Q_PROPERTY(QVariantMap state READ state NOTIFY stateChanged)
    /// The last error the server answered, if any.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    explicit ControlClient(QObject *parent = nullptr);
    ~ControlClient() override;

    [[nodiscard]] QString url() const { return m_url; }
    void setUrl(const QString &url);
    [[nodiscard]] QString token() const { return m_token; }
    void setToken(const QString &token);
    [[nodiscard]] QString caFile() const { return m_caFile; }
    void setCaFile(const QString &caFile);
    [[nodiscard]] QString pin() const { return m_pin; }
    void setPin(const QString &pin);
    [[nodiscard]] bool isConnected() const
    {
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }
    [[nodiscard]] QVariantMap state() const { return m_state; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /// Sends `{"op":"control","action":action,"args":args}`.
    Q_INVOKABLE void control(const QString &action, const QVariantMap &args = {});

Q_SIGNALS:
    void urlChanged();
    void tokenChanged();
    void trustChanged();
    void connectedChanged();
    void stateChanged();
    void lastErrorChanged();

public:
    /// A reconnect is scheduled (the socket closed and the retry timer runs).
    [[nodiscard]] bool isRetryPending() const { return m_retry.isActive(); }

private:
    void open();

    QString m_url;
    QString m_token;
    QString m_caFile;
    QString m_pin;
    TlsTrust m_trust;
    QWebSocket m_socket;
    QVariantMap m_state;
    QString m_lastError;
    QTimer m_retry;
};

} // namespace Pushboard
