#include "rediseventlog.h"

#include "redisconnection.h"
#include "redisstream.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QUrl>

#include <algorithm>
#include <hiredis/hiredis.h>

Q_LOGGING_CATEGORY(lcRedis, "pushboard.store.redis", QtInfoMsg)

namespace Pushboard {

namespace {

/// Takes `n` ids at once and appends the events with them, atomically. ARGV: the newest id this
/// server knows (the counter never goes below it, even if Redis lost its data), then topic, time
/// and data of each event. Returns the first id.
constexpr const char *AppendScript = R"lua(
local floor = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < floor then
  redis.call('SET', KEYS[1], floor)
end
local n = (#ARGV - 1) / 3
local first = redis.call('INCRBY', KEYS[1], n) - n + 1
for i = 0, n - 1 do
  redis.call('XADD', KEYS[2], string.format('%d-0', first + i),
    'topic', ARGV[2 + 3 * i], 'time', ARGV[3 + 3 * i], 'data', ARGV[4 + 3 * i])
end
return first
)lua";

constexpr int PageSize = 1000; ///< Stream entries per XRANGE or XREAD.
constexpr int TailBlockMs = 10000;
constexpr int ReconnectMs = 1000;

QByteArray text(const redisReply *reply)
{
    return QByteArray(reply->str, qsizetype(reply->len));
}

struct ReplyFree
{
    void operator()(redisReply *reply) const { freeReplyObject(reply); }
};
using OwnedReply = std::unique_ptr<redisReply, ReplyFree>;

} // namespace

std::optional<RedisAddress> RedisAddress::parse(const QString &url, QString *error)
{
    const QUrl parsed(url, QUrl::StrictMode);
    RedisAddress address;
    const QString path = parsed.path();
    bool dbOk = true;
    if (path.size() > 1)
        address.db = path.mid(1).toInt(&dbOk);
    if (!parsed.isValid() || parsed.scheme() != QLatin1String("redis") || parsed.host().isEmpty()
        || !parsed.userInfo().isEmpty() || parsed.hasQuery() || parsed.hasFragment() || !dbOk
        || address.db < 0 || (path.size() == 1) || (!path.isEmpty() && !path.startsWith(u'/'))) {
        *error = QStringLiteral("bad Redis address '%1': expected redis://HOST[:PORT][/DB]")
                     .arg(url.left(100));
        return std::nullopt;
    }
    address.host = parsed.host();
    address.port = quint16(parsed.port(6379));
    return address;
}

QString RedisAddress::toString() const
{
    const bool ipv6 = host.contains(u':');
    return QStringLiteral("redis://%1:%2/%3")
        .arg(ipv6 ? u'[' + host + u']' : host)
        .arg(port)
        .arg(db);
}

RedisEventLog::RedisEventLog(QObject *parent)
    : RedisEventLog(&QDateTime::currentMSecsSinceEpoch, parent)
{ }

RedisEventLog::RedisEventLog(Clock clock, QObject *parent)
    : EventLog(parent)
    , m_clock(std::move(clock))
    , m_commands(std::make_unique<RedisConnection>())
    , m_tail(std::make_unique<RedisConnection>())
{
    for (RedisConnection *connection : {m_commands.get(), m_tail.get()}) {
        connect(connection, &RedisConnection::closed, this, &RedisEventLog::onConnectionClosed);
        connect(connection, &RedisConnection::opened, this, [this, connection] {
            if (m_address.db != 0)
                connection->command({"SELECT", QByteArray::number(m_address.db)}, {});
            if (connection == m_tail.get())
                readTail();
            if (isConnected()) {
                qCInfo(lcRedis).noquote() << "connected to" << m_address.toString();
                m_reconnectTimer.stop();
                m_error.clear();
                Q_EMIT connectionChanged({});
            }
        });
    }
    m_reconnectTimer.setInterval(ReconnectMs);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisEventLog::connectAll);
    connect(&m_pruneTimer, &QTimer::timeout, this, &RedisEventLog::pruneNow);
    m_waiterTimer.setInterval(100);
    connect(&m_waiterTimer, &QTimer::timeout, this, [this] { releaseWaiters(); });
}

void RedisEventLog::whenCurrent(QObject *context, std::function<void()> then)
{
    const QPointer<QObject> guard(context);
    const bool asked = m_opened
        && m_commands->command(
            {"GET", CounterKey}, [this, guard, then](const redisReply *reply, const QString &) {
                bool ok = false;
                const quint64 counter
                    = reply && reply->type == REDIS_REPLY_STRING ? text(reply).toULongLong(&ok) : 0;
                if (!ok || counter <= m_newestId) {
                    if (guard)
                        then();
                    return;
                }
                m_waiters.append(Waiter {counter, m_clock() + 2000, guard, then});
                if (!m_waiterTimer.isActive())
                    m_waiterTimer.start();
            });
    if (!asked && guard)
        then();
}

void RedisEventLog::releaseWaiters(bool all)
{
    const qint64 now = m_clock();
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &waiter : waiters) {
        if (all || waiter.id <= m_newestId || now >= waiter.deadline) {
            if (waiter.context)
                waiter.then();
        } else {
            m_waiters.append(waiter);
        }
    }
    if (m_waiters.isEmpty())
        m_waiterTimer.stop();
}

RedisEventLog::~RedisEventLog()
{
    close();
}

QString RedisEventLog::location() const
{
    return QStringLiteral("Redis %1").arg(m_address.toString());
}

bool RedisEventLog::isConnected() const
{
    return m_commands->isOpen() && m_tail->isOpen();
}

bool RedisEventLog::isWritable() const
{
    return m_opened && m_commands->isOpen();
}

quint64 RedisEventLog::oldestId() const
{
    return m_window.empty() ? 0 : m_window.front().id;
}

bool RedisEventLog::open(const RedisAddress &address, const StoreOptions &options)
{
    close();
    m_address = address;
    m_options = options;
    const auto fail = [this](const QString &reason) {
        m_error = QStringLiteral("cannot use Redis at %1: %2").arg(m_address.toString(), reason);
        m_window.clear();
        clearTopics();
        return false;
    };

    // A blocking connection, only to load what is retained before serving anything.
    const timeval timeout {3, 0};
    std::unique_ptr<redisContext, void (*)(redisContext *)> context(
        redisConnectWithTimeout(address.host.toUtf8().constData(), address.port, timeout),
        &redisFree);
    if (!context)
        return fail(QStringLiteral("out of memory"));
    if (context->err)
        return fail(QString::fromLocal8Bit(context->errstr));
    redisSetTimeout(context.get(), timeout);
    RedisStream::bound(context->reader);
    const auto run = [&context](const QByteArrayList &args, QString *error) {
        std::vector<const char *> argv;
        std::vector<size_t> lengths;
        for (const QByteArray &arg : args) {
            argv.push_back(arg.constData());
            lengths.push_back(size_t(arg.size()));
        }
        OwnedReply reply(static_cast<redisReply *>(
            redisCommandArgv(context.get(), int(argv.size()), argv.data(), lengths.data())));
        if (!reply)
            *error = RedisStream::errorText(context->err, context->errstr);
        else if (reply->type == REDIS_REPLY_ERROR)
            *error = QString::fromUtf8(text(reply.get()));
        return reply && reply->type != REDIS_REPLY_ERROR ? std::move(reply) : OwnedReply();
    };
    QString error;
    if (address.db != 0 && !run({"SELECT", QByteArray::number(address.db)}, &error))
        return fail(error);
    const OwnedReply type = run({"TYPE", StreamKey}, &error);
    if (!type)
        return fail(error);
    if (text(type.get()) != "stream" && text(type.get()) != "none")
        return fail(QStringLiteral("the key %1 holds a %2, not a stream")
                        .arg(QLatin1String(StreamKey), QString::fromUtf8(text(type.get()))));
    const OwnedReply counter = run({"GET", CounterKey}, &error);
    if (!counter)
        return fail(error);
    bool counterOk = true;
    const quint64 lastId
        = counter->type == REDIS_REPLY_STRING ? text(counter.get()).toULongLong(&counterOk) : 0;
    if (!counterOk)
        return fail(
            QStringLiteral("the key %1 does not hold an id").arg(QLatin1String(CounterKey)));

    QByteArray start = "-";
    for (;;) {
        const OwnedReply page
            = run({"XRANGE", StreamKey, start, "+", "COUNT", QByteArray::number(PageSize)}, &error);
        if (!page)
            return fail(error);
        take(page.get());
        if (page->elements < size_t(PageSize))
            break;
        start = '(' + m_cursor;
    }
    m_newestId = qMax(m_newestId, lastId);
    m_opened = true;
    m_error.clear();
    qCInfo(lcRedis).noquote() << "loaded" << m_window.size() << "events from"
                              << m_address.toString() << "newest id" << m_newestId;
    connectAll();
    m_pruneTimer.start(m_options.pruneIntervalMs);
    return true;
}

void RedisEventLog::close()
{
    m_opened = false;
    m_waiters.clear(); // Nobody is answered once the log is closed.
    m_waiterTimer.stop();
    m_pruneTimer.stop();
    m_reconnectTimer.stop();
    m_commands->close();
    m_tail->close();
    m_tailReading = false;
    m_window.clear();
    m_cursor = "0-0";
    m_newestId = 0;
    clearTopics();
}

void RedisEventLog::connectAll()
{
    for (RedisConnection *connection : {m_commands.get(), m_tail.get()}) {
        if (!connection->isOpen() && !connection->isConnecting())
            connection->open(m_address.host, m_address.port);
    }
}

void RedisEventLog::onConnectionClosed(const QString &reason)
{
    if (!m_opened)
        return;
    m_tailReading = m_tailReading && m_tail->isOpen();
    const bool wasUp = m_error.isEmpty();
    m_error = QStringLiteral("Redis at %1 is unreachable: %2").arg(m_address.toString(), reason);
    if (wasUp) {
        qCWarning(lcRedis).noquote() << m_error << "- retrying every second";
        Q_EMIT connectionChanged(m_error);
    }
    if (!m_reconnectTimer.isActive())
        m_reconnectTimer.start();
}

void RedisEventLog::commit(const QList<EventDraft> &drafts, Committed committed)
{
    if (!isWritable()) {
        committed({}, m_error.isEmpty() ? QStringLiteral("the event log is closed") : m_error);
        return;
    }
    const qint64 now = m_clock();
    QByteArrayList args {
        "EVAL", AppendScript, "2", CounterKey, StreamKey, QByteArray::number(m_newestId)};
    EventList events;
    events.reserve(drafts.size());
    for (const EventDraft &draft : drafts) {
        const qint64 time = draft.timeMs > 0 ? draft.timeMs : now;
        args << draft.topic.toUtf8() << QByteArray::number(time) << draft.data;
        events.append(Event {0, draft.topic, time, draft.data});
    }
    const bool sent = m_commands->command(args,
        [events = std::move(events), committed](
            const redisReply *reply, const QString &error) mutable {
            if (!reply) {
                committed({}, error);
                return;
            }
            if (reply->type != REDIS_REPLY_INTEGER || reply->integer < 1) {
                const QString why = reply->type == REDIS_REPLY_ERROR
                    ? QString::fromUtf8(text(reply))
                    : QStringLiteral("unexpected answer from Redis");
                qCWarning(lcRedis).noquote() << "publish failed:" << why;
                committed({}, why);
                return;
            }
            quint64 id = quint64(reply->integer);
            for (Event &event : events)
                event.id = id++;
            committed(events, {});
        });
    if (!sent)
        committed({}, m_error);
}

void RedisEventLog::readTail()
{
    if (m_tailReading || !m_tail->isOpen())
        return;
    m_tailReading = true;
    m_tail->command({"XREAD", "COUNT", QByteArray::number(PageSize), "BLOCK",
                        QByteArray::number(TailBlockMs), "STREAMS", StreamKey, m_cursor},
        [this](const redisReply *reply, const QString &) {
            m_tailReading = false;
            if (!reply)
                return; // Closed: onConnectionClosed() reconnects, then the tail reads on.
            if (reply->type == REDIS_REPLY_ERROR) {
                qCWarning(lcRedis).noquote() << "reading the stream failed:" << text(reply);
                m_tail->close(); // And open again in a second.
                return;
            }
            // Nil after BLOCK ms without news; else [[key, [entries...]]].
            if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1
                && reply->element[0]->type == REDIS_REPLY_ARRAY
                && reply->element[0]->elements == 2) {
                const EventList events = take(reply->element[0]->element[1]);
                if (!events.isEmpty())
                    Q_EMIT appended(events);
                if (!m_waiters.isEmpty())
                    releaseWaiters();
            }
            readTail();
        });
}

EventList RedisEventLog::take(const redisReply *entries)
{
    EventList added;
    if (entries->type != REDIS_REPLY_ARRAY)
        return added;
    for (size_t i = 0; i < entries->elements; ++i) {
        QByteArray streamId;
        std::optional<Event> event = RedisStream::eventFrom(entries->element[i], &streamId);
        if (!streamId.isEmpty())
            m_cursor = streamId;
        const quint64 last = m_window.empty() ? 0 : m_window.back().id;
        if (!event || event->id <= last) {
            qCWarning(lcRedis).noquote()
                << "skipping stream entry" << streamId.left(40) << "(not an event of this log)";
            continue;
        }
        m_newestId = qMax(m_newestId, event->id);
        m_window.push_back(*event);
        added.append(std::move(*event));
    }
    countStored(added);
    return added;
}

EventList RedisEventLog::after(quint64 afterId, const QStringList &topics, qint64 limit) const
{
    EventList events;
    auto it = std::upper_bound(m_window.cbegin(), m_window.cend(), afterId,
        [](quint64 id, const Event &event) { return id < event.id; });
    for (; it != m_window.cend() && (limit <= 0 || events.size() < limit); ++it) {
        if (topics.isEmpty() || topics.contains(it->topic))
            events.append(*it);
    }
    return events;
}

void RedisEventLog::pruneNow()
{
    const qint64 newest = qint64(m_newestId);
    const qint64 countCut = newest - m_options.keepCount; // Ids at or below are outside the count.
    const qint64 capCut = newest - m_options.maxCount; // Ids at or below go whatever their age.
    const qint64 ageCut = m_clock() - m_options.keepAgeMs;
    QHash<QString, qint64> removed;
    quint64 lastRemoved = 0;
    // Events are appended in time order: the first one young enough ends the walk.
    while (!m_window.empty()) {
        const Event &event = m_window.front();
        const qint64 id = qint64(event.id);
        if (id > countCut || (event.timeMs > ageCut && id > capCut))
            break;
        ++removed[event.topic];
        lastRemoved = event.id;
        m_window.pop_front();
    }
    if (removed.isEmpty())
        return;
    countPruned(removed);
    // Every server trims by the same rule; trimming twice is harmless.
    m_commands->command({"XTRIM", StreamKey, "MINID", QByteArray::number(lastRemoved + 1) + "-0"},
        [](const redisReply *reply, const QString &) {
            if (reply && reply->type == REDIS_REPLY_ERROR)
                qCWarning(lcRedis).noquote() << "trimming the stream failed:" << text(reply);
        });
}

} // namespace Pushboard
