#pragma once

#include "eventlog.h"
#include "eventstore.h"

#include <QPointer>
#include <QTimer>

#include <deque>
#include <memory>
#include <optional>

struct redisReply;

namespace Pushboard {

class RedisConnection;

/// Where a shared log lives: `redis://HOST:PORT[/DB]` (`serve --backplane`).
struct RedisAddress
{
    QString host;
    quint16 port = 6379;
    int db = 0;

    /// Nothing, and `error` set, for anything but `redis://HOST[:PORT][/DB]`.
    [[nodiscard]] static std::optional<RedisAddress> parse(const QString &url, QString *error);
    [[nodiscard]] QString toString() const;
};

/// The event log of several servers: one Redis stream they all append to and all read.
///
/// Keys: `pushboard:events` (a stream) and `pushboard:last-id` (the id counter). A publish is
/// one Lua script (atomic like MULTI/EXEC) that takes the next ids with INCRBY and XADDs each
/// event with the stream id `<id>-0`, so event ids stay one decimal sequence across servers and a
/// stream id *is* the event id. Each server keeps the retained stream in memory (loaded with
/// XRANGE at open(), then tailed with XREAD BLOCK on a second connection) and serves replay and
/// topics from it, so resuming on any server gives the same events. appended() is emitted by the
/// tail, for this server's events and the others' alike. Retention follows StoreOptions as in
/// SQLite; every server trims the stream (XTRIM MINID) by the same rule.
///
/// When Redis goes away, publishing fails (isWritable() false, errorString() says why) while
/// subscribers keep their connections; the log reconnects every second and the tail resumes
/// after the last id it saw, so nothing acknowledged is missed. An event is acknowledged once
/// Redis has run the script; whether it survives Redis itself crashing is Redis's `appendfsync`.
class RedisEventLog : public EventLog
{
    Q_OBJECT

public:
    using Clock = EventStore::Clock;
    static constexpr const char *StreamKey = "pushboard:events";
    static constexpr const char *CounterKey = "pushboard:last-id";

    explicit RedisEventLog(QObject *parent = nullptr);
    /// `clock` stamps events and drives age-based retention (tests pass a fake).
    explicit RedisEventLog(Clock clock, QObject *parent = nullptr);
    ~RedisEventLog() override;

    /// Connects (blocking, at most a few seconds), loads the retained stream and starts tailing
    /// it. False with errorString() when Redis cannot be reached or its keys hold something else.
    [[nodiscard]] bool open(const RedisAddress &address, const StoreOptions &options);
    void close();
    [[nodiscard]] bool isOpen() const { return m_opened; }

    [[nodiscard]] EventList after(
        quint64 afterId, const QStringList &topics = {}, qint64 limit = 0) const override;
    [[nodiscard]] quint64 newestId() const override { return m_newestId; }
    [[nodiscard]] quint64 oldestId() const override;
    [[nodiscard]] bool isWritable() const override;
    [[nodiscard]] QString errorString() const override { return m_error; }
    [[nodiscard]] QString location() const override;
    /// True while both connections to Redis are up.
    [[nodiscard]] bool isConnected() const;

    /// Asks Redis for the newest id given out and calls `then` once the tail has read up to it
    /// (at most 2 s later; at once when Redis cannot answer).
    void whenCurrent(QObject *context, std::function<void()> then) override;

    /// Runs retention now (normally every pruneIntervalMs).
    void pruneNow();

Q_SIGNALS:
    /// Redis went away (`reason`) or came back (empty reason).
    void connectionChanged(const QString &reason);

protected:
    void commit(const QList<EventDraft> &drafts, Committed committed) override;

private:
    void connectAll();
    void onConnectionClosed(const QString &reason);
    void readTail();
    /// Adds stream entries (an XRANGE or XREAD list) to the window; returns the events added.
    EventList take(const redisReply *entries);

    Clock m_clock;
    RedisAddress m_address;
    StoreOptions m_options;
    std::unique_ptr<RedisConnection> m_commands; ///< Publishing and trimming.
    std::unique_ptr<RedisConnection> m_tail; ///< XREAD BLOCK only: it holds the connection.
    std::deque<Event> m_window; ///< The retained stream, oldest first.
    QByteArray m_cursor = "0-0"; ///< The last stream id read.
    quint64 m_newestId = 0;
    bool m_opened = false;
    bool m_tailReading = false;
    QString m_error;
    struct Waiter
    {
        quint64 id = 0; ///< Called once newestId() reaches this...
        qint64 deadline = 0; ///< ...or at this time (ms since the epoch, m_clock).
        QPointer<QObject> context;
        std::function<void()> then;
    };
    QList<Waiter> m_waiters; ///< whenCurrent() calls waiting for the tail.
    QTimer m_waiterTimer;
    void releaseWaiters(bool all = false);
    QTimer m_reconnectTimer;
    QTimer m_pruneTimer;
};

} // namespace Pushboard
