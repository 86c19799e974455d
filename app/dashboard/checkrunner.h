#pragma once

#include "checkitemmodel.h"

#include <QElapsedTimer>
#include <QObject>
#include <QQmlEngine>
#include <QTimer>

#include <memory>

namespace Pushboard {

class EndpointCheck;

/// Runs `pushboard check` from the dashboard: the same EndpointCheck on `url` (by default the
/// stream the dashboard watches), with its progress while it runs and its verdicts in `items`
/// when it is done.
class CheckRunner : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /// The endpoint: http(s):// an SSE stream, ws(s):// a WebSocket.
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString token MEMBER m_token NOTIFY settingsChanged)
    /// Whom to trust over TLS, as DashboardSource's caFile and pin.
    Q_PROPERTY(QString caFile MEMBER m_caFile NOTIFY settingsChanged)
    Q_PROPERTY(QString pin MEMBER m_pin NOTIFY settingsChanged)
    /// How long the probes run, in seconds (CheckOptions::durationS).
    Q_PROPERTY(int durationS MEMBER m_durationS NOTIFY settingsChanged)
    /// The proxy idle time-out to expect, in seconds; 0 skips the idle items.
    Q_PROPERTY(int idleS MEMBER m_idleS NOTIFY settingsChanged)
    Q_PROPERTY(bool running READ isRunning NOTIFY runningChanged)
    /// 0 to 1 while running; 1 when done.
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    /// Seconds the check has run (while running), or took (when done).
    Q_PROPERTY(double elapsedS READ elapsedS NOTIFY progressChanged)
    /// The last check's exit code as `pushboard check` gives it (0 pass, 1 warn, 2 fail, 3
    /// unreachable); -1 before the first.
    Q_PROPERTY(int exitCode READ exitCode NOTIFY finished)
    /// "13 passed, 2 warned, 0 failed, 2 skipped", or why the check could not start.
    Q_PROPERTY(QString summary READ summary NOTIFY finished)
    /// The endpoint the last report is about.
    Q_PROPERTY(QString checkedUrl READ checkedUrl NOTIFY finished)
    Q_PROPERTY(Pushboard::CheckItemModel *items READ items CONSTANT)

public:
    explicit CheckRunner(QObject *parent = nullptr);
    ~CheckRunner() override;

    /// The endpoint a dashboard reading `serverUrl` (its base URL) over `transport` streams
    /// from: `/events` for sse, poll and longpoll (the check reads SSE), `/ws` as ws(s)://.
    Q_INVOKABLE QString endpointFor(const QString &serverUrl, const QString &transport) const;

    /// Starts a check of `url`; false, with `summary` saying why, for a URL it cannot check.
    Q_INVOKABLE bool start();
    /// Ends the probes now; the verdicts are what was seen so far.
    Q_INVOKABLE void stop();

    [[nodiscard]] QString url() const { return m_url; }
    void setUrl(const QString &url);
    [[nodiscard]] bool isRunning() const { return m_check != nullptr; }
    [[nodiscard]] double progress() const;
    [[nodiscard]] double elapsedS() const;
    [[nodiscard]] int exitCode() const { return m_exitCode; }
    [[nodiscard]] QString summary() const { return m_summary; }
    [[nodiscard]] QString checkedUrl() const { return m_checkedUrl; }
    [[nodiscard]] CheckItemModel *items() { return &m_items; }

Q_SIGNALS:
    void urlChanged();
    void settingsChanged();
    void runningChanged();
    void progressChanged();
    void finished();

private:
    void onFinished();

    QString m_url;
    QString m_token;
    QString m_caFile;
    QString m_pin;
    int m_durationS = 20;
    int m_idleS = 65;
    std::unique_ptr<EndpointCheck> m_check;
    QTimer m_progressTimer;
    QElapsedTimer m_started;
    CheckItemModel m_items;
    int m_exitCode = -1;
    double m_tookS = 0;
    QString m_summary;
    QString m_checkedUrl;
};

} // namespace Pushboard
