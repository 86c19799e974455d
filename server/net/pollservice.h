#pragma once

#include "connectioninfo.h"
#include "event.h"
#include "httpreply.h"
#include "protocol/httprequestparser.h"

#include <QList>
#include <QObject>

#include <memory>

namespace Pushboard {

class EventLog;
class FaultState;

/// Serves `GET /api/events` (docs/protocol.md): short polling (`after`, `topics`, `limit`) answered
/// at once, and long polling (`wait=S`, at most 60) that parks the request until an event for it is
/// appended or the wait ends (then an empty list).
///
/// Answer: `{"events":[...],"next":"<id>"}` where `next` is the `after` of the next poll. Without
/// `after` a poll starts at the log's newest id (like an SSE stream without Last-Event-ID). As
/// on the SSE stream, a resume point that retention already pruned adds
/// `"gap":{"from":"<id>","to":"<id>"}`, and one newer than the log adds `"reset":true`.
class PollService : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultLimit = 100;
    static constexpr int MaxLimit = 1000;
    static constexpr int MaxWaitS = 60;

    /// Live events come from `faults`; answers wait for its latency and stalls too.
    PollService(EventLog *store, FaultState *faults, QObject *parent = nullptr);
    /// The log to read and publish to; ServerHost sets it when it opens one (the same log for
    /// every part of one server).
    void setEventLog(EventLog *log) { m_store = log; }
    ~PollService() override;

    void handle(const HttpRequest &request, HttpReply &&reply) { serve(request, std::move(reply)); }

    /// Parked long polls.
    [[nodiscard]] QList<ConnectionInfo> connections() const;
    [[nodiscard]] int waiterCount() const { return int(m_waiters.size()); }
    [[nodiscard]] const TransportStats &pollStats() const { return m_pollStats; }
    [[nodiscard]] const TransportStats &longPollStats() const { return m_longPollStats; }

    /// Answers every parked long poll now, with what it has (shutdown).
    void releaseAll();
    /// Drops every parked long poll's connection at once; returns how many.
    int dropAll();

private:
    /// `current`: see SsePublisher::serve().
    void serve(const HttpRequest &request, HttpReply &&reply, bool current = false);
    struct Waiter;
    struct Query
    {
        quint64 after = 0;
        /// Every event up to this id has been looked at for this poll (the store's newest when
        /// it was queried, then each live batch a parked poll saw): where a complete answer's
        /// `next` may point. Never the store's newest at answer time, which under injected
        /// latency holds events the answer never saw.
        quint64 seen = 0;
        QStringList topics;
        int limit = DefaultLimit;
        bool reset = false;
        QByteArray gap; ///< JSON object text, or empty.
    };

    void onAppended(const EventList &events);
    void answer(HttpReply &reply, const Query &query, const EventList &events, bool complete,
        TransportStats &stats);
    void release(Waiter *waiter, const EventList &events, bool complete);

    EventLog *m_store;
    FaultState *m_faults;
    std::vector<std::unique_ptr<Waiter>> m_waiters;
    TransportStats m_pollStats;
    TransportStats m_longPollStats;
};

} // namespace Pushboard
