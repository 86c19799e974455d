#pragma once

#include "event.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace Pushboard {

/// A topic of the log: how many of its events are retained, and its newest one.
struct TopicInfo
{
    QString topic;
    qint64 count = 0;
    Event newest;
};

/// The event log every transport reads and every publisher writes: the one source of event ids.
///
/// Two implementations keep one meaning: EventStore (SQLite in the data directory, the default)
/// and RedisEventLog (a Redis stream shared by several servers). Ids start at 1, grow by exactly 1
/// per event, are never reused and continue after a restart; retention follows StoreOptions.
///
/// Writes are group-committed: publish() queues its drafts, and every draft queued during one
/// turn of the event loop is stored in a single transaction at the start of the next, so ten
/// concurrent publishers cost one commit, not ten. Each publish() learns its own ids (in order)
/// when that transaction has committed; an event is acknowledged only then. Reads (after(),
/// topics(), ...) are synchronous and see every event whose appended() has been emitted.
class EventLog : public QObject
{
    Q_OBJECT

public:
    /// Called once per publish(): the stored events in order, or nothing and why.
    using Done = std::function<void(const EventList &stored, const QString &error)>;

    explicit EventLog(QObject *parent = nullptr);
    ~EventLog() override;

    /// Queues `drafts` (valid topics, see isValidTopic()) for the next group commit; `done` is
    /// called later, never from inside publish(). All drafts of one call get consecutive ids.
    void publish(const QList<EventDraft> &drafts, Done done = {});

    /// Retained events with an id greater than `afterId`, oldest first; only the given topics
    /// when `topics` is not empty; at most `limit` events when `limit` > 0.
    [[nodiscard]] virtual EventList after(
        quint64 afterId, const QStringList &topics = {}, qint64 limit = 0) const = 0;
    /// The newest id this server has seen (0 before the first event).
    [[nodiscard]] virtual quint64 newestId() const = 0;
    /// The oldest id still retained (0 when the log is empty).
    [[nodiscard]] virtual quint64 oldestId() const = 0;
    /// False while writes cannot succeed (the database or Redis is gone); errorString() says why.
    [[nodiscard]] virtual bool isWritable() const = 0;
    [[nodiscard]] virtual QString errorString() const = 0;
    /// Where the log lives, for messages and /metrics: "SQLite /path/events.db", "Redis ...".
    [[nodiscard]] virtual QString location() const = 0;

    /// Number of retained events (kept in memory: no query).
    [[nodiscard]] qint64 count() const;
    /// Every topic with retained events, by name (kept in memory: no query).
    [[nodiscard]] QList<TopicInfo> topics() const;
    /// The newest retained event of every topic, in id order (kept in memory: no query).
    [[nodiscard]] EventList snapshot() const;
    /// Calls `then` (unless `context` is gone) once this server has read every event stored
    /// anywhere until now. A log only this server writes is always current: at once. A shared
    /// log may be a moment behind the others, so a resume point above newestId() means "from the
    /// future" (a wiped log: `reset`) only after this has answered.
    virtual void whenCurrent(QObject *context, std::function<void()> then);
    /// Drafts queued for the next group commit.
    [[nodiscard]] qsizetype queuedDrafts() const { return m_queued.size(); }

Q_SIGNALS:
    /// Emitted once per stored batch with its events in id order; for a shared log, also for
    /// events other servers stored.
    void appended(const Pushboard::EventList &events);

protected:
    using Committed = std::function<void(const EventList &stored, const QString &error)>;
    /// Stores `drafts` in one transaction, all or nothing, and calls `committed` exactly once
    /// (now or later) with the stored events in order, or nothing and why.
    virtual void commit(const QList<EventDraft> &drafts, Committed committed) = 0;

    /// Topic bookkeeping for count(), topics() and snapshot(): call with every stored event, and
    /// with the number of each topic's events retention removed.
    void countStored(const EventList &events);
    void countPruned(const QHash<QString, qint64> &removedByTopic);
    void clearTopics() { m_topics.clear(); }
    void setTopics(QHash<QString, TopicInfo> topics) { m_topics = std::move(topics); }

private:
    void commitQueued();

    struct Waiting
    {
        qsizetype count = 0;
        Done done;
    };
    QList<EventDraft> m_queued;
    QList<Waiting> m_waiting;
    QTimer m_groupTimer;
    QHash<QString, TopicInfo> m_topics;
};

} // namespace Pushboard
