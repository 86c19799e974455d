#pragma once

#include "streamconnection.h"

#include <QWebSocket>

namespace Pushboard {

/// A WebSocket stream. Against Pushboard (recognised by the `state` message it sends first) it
/// subscribes with `after` = the last event id and turns `event`, `gap` and `reset` messages into
/// SseMessage; against any other server every text message is a `message`.
class WsConnection : public StreamConnection
{
    Q_OBJECT

public:
    explicit WsConnection(const Target &target, QObject *parent = nullptr);
    ~WsConnection() override;

    void open(const QString &lastEventId) override;
    void close() override;

private:
    void onText(const QString &text);

    QWebSocket m_socket;
    QString m_lastEventId;
    enum class Mode { Unknown, Pushboard, Plain } m_mode = Mode::Unknown;
    bool m_closing = false;
    QString m_tlsFailure; ///< Why the server's certificate was refused.
};

} // namespace Pushboard
