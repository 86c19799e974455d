#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QObject>
#include <QWebSocket>

/// A QWebSocket that keeps every message it receives, for the /ws tests.
class WsTestClient : public QObject
{
    Q_OBJECT

public:
    explicit WsTestClient(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        connect(&socket, &QWebSocket::disconnected, this, [this] { closed = true; });
    }

    void open(quint16 port, const QByteArray &pathAndQuery = "/ws", const QByteArray &origin = {},
        const QByteArray &authorization = {})
    {
        QNetworkRequest request(QUrl(
            QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(QString::fromUtf8(pathAndQuery))));
        if (!origin.isEmpty())
            request.setRawHeader("Origin", origin);
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        socket.open(request);
    }
    void send(const QJsonObject &message)
    {
        socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    }
    void sendRaw(const QByteArray &text) { socket.sendTextMessage(QString::fromUtf8(text)); }

    [[nodiscard]] bool isOpen() const { return socket.state() == QAbstractSocket::ConnectedState; }
    [[nodiscard]] QList<QJsonObject> withOp(const char *op) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages) {
            if (m.value(QStringLiteral("op")).toString() == QLatin1String(op))
                out.append(m);
        }
        return out;
    }
    /// The answer (ack or error) that carries `ref`, or an empty object.
    [[nodiscard]] QJsonObject answerTo(const QJsonValue &ref) const
    {
        for (const QJsonObject &m : messages) {
            const QString op = m.value(QStringLiteral("op")).toString();
            if ((op == QLatin1String("ack") || op == QLatin1String("error"))
                && m.value(QStringLiteral("ref")) == ref)
                return m;
        }
        return {};
    }
    [[nodiscard]] QByteArrayList eventIds() const
    {
        QByteArrayList ids;
        for (const QJsonObject &m : withOp("event"))
            ids.append(m.value(QStringLiteral("id")).toString().toUtf8());
        return ids;
    }
    [[nodiscard]] QJsonObject lastState() const
    {
        const auto states = withOp("state");
        return states.isEmpty() ? QJsonObject() : states.constLast();
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
    bool closed = false;
};
