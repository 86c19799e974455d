#pragma once

#include "eventlog.h"

#include <QHash>
#include <QLockFile>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace Pushboard {

/// Where the event log lives and how much of it is kept.
///
/// Retention: an event is pruned only when it is outside *both* the newest `keepCount` events and
/// the last `keepAgeMs` (an event exactly `keepAgeMs` old is outside); `maxCount` bounds the log
/// whatever the age (a publish storm must not fill the disk). The defaults keep at least 10,000
/// events and at least an hour (docs/protocol.md).
struct StoreOptions
{
    QString dataDir;
    qint64 keepCount = 10000;
    qint64 keepAgeMs = 60 * 60 * 1000;
    qint64 maxCount = 1000000;
    int pruneIntervalMs = 10 * 1000;
    int pruneChunk = 5000; ///< Rows deleted per step, so pruning never stalls the event loop.
};

/// The event log: an SQLite database (WAL mode) in the data directory, the one source of event ids.
///
/// Ids start at 1, grow by exactly 1 per event, are never reused (the last id given out is kept in
/// the database even when retention has pruned every event) and continue after a restart. One
/// process at a time owns a data directory, guarded by a lock file. A database that cannot be read
/// or written makes open() fail with a reason; the store never deletes or recreates a file it
/// cannot read.
class EventStore : public EventLog
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>; ///< Milliseconds since the Unix epoch.

    explicit EventStore(QObject *parent = nullptr);
    /// `clock` stamps events without a time and drives age-based retention (tests pass a fake).
    explicit EventStore(Clock clock, QObject *parent = nullptr);
    ~EventStore() override;

    /// Takes the data directory's lock and opens (or creates) the database. On failure returns
    /// false and errorString() says why; nothing on disk was changed.
    [[nodiscard]] bool open(const StoreOptions &options);
    /// Flushes and releases the database and the lock. Called by the destructor too.
    void close();
    [[nodiscard]] bool isOpen() const { return m_db.isOpen(); }
    [[nodiscard]] QString errorString() const override { return m_error; }
    [[nodiscard]] bool isWritable() const override { return isOpen(); }
    [[nodiscard]] QString location() const override;
    /// True when the last open() failed because another live process holds the directory.
    [[nodiscard]] bool isLockedByOther() const { return m_lockedByOther; }
    [[nodiscard]] QString databasePath() const;

    /// Stores `drafts` in one transaction now (no group commit) and returns them with their ids and
    /// times, then emits appended(). Servers use publish(); tests and tools that own their store
    /// call this directly. Topics must be valid (isValidTopic()). On a database error nothing is
    /// stored, no id is used up, and the result is empty with errorString() set.
    EventList append(const QList<EventDraft> &drafts);

    /// Retained events with an id greater than `afterId`, oldest first; only the given topics
    /// when `topics` is not empty; at most `limit` events when `limit` > 0.
    [[nodiscard]] EventList after(
        quint64 afterId, const QStringList &topics = {}, qint64 limit = 0) const override;

    /// The newest id ever given out (0 before the first event).
    [[nodiscard]] quint64 newestId() const override { return m_newestId; }
    /// The oldest id still retained (0 when the log is empty).
    [[nodiscard]] quint64 oldestId() const override { return m_oldestId; }

    /// Runs retention to completion now (normally it runs in small steps on a timer).
    void pruneNow();

protected:
    void commit(const QList<EventDraft> &drafts, Committed committed) override;

private:
    bool fail(const QString &message);
    bool exec(const QString &sql);
    /// One bounded retention step; returns true when there is more to delete.
    bool pruneStep();
    void refreshOldestId();
    bool loadTopics();

    Clock m_clock;
    StoreOptions m_options;
    std::unique_ptr<QLockFile> m_lock;
    QSqlDatabase m_db;
    std::unique_ptr<QSqlQuery> m_insert; ///< Prepared once, reused by every append.
    QString m_connectionName;
    QString m_error;
    bool m_lockedByOther = false;
    quint64 m_newestId = 0;
    quint64 m_oldestId = 0;
    QTimer m_pruneTimer;
};

} // namespace Pushboard
