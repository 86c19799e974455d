#pragma once

#include "streamconnection.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace Pushboard {

/// Pushboard's `GET /api/events`: short polling (a request Target::pollIntervalMs after each
/// answer) or long polling (`wait`, the next request as soon as an answer arrives). Each
/// answer's `next` is the next `after`.
class PollConnection : public StreamConnection
{
    Q_OBJECT

public:
    static constexpr int LongPollWaitS = 30;
    /// Events asked for per request (`limit`); an answer this full is followed at once.
    static constexpr int PageSize = 100;

    PollConnection(
        const Target &target, bool longPoll, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~PollConnection() override;

    void open(const QString &lastEventId) override;
    void close() override;

private:
    void request();
    void onFinished();

    QNetworkAccessManager *m_nam;
    bool m_longPoll;
    QString m_after; ///< Empty: the first poll, from the server's newest id.
    bool m_opened = false;
    QPointer<QNetworkReply> m_reply;
    QString m_tlsFailure; ///< Why the server's certificate was refused.
    QTimer m_next;
};

} // namespace Pushboard
