#pragma once

#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

/// A real `redis-server` (Debian's) for one test: its own temporary directory, append-only file
/// on, listening on a free loopback port. stop() shuts it down the way an operator would (its AOF
/// is flushed), kill() the hard way; start() again brings it back on the same port with its data.
class RedisServer
{
public:
    RedisServer()
    {
        QTcpServer probe; // The kernel's free port; redis-server cannot pick one itself.
        if (probe.listen(QHostAddress::LocalHost))
            m_port = probe.serverPort();
    }
    ~RedisServer() { kill(); }

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url(int db = 0) const
    {
        return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db);
    }

    /// True once it answers PING.
    [[nodiscard]] bool start()
    {
        if (!m_dir.isValid() || m_port == 0)
            return false;
        m_process.setProgram(QStringLiteral("redis-server"));
        m_process.setArguments({QStringLiteral("--port"), QString::number(m_port),
            QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--dir"),
            m_dir.path(), QStringLiteral("--appendonly"), QStringLiteral("yes"),
            QStringLiteral("--save"), QString(), QStringLiteral("--daemonize"),
            QStringLiteral("no"), QStringLiteral("--logfile"), QStringLiteral("redis.log")});
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return false;
        return QTest::qWaitFor([this] { return cli({QStringLiteral("PING")}) == "PONG"; }, 20000);
    }

    /// SHUTDOWN: Redis flushes its append-only file and exits.
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        cli({QStringLiteral("SHUTDOWN")});
        if (!m_process.waitForFinished(20000))
            kill();
    }

    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(10000);
    }

    /// One command through redis-cli; its output without the trailing newline.
    QByteArray cli(const QStringList &args, int db = 0) const
    {
        QProcess process;
        process.start(QStringLiteral("redis-cli"),
            QStringList {QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-n"),
                QString::number(db)}
                + args);
        if (!process.waitForFinished(20000))
            return {};
        return process.readAllStandardOutput().trimmed();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};
