#include "eventstore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>

#include <algorithm>
#include <atomic>

Q_LOGGING_CATEGORY(lcStore, "pushboard.store", QtInfoMsg)

namespace Pushboard {

namespace {

constexpr int SchemaVersion = 1;

QString uniqueConnectionName()
{
    static std::atomic<int> counter {0};
    return QStringLiteral("pushboard-store-%1").arg(++counter);
}

} // namespace

EventStore::EventStore(QObject *parent)
    : EventStore(&QDateTime::currentMSecsSinceEpoch, parent)
{ }

EventStore::EventStore(Clock clock, QObject *parent)
    : EventLog(parent)
    , m_clock(std::move(clock))
{
    // One bounded step per timeout; while there is a backlog the next step comes at the next
    // turn of the event loop, so streaming continues between steps.
    connect(&m_pruneTimer, &QTimer::timeout, this,
        [this] { m_pruneTimer.setInterval(pruneStep() ? 0 : m_options.pruneIntervalMs); });
}

EventStore::~EventStore()
{
    close();
}

QString EventStore::databasePath() const
{
    return QDir(m_options.dataDir).filePath(QStringLiteral("events.db"));
}

QString EventStore::location() const
{
    return QStringLiteral("SQLite %1").arg(databasePath());
}

bool EventStore::fail(const QString &message)
{
    m_error = message;
    return false;
}

bool EventStore::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (query.exec(sql))
        return true;
    m_error = query.lastError().text();
    return false;
}

bool EventStore::open(const StoreOptions &options)
{
    close();
    m_options = options;
    m_error.clear();
    m_lockedByOther = false;

    const QString dir = QDir::cleanPath(options.dataDir);
    if (dir.isEmpty())
        return fail(QStringLiteral("no data directory given"));
    if (QFileInfo(dir).exists() && !QFileInfo(dir).isDir())
        return fail(QStringLiteral("data directory %1 is not a directory").arg(dir));
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create data directory %1").arg(dir));

    auto lock = std::make_unique<QLockFile>(QDir(dir).filePath(QStringLiteral("pushboard.lock")));
    lock->setStaleLockTime(0); // Never time out a live owner; a dead owner's pid is detected.
    if (!lock->tryLock(0)) {
        if (lock->error() == QLockFile::LockFailedError) {
            qint64 pid = 0;
            QString host, app;
            lock->getLockInfo(&pid, &host, &app);
            m_lockedByOther = true;
            return fail(QStringLiteral("data directory %1 is in use by another pushboard (pid %2); "
                                       "stop it or choose another --data-dir")
                            .arg(dir)
                            .arg(pid));
        }
        return fail(QStringLiteral("cannot write the lock file in data directory %1").arg(dir));
    }

    m_connectionName = uniqueConnectionName();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(databasePath());
    const auto unusable = [this](const QString &reason) {
        const QString message = QStringLiteral("the event log %1 cannot be used (%2); it was left "
                                               "untouched: move it away to start a new log")
                                    .arg(databasePath(), reason);
        close();
        return fail(message);
    };
    if (!m_db.open())
        return unusable(m_db.lastError().text());

    // The first statements read the file header: a corrupt or foreign file fails here, before
    // anything is written.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"))
        || !exec(QStringLiteral("PRAGMA synchronous=NORMAL")))
        return unusable(m_error);
    if (!m_db.transaction())
        return unusable(m_db.lastError().text());
    if (!exec(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"))
        || !exec(QStringLiteral("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                                "topic TEXT NOT NULL, time INTEGER NOT NULL, data BLOB NOT NULL)"))
        || !exec(QStringLiteral("INSERT OR IGNORE INTO meta VALUES ('schema_version', %1)")
                     .arg(SchemaVersion))
        || !exec(QStringLiteral("INSERT OR IGNORE INTO meta VALUES ('last_id', 0)"))) {
        const QString reason = m_error;
        m_db.rollback();
        return unusable(reason);
    }
    if (!m_db.commit())
        return unusable(m_db.lastError().text());

    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'"))
        || !query.next())
        return unusable(query.lastError().text());
    if (query.value(0).toInt() > SchemaVersion)
        return unusable(QStringLiteral("it was written by a newer pushboard, schema %1")
                            .arg(query.value(0).toInt()));
    if (!query.exec(QStringLiteral("SELECT max((SELECT value FROM meta WHERE key = 'last_id'), "
                                   "coalesce((SELECT max(id) FROM events), 0))"))
        || !query.next())
        return unusable(query.lastError().text());
    m_newestId = query.value(0).toULongLong();
    refreshOldestId();
    if (!loadTopics())
        return unusable(m_error);

    m_insert = std::make_unique<QSqlQuery>(m_db);
    if (!m_insert->prepare(
            QStringLiteral("INSERT INTO events (id, topic, time, data) VALUES (?, ?, ?, ?)")))
        return unusable(m_insert->lastError().text());

    m_lock = std::move(lock);
    m_pruneTimer.start(m_options.pruneIntervalMs);
    qCDebug(lcStore) << "opened" << databasePath() << "newest id" << m_newestId << "oldest id"
                     << m_oldestId;
    return true;
}

void EventStore::close()
{
    m_pruneTimer.stop();
    m_insert.reset();
    clearTopics();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_lock.reset();
}

EventList EventStore::append(const QList<EventDraft> &drafts)
{
    EventList stored;
    if (drafts.isEmpty() || !isOpen())
        return stored;
    stored.reserve(drafts.size());
    const qint64 now = m_clock();
    quint64 id = m_newestId;

    if (!m_db.transaction()) {
        m_error = m_db.lastError().text();
        qCWarning(lcStore) << "append failed:" << m_error;
        return {};
    }
    for (const EventDraft &draft : drafts) {
        Event event {++id, draft.topic, draft.timeMs > 0 ? draft.timeMs : now, draft.data};
        m_insert->bindValue(0, event.id);
        m_insert->bindValue(1, event.topic);
        m_insert->bindValue(2, event.timeMs);
        m_insert->bindValue(3, event.data);
        if (!m_insert->exec()) {
            m_error = m_insert->lastError().text();
            m_db.rollback();
            qCWarning(lcStore) << "append failed:" << m_error;
            return {};
        }
        stored.append(std::move(event));
    }
    QSqlQuery bump(m_db);
    bump.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'last_id'"));
    bump.addBindValue(id);
    if (!bump.exec() || !m_db.commit()) {
        m_error = bump.lastError().isValid() ? bump.lastError().text() : m_db.lastError().text();
        m_db.rollback();
        qCWarning(lcStore) << "append failed:" << m_error;
        return {};
    }

    m_newestId = id;
    if (m_oldestId == 0)
        m_oldestId = stored.constFirst().id;
    countStored(stored);
    Q_EMIT appended(stored);
    return stored;
}

void EventStore::commit(const QList<EventDraft> &drafts, Committed committed)
{
    if (!isOpen()) {
        committed({}, QStringLiteral("the event log is closed"));
        return;
    }
    const EventList stored = append(drafts);
    committed(stored, stored.isEmpty() ? m_error : QString());
}

EventList EventStore::after(quint64 afterId, const QStringList &topics, qint64 limit) const
{
    EventList events;
    if (!isOpen() || afterId >= m_newestId)
        return events;

    QString sql = QStringLiteral("SELECT id, topic, time, data FROM events WHERE id > ?");
    if (!topics.isEmpty()) {
        sql += QStringLiteral(" AND topic IN (?");
        sql += QStringLiteral(", ?").repeated(topics.size() - 1);
        sql += QLatin1Char(')');
    }
    sql += QStringLiteral(" ORDER BY id");
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);

    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(sql);
    query.addBindValue(afterId);
    for (const QString &topic : topics)
        query.addBindValue(topic);
    if (!query.exec()) {
        qCWarning(lcStore) << "query failed:" << query.lastError().text();
        return events;
    }
    while (query.next()) {
        events.append(Event {query.value(0).toULongLong(), query.value(1).toString(),
            query.value(2).toLongLong(), query.value(3).toByteArray()});
    }
    return events;
}

void EventStore::refreshOldestId()
{
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("SELECT coalesce(min(id), 0) FROM events")) && query.next())
        m_oldestId = query.value(0).toULongLong();
}

bool EventStore::pruneStep()
{
    if (!isOpen() || m_oldestId == 0)
        return false;
    const qint64 newest = qint64(m_newestId);
    const qint64 oldest = qint64(m_oldestId);
    const qint64 countCut = newest - m_options.keepCount; // Ids at or below are outside the count.
    const qint64 capCut = newest - m_options.maxCount; // Ids at or below go whatever their age.
    const qint64 upper = qMin(countCut, oldest + m_options.pruneChunk - 1);
    if (countCut < oldest)
        return false;

    const QString condition = QStringLiteral("id BETWEEN ? AND ? AND (time <= ? OR id <= ?)");
    const qint64 ageCut = m_clock() - m_options.keepAgeMs;
    const auto bind = [&](QSqlQuery &query) {
        query.addBindValue(oldest);
        query.addBindValue(upper);
        query.addBindValue(ageCut);
        query.addBindValue(capCut);
    };
    // Count what goes per topic, then delete it, in one transaction: topics() stays exact.
    if (!m_db.transaction())
        return false;
    QSqlQuery counts(m_db);
    counts.prepare(QStringLiteral("SELECT topic, count(*) FROM events WHERE %1 GROUP BY topic")
                       .arg(condition));
    bind(counts);
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM events WHERE %1").arg(condition));
    bind(query);
    QHash<QString, qint64> removedByTopic;
    bool ok = counts.exec();
    while (ok && counts.next())
        removedByTopic.insert(counts.value(0).toString(), counts.value(1).toLongLong());
    ok = ok && query.exec() && m_db.commit();
    if (!ok) {
        qCWarning(lcStore) << "pruning failed:" << query.lastError().text()
                           << counts.lastError().text();
        m_db.rollback();
        return false;
    }
    countPruned(removedByTopic);
    const qint64 removed = query.numRowsAffected();
    refreshOldestId();
    if (removed > 0)
        qCDebug(lcStore) << "pruned" << removed << "events; oldest id now" << m_oldestId;
    // Rows are appended in time order, so a chunk that was not deleted whole means the rest is
    // young enough to keep.
    const bool chunkGone = m_oldestId == 0 || qint64(m_oldestId) > upper;
    return chunkGone && m_oldestId != 0 && upper < countCut;
}

bool EventStore::loadTopics()
{
    QHash<QString, TopicInfo> topics;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(
            QStringLiteral("SELECT e.id, e.topic, e.time, e.data, t.n FROM events e JOIN "
                           "(SELECT max(id) AS id, count(*) AS n FROM events GROUP BY topic) t "
                           "ON e.id = t.id"))) {
        m_error = query.lastError().text();
        return false;
    }
    while (query.next()) {
        const Event newest {query.value(0).toULongLong(), query.value(1).toString(),
            query.value(2).toLongLong(), query.value(3).toByteArray()};
        topics.insert(newest.topic, TopicInfo {newest.topic, query.value(4).toLongLong(), newest});
    }
    setTopics(std::move(topics));
    return true;
}

void EventStore::pruneNow()
{
    while (pruneStep()) { }
}

} // namespace Pushboard
