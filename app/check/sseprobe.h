#pragma once

#include "probeconnection.h"
#include "protocol/ssefielddecoder.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <optional>

namespace Pushboard {

/// One SSE request of a check, recorded: its answer's head and timings, every event (id, type,
/// a hash of its data, when and in which socket read it arrived, the time the event itself
/// carries), comment lines, `retry:` and silences. Bounded: past MaxRecorded events only the
/// counters go on.
class SseProbe : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype MaxRecorded = 200 * 1000;
    static constexpr qsizetype EvidenceEvents = 16;

    struct Event
    {
        QString id; ///< The last event ID after this event (its own when `ownId`).
        bool ownId = false;
        QString type;
        size_t dataHash = 0;
        /// The first 60 characters of the data, for evidence; only for the first
        /// EvidenceEvents events (the evidence quotes what a probe got first).
        QString dataStart;
        qint64 atMs = 0;
        qint64 read = 0; ///< Events of one socket read share this number.
        std::optional<qint64> ownTimeMs; ///< A timestamp in the data ("time", "timestamp", "ts").
    };

    SseProbe(const QElapsedTimer &clock, QObject *parent = nullptr);

    /// GET `request.url` as an EventSource would; `lastEventId` non-empty resumes.
    void open(ProbeConnection::Request request, const QString &lastEventId);
    void close();

    [[nodiscard]] const ProbeConnection &connection() const { return m_connection; }
    [[nodiscard]] bool isStreaming() const; ///< 200 with a body under way.
    [[nodiscard]] bool hasEnded() const { return m_endedAtMs >= 0; }
    [[nodiscard]] qint64 endedAtMs() const { return m_endedAtMs; }
    [[nodiscard]] QString endError() const { return m_endError; }
    [[nodiscard]] bool endedClean() const { return m_endClean; }
    [[nodiscard]] bool closedByUs() const { return m_closedByUs; }
    [[nodiscard]] const QList<Event> &events() const { return m_events; }
    [[nodiscard]] qint64 eventCount() const { return m_eventCount; }
    /// Index in events() of the first event whose own id is `id`, or -1.
    [[nodiscard]] qsizetype indexOf(const QString &id) const { return m_index.value(id, -1); }
    /// The latest own id recorded, its index (-1: none).
    [[nodiscard]] qsizetype lastOwnIndex() const { return m_lastOwn; }
    [[nodiscard]] const QList<qint64> &commentTimes() const { return m_comments; }
    /// Socket reads that brought two or more comment-only blocks.
    [[nodiscard]] int bunchedCommentReads() const { return m_bunchedComments; }
    [[nodiscard]] std::optional<qint64> retry() const { return m_retry; }
    [[nodiscard]] QString lastEventId() const { return m_lastEventId; }
    /// When the last byte arrived (the head's time before the first body byte; -1 before).
    [[nodiscard]] qint64 lastByteAtMs() const { return m_lastByteMs; }
    /// The longest time without a byte, from the head to the last byte (or now, while open).
    [[nodiscard]] qint64 longestSilenceMs(qint64 nowMs) const;
    /// Ids that came twice with different data (evidence), and how many did.
    [[nodiscard]] QStringList conflictingIds() const { return m_conflicts; }
    [[nodiscard]] QString decodeError() const { return m_decoder.errorString(); }

Q_SIGNALS:
    void headReceived();
    void eventReceived();
    void ended();

private:
    void onBody(const QByteArray &bytes, qint64 atMs, qint64 read);
    void onFinished(const QString &error, bool clean);

    const QElapsedTimer &m_clock;
    ProbeConnection m_connection;
    SseFieldDecoder m_decoder;
    QList<Event> m_events;
    QHash<QString, qsizetype> m_index;
    qsizetype m_lastOwn = -1;
    qint64 m_eventCount = 0;
    QList<qint64> m_comments;
    int m_bunchedComments = 0;
    std::optional<qint64> m_retry;
    QString m_lastEventId;
    QStringList m_conflicts;
    qint64 m_lastByteMs = -1;
    qint64 m_longestSilenceMs = 0;
    qint64 m_endedAtMs = -1;
    QString m_endError;
    bool m_endClean = false;
    bool m_closedByUs = false;
};

/// The time an event's data says it happened, in ms since the epoch: a JSON object's "time",
/// "timestamp" or "ts" (ms or s since the epoch, or an ISO 8601 string); nothing otherwise.
[[nodiscard]] std::optional<qint64> eventOwnTimeMs(const QString &data);

} // namespace Pushboard
