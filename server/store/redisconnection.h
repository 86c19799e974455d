#pragma once

#include <QByteArrayList>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

struct redisAsyncContext;
struct redisReply;

namespace Pushboard {

/// One connection to Redis on the Qt event loop: hiredis's asynchronous context, driven by two
/// QSocketNotifiers.
///
/// The hooks are those of hiredis's own Qt adapter (`hiredis/adapters/qt.h`), written here
/// because the one Debian 12 ships (hiredis 0.14) cannot be used as it is: it declares `slots`
/// (the project builds with QT_NO_KEYWORDS), needs moc run over a system header, and its
/// destructor writes into the context after hiredis has freed it on a disconnect.
///
/// Commands are pipelined and answered in order. When the connection fails or closes, every
/// command still waiting is answered with the reason (reply null) and closed() is emitted once;
/// open() again to reconnect. Destroying the connection answers nobody.
class RedisConnection : public QObject
{
    Q_OBJECT

public:
    /// `reply` is null when the connection went away first; `error` then says why.
    using Answer = std::function<void(const redisReply *reply, const QString &error)>;

    explicit RedisConnection(QObject *parent = nullptr);
    ~RedisConnection() override;

    /// Starts connecting (never blocks); opened() or closed() follows. Commands sent meanwhile
    /// are written once connected. A connection not established within `timeoutMs` is closed.
    void open(const QString &host, quint16 port, int timeoutMs = 3000);
    /// Closes now; waiting commands are answered with an error.
    void close();
    [[nodiscard]] bool isOpen() const { return m_open; }
    [[nodiscard]] bool isConnecting() const { return m_context && !m_open; }

    /// Sends one command (binary-safe arguments). False (and nothing sent) when not connected
    /// or connecting; `answer` is then never called.
    bool command(const QByteArrayList &args, Answer answer);

Q_SIGNALS:
    void opened();
    void closed(const QString &reason);

private:
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onReply(redisAsyncContext *context, void *reply, void *answer);
    static RedisConnection *self(const redisAsyncContext *context);

    void watch(QSocketNotifier::Type type, bool on);
    /// Frees the context now (answering waiting commands) and says why.
    void drop(const QString &reason);
    /// The context is gone (hiredis freed it, or is about to): forget it and say why.
    void lost(const QString &reason);

    redisAsyncContext *m_context = nullptr;
    std::unique_ptr<QSocketNotifier> m_read;
    std::unique_ptr<QSocketNotifier> m_write;
    QTimer m_connectTimeout;
    bool m_open = false;
    bool m_silent = false; ///< Being destroyed: waiting commands are dropped, not answered.
};

} // namespace Pushboard
