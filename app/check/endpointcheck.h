#pragma once

#include "checkoptions.h"
#include "checkreport.h"
#include "probeconnection.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>

namespace Pushboard {

/// A conformance and health check of one endpoint, anyone's: SseCheck for http(s)://,
/// WsCheck for ws(s)://. start() probes the way a careful engineer would, over raw
/// connections, and finished() hands over the report; nothing needs a Pushboard server.
class EndpointCheck : public QObject
{
    Q_OBJECT

public:
    /// The check for `options.url`'s scheme, or nothing (and `error` says why) for another URL.
    [[nodiscard]] static std::unique_ptr<EndpointCheck> create(
        const CheckOptions &options, QString *error);

    ~EndpointCheck() override;

    virtual void start() = 0;
    /// Ends the probes now and finishes the report with what was seen (the dashboard's Stop).
    virtual void stop() = 0;
    [[nodiscard]] const CheckReport &report() const { return m_report; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// The endpoint has answered the main connection (an SSE head, a WebSocket handshake).
    [[nodiscard]] virtual bool hasAnswered() const = 0;
    /// How far along the check is, 0 to 1 (for a progress bar).
    [[nodiscard]] double progress() const;

Q_SIGNALS:
    void finished();

protected:
    EndpointCheck(const CheckOptions &options, const QString &transport, QObject *parent);

    /// The request every probe starts from: the URL, the token, the trust.
    [[nodiscard]] ProbeConnection::Request baseRequest() const;
    /// When the main connection is closed: the duration, or just past the idle period.
    [[nodiscard]] qint64 observeMs() const { return m_observeMs; }
    void add(const QString &id, const QString &title, CheckItem::Verdict verdict,
        const QString &evidence, const QString &why);
    void finishReport(bool reached);

    CheckOptions m_options;
    QElapsedTimer m_clock;
    CheckReport m_report;

private:
    qint64 m_observeMs = 0;
    bool m_finished = false;
};

/// "1.2 s", "350 ms": a duration for evidence.
[[nodiscard]] QString formatDuration(qint64 ms);

} // namespace Pushboard
