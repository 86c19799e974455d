#pragma once

#include "protocol/sseparser.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkReply;

namespace Pushboard {

class CaptureLog;

/// The inspector's other way in: the connections a Pushboard server holds (any client's: a
/// browser, curl, this dashboard), captured where the server reads and writes them. Switches
/// the server's capture on for all connections (POST /api/inspect) and reads
/// /api/inspect/stream into `log`, decoding there like the relay's bytes. Server connection
/// ids are offset by IdOffset so they never meet the relay's in one log.
class ServerCapture : public QObject
{
    Q_OBJECT

public:
    static constexpr quint64 IdOffset = 1'000'000;

    explicit ServerCapture(CaptureLog *log, QObject *parent = nullptr);
    ~ServerCapture() override;

    /// `server`: the server's base URL (http://host:port); `token` when it needs one.
    void start(const QUrl &server, const QString &token);
    void stop();
    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] QString errorString() const { return m_error; }

Q_SIGNALS:
    void stateChanged();

private:
    QNetworkRequest request(const QString &path) const;
    void openStream();
    void onEvent(const SseMessage &message);
    void fail(const QString &why);

    CaptureLog *m_log;
    QNetworkAccessManager m_nam;
    QPointer<QNetworkReply> m_control;
    QPointer<QNetworkReply> m_stream;
    SseParser m_parser;
    QUrl m_server;
    QString m_token;
    bool m_running = false;
    QString m_error;
};

} // namespace Pushboard
