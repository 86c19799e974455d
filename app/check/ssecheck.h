#pragma once

#include "endpointcheck.h"
#include "http2probe.h"

#include <QTimer>

namespace Pushboard {

class SseProbe;

/// The check of an SSE endpoint. One main stream is held for the whole check (at least the idle
/// period) and is the reference every other probe is compared with:
///
/// - resume: once the main stream has shown an id X and two more events, a second request
///   with `Last-Event-ID: X` must bring exactly the main stream's events after X, in order,
///   none lost and none twice;
/// - an unknown id (one in the stream's own format that it never issued) must still get a
///   200 stream and no old events; a very old id (1, for numeric ids) must bring every event
///   the main stream saw, without a hole, announced or not;
/// - when the server closes the main stream, a reconnect after its `retry:` delay with the
///   last id seen must be served without resending.
///
/// The rest is read off the main stream: the head, the first byte's delay, `retry:`, comments
/// and silences, ids, types, and buffering (events whose own timestamps lie far apart arriving
/// in one socket read, or keepalives bunched together).
class SseCheck : public EndpointCheck
{
    Q_OBJECT

public:
    explicit SseCheck(const CheckOptions &options, QObject *parent = nullptr);
    ~SseCheck() override;

    void start() override;
    void stop() override;
    [[nodiscard]] bool hasAnswered() const override;

private:
    SseProbe *openProbe(const QString &lastEventId);
    void advance();
    void scheduleResume(qint64 now);
    void scheduleHistoryProbes(qint64 now);
    void scheduleReconnect(qint64 now);
    [[nodiscard]] bool oldReachedLive() const;
    [[nodiscard]] bool isDone() const;
    void conclude();

    void judgeHead();
    void judgeStream();
    /// Adds a failing item and returns true unless `probe`, sent `lastEventId`, got a 200.
    bool refused(const SseProbe &probe, const QString &lastEventId, const QString &id,
        const QString &title, const QString &why);
    void judgeResume();
    void judgeUnknown();
    void judgeOld();
    void judgeReconnect();
    void judge204();
    void judgeHttp2();

    QTimer m_tick;
    Http2Probe m_h2;
    SseProbe *m_main = nullptr;
    SseProbe *m_resume = nullptr;
    SseProbe *m_unknown = nullptr;
    SseProbe *m_old = nullptr;
    SseProbe *m_reconnect = nullptr;
    qsizetype m_mark = -1; ///< X: the main stream's event the resume starts after.
    qint64 m_markAtMs = 0;
    qsizetype m_resumeUntil = -1; ///< Y: the main stream's last event when the resume opened.
    qint64 m_resumeCaughtAtMs = -1;
    QString m_unknownId;
    qsizetype m_unknownBefore = -1; ///< The main stream's last event when that probe opened.
    QString m_oldId;
    qsizetype m_oldFrom = 0; ///< The main stream's first event the old-id probe must bring.
    qsizetype m_oldUntil = -1; ///< ... and its last.
    bool m_concluded = false;
};

} // namespace Pushboard
