#pragma once

#include "streamconnection.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace Pushboard {

/// An SSE request as EventSource makes it: `Accept: text/event-stream`, `Cache-Control: no-cache`,
/// `Last-Event-ID` when resuming; the answer must be 200 with `text/event-stream`, else the
/// connection fails for good (204 included), as in the WHATWG rules. An answer whose head does
/// not come within Target::responseTimeoutMs ends the attempt (the client reconnects).
class SseConnection : public StreamConnection
{
    Q_OBJECT

public:
    SseConnection(const Target &target, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~SseConnection() override;

    void open(const QString &lastEventId) override;
    void close() override;

private:
    void onMetaData();
    void onReadyRead();
    void onFinished();
    void fail();

    QNetworkAccessManager *m_nam;
    QPointer<QNetworkReply> m_reply;
    QTimer m_responseTimer; ///< Until the answer's head arrives (Target::responseTimeoutMs).
    SseParser m_parser;
    bool m_checked = false;
    bool m_done = false;
    QString m_failure; ///< Why this answer fails the connection, once known.
    QString m_tlsFailure; ///< Why the server's certificate was refused.
};

} // namespace Pushboard
