#pragma once

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

/// A free loopback port, for servers that cannot pick one themselves.
inline quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

/// One `pushboard serve --backplane` process.
class Instance
{
public:
    ~Instance()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            kill();
    }
    bool start(const QString &backplane)
    {
        m_port = freePort();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("serve"), QStringLiteral("--port"), QString::number(m_port),
                QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--backplane"),
                backplane, QStringLiteral("--no-metrics")});
        return QTest::qWaitFor(
                   [this] {
                       m_output += m_process.readAll();
                       return m_output.contains("listening on")
                           || m_process.state() == QProcess::NotRunning;
                   },
                   20000)
            && m_process.state() == QProcess::Running;
    }
    void kill() // SIGKILL: no goodbye to anyone.
    {
        m_process.kill();
        m_process.waitForFinished(10000);
    }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QByteArray output()
    {
        m_output += m_process.readAll();
        return m_output;
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

/// HAProxy from Debian as a round-robin load balancer in front of some instances, configured as
/// docs/scale-out-haproxy.cfg is (a refused connect goes to the next server at once).
class LoadBalancer
{
public:
    ~LoadBalancer()
    {
        m_process.terminate();
        m_process.waitForFinished(10000);
    }
    bool start(const QList<quint16> &upstreams)
    {
        m_port = freePort();
        QByteArray conf = "global\n    maxconn 2000\n"
                          "defaults\n    mode http\n    timeout connect 2s\n"
                          "    timeout client 1h\n    timeout server 1h\n    retries 3\n"
                          "    option redispatch 1\n"
                          "frontend pushboard\n    bind 127.0.0.1:"
            + QByteArray::number(m_port)
            + "\n    default_backend servers\n"
              "backend servers\n    balance roundrobin\n";
        int n = 0;
        for (quint16 port : upstreams)
            conf += "    server s" + QByteArray::number(++n)
                + " 127.0.0.1:" + QByteArray::number(port) + '\n';
        QFile file(m_dir.filePath(QStringLiteral("haproxy.cfg")));
        if (!file.open(QIODevice::WriteOnly) || file.write(conf) != conf.size())
            return false;
        file.close();
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral("haproxy"),
            {QStringLiteral("-db"), QStringLiteral("-f"), file.fileName()});
        return QTest::qWaitFor(
            [this] {
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, m_port);
                return probe.waitForConnected(200);
            },
            20000);
    }
    [[nodiscard]] quint16 port() const { return m_port; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

/// An SSE reader that keeps every id it receives (duplicates included) and, when the stream
/// ends, reconnects after 100 ms with Last-Event-ID, as EventSource does.
class ResumingReader : public QObject
{
public:
    explicit ResumingReader(quint16 port)
        : m_port(port)
    {
        m_retry.setSingleShot(true);
        m_retry.setInterval(100);
        connect(&m_retry, &QTimer::timeout, this, &ResumingReader::open);
        open();
    }
    ~ResumingReader() override
    {
        if (m_reply)
            m_reply->abort();
    }
    QList<quint64> ids;
    int reconnects = 0;
    bool open_ = false;

private:
    void open()
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(m_port)));
        request.setRawHeader("Accept", "text/event-stream");
        request.setRawHeader(
            "Last-Event-ID", QByteArray::number(ids.isEmpty() ? 0 : ids.constLast()));
        m_reply = m_network.get(request);
        connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] { open_ = true; });
        connect(m_reply, &QNetworkReply::readyRead, this, [this] {
            m_buffer += m_reply->readAll();
            for (qsizetype end = m_buffer.indexOf('\n'); end >= 0; end = m_buffer.indexOf('\n')) {
                const QByteArray line = m_buffer.left(end);
                m_buffer.remove(0, end + 1);
                if (line.startsWith("id: "))
                    ids.append(line.mid(4).toULongLong());
            }
        });
        connect(m_reply, &QNetworkReply::finished, this, [this] {
            m_reply->deleteLater();
            m_reply = nullptr;
            m_buffer.clear();
            open_ = false;
            ++reconnects;
            m_retry.start();
        });
    }

    QNetworkAccessManager m_network;
    QNetworkReply *m_reply = nullptr;
    QByteArray m_buffer;
    QTimer m_retry;
    quint16 m_port;
};

/// Publishes one event at a time, as fast as answers come, to the given ports in turn; keeps the
/// ids that were acknowledged and counts the refusals.
class Publisher : public QObject
{
public:
    explicit Publisher(QList<quint16> ports)
        : m_ports(std::move(ports))
    { }
    void start()
    {
        m_running = true;
        next();
    }
    void stop() { m_running = false; }
    [[nodiscard]] bool idle() const { return !m_busy; }
    QList<quint64> acknowledged;
    int refused = 0;

private:
    void next()
    {
        if (!m_running)
            return;
        m_busy = true;
        const quint16 port = m_ports.at(m_turn++ % m_ports.size());
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/publish").arg(port)));
        request.setHeader(
            QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.post(
            request, "{\"topic\":\"load\",\"data\":" + QByteArray::number(m_turn) + '}');
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            const QByteArray body = reply->readAll();
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 202)
                acknowledged.append(body.mid(7, body.indexOf('"', 7) - 7).toULongLong());
            else
                ++refused;
            m_busy = false;
            QTimer::singleShot(5, this, [this] { next(); });
        });
    }

    QNetworkAccessManager m_network;
    QList<quint16> m_ports;
    int m_turn = 0;
    bool m_running = false;
    bool m_busy = false;
};
