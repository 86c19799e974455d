#include "redisconnection.h"

#include "redisstream.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <vector>

namespace Pushboard {

RedisConnection::RedisConnection(QObject *parent)
    : QObject(parent)
{
    m_connectTimeout.setSingleShot(true);
    connect(&m_connectTimeout, &QTimer::timeout, this, [this] {
        if (m_context && !m_open)
            drop(QStringLiteral("no answer within %1 s")
                     .arg(double(m_connectTimeout.interval()) / 1000.0));
    });
}

RedisConnection::~RedisConnection()
{
    m_silent = true;
    close();
}

RedisConnection *RedisConnection::self(const redisAsyncContext *context)
{
    auto *connection = static_cast<RedisConnection *>(context->data);
    return connection && connection->m_context == context ? connection : nullptr;
}

void RedisConnection::open(const QString &host, quint16 port, int timeoutMs)
{
    close();
    redisAsyncContext *context = redisAsyncConnect(host.toUtf8().constData(), port);
    if (!context) {
        lost(QStringLiteral("out of memory"));
        return;
    }
    if (context->err) {
        const QString reason = QString::fromLocal8Bit(context->errstr);
        redisAsyncFree(context);
        lost(reason);
        return;
    }
    m_context = context;
    context->data = this;
    RedisStream::bound(context->c.reader);
    // The event hooks first: setting the connect callback already asks for a write event.
    context->ev.data = this;
    context->ev.addRead = [](void *data) {
        static_cast<RedisConnection *>(data)->watch(QSocketNotifier::Read, true);
    };
    context->ev.delRead = [](void *data) {
        static_cast<RedisConnection *>(data)->watch(QSocketNotifier::Read, false);
    };
    context->ev.addWrite = [](void *data) {
        static_cast<RedisConnection *>(data)->watch(QSocketNotifier::Write, true);
    };
    context->ev.delWrite = [](void *data) {
        static_cast<RedisConnection *>(data)->watch(QSocketNotifier::Write, false);
    };
    context->ev.cleanup = [](void *data) {
        auto *connection = static_cast<RedisConnection *>(data);
        connection->watch(QSocketNotifier::Read, false);
        connection->watch(QSocketNotifier::Write, false);
    };
    redisAsyncSetConnectCallback(context, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisConnection::onDisconnect);
    m_connectTimeout.start(timeoutMs);
}

void RedisConnection::close()
{
    drop(QStringLiteral("closed"));
}

void RedisConnection::drop(const QString &reason)
{
    m_connectTimeout.stop();
    if (!m_context)
        return;
    // Forgotten first, so that the callbacks hiredis makes while freeing it (onDisconnect, and
    // onReply with no reply for each waiting command) know it is no longer ours. Inside one of
    // our callbacks hiredis defers the free until that callback returns.
    redisAsyncFree(std::exchange(m_context, nullptr));
    lost(reason);
}

void RedisConnection::lost(const QString &reason)
{
    m_connectTimeout.stop();
    m_context = nullptr;
    const bool wasOpen = std::exchange(m_open, false);
    watch(QSocketNotifier::Read, false);
    watch(QSocketNotifier::Write, false);
    if (!m_silent && (wasOpen || reason != QLatin1String("closed")))
        Q_EMIT closed(reason);
}

void RedisConnection::watch(QSocketNotifier::Type type, bool on)
{
    std::unique_ptr<QSocketNotifier> &notifier = type == QSocketNotifier::Read ? m_read : m_write;
    if (!on) {
        if (notifier) {
            // Often called from inside the notifier's own signal: delete it later.
            notifier->setEnabled(false);
            notifier.release()->deleteLater();
        }
        return;
    }
    if (notifier || !m_context)
        return;
    notifier = std::make_unique<QSocketNotifier>(m_context->c.fd, type);
    connect(notifier.get(), &QSocketNotifier::activated, this, [this, type] {
        if (!m_context)
            return;
        if (type != QSocketNotifier::Read) {
            redisAsyncHandleWrite(m_context);
            return;
        }
        redisAsyncHandleRead(m_context); // At most 16 KiB per call.
        if (m_context && m_context->c.reader
            && qsizetype(m_context->c.reader->len) > RedisStream::MaxBufferedBytes)
            drop(QStringLiteral("an answer over %1 MiB").arg(RedisStream::MaxBufferedBytes >> 20));
    });
}

void RedisConnection::onConnect(const redisAsyncContext *context, int status)
{
    RedisConnection *connection = self(context);
    if (!connection)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this callback, without calling onDisconnect.
        connection->lost(QString::fromLocal8Bit(context->errstr));
        return;
    }
    connection->m_connectTimeout.stop();
    connection->m_open = true;
    Q_EMIT connection->opened();
}

void RedisConnection::onDisconnect(const redisAsyncContext *context, int status)
{
    RedisConnection *connection = self(context);
    if (!connection)
        return;
    connection->lost(
        status == REDIS_OK ? QStringLiteral("closed") : QString::fromLocal8Bit(context->errstr));
}

void RedisConnection::onReply(redisAsyncContext *context, void *reply, void *answer)
{
    std::unique_ptr<Answer> call(static_cast<Answer *>(answer));
    // Not self(): the answers to a connection being closed are still owed.
    const auto *connection = static_cast<const RedisConnection *>(context->data);
    if (connection->m_silent)
        return;
    if (reply) {
        (*call)(static_cast<const redisReply *>(reply), {});
        return;
    }
    QString reason
        = context->err ? RedisStream::errorText(context->err, context->errstr) : QString();
    (*call)(nullptr, reason.isEmpty() ? QStringLiteral("the connection to Redis closed") : reason);
}

bool RedisConnection::command(const QByteArrayList &args, Answer answer)
{
    if (!m_context)
        return false;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    auto *call = new Answer(std::move(answer));
    if (redisAsyncCommandArgv(m_context, &RedisConnection::onReply, call, int(argv.size()),
            argv.data(), lengths.data())
        != REDIS_OK) {
        delete call;
        return false;
    }
    return true;
}

} // namespace Pushboard
