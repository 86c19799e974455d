#include "serverhost.h"

#include "connectiongate.h"
#include "controlchannel.h"
#include "eventapi.h"
#include "eventstore.h"
#include "faultstate.h"
#include "filelimit.h"
#include "httpapi.h"
#include "inspectapi.h"
#include "metricsource.h"
#include "pollservice.h"
#include "prometheusmetrics.h"
#include "rediseventlog.h"
#include "samplingscheduler.h"
#include "servercontrols.h"
#include "ssepublisher.h"
#include "tlscredentials.h"
#include "wirecapture.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QUrl>

Q_LOGGING_CATEGORY(lcHost, "pushboard.server", QtInfoMsg)

namespace Pushboard {

ServerHost::ServerHost(std::vector<std::unique_ptr<MetricSource>> sources, QObject *parent)
    : QObject(parent)
    , m_store(std::make_unique<EventStore>())
    , m_scheduler(std::make_unique<SamplingScheduler>(m_store.get(), std::move(sources)))
    , m_faults(std::make_unique<FaultState>())
    , m_sse(std::make_unique<SsePublisher>(m_store.get(), m_faults.get()))
    , m_poll(std::make_unique<PollService>(m_store.get(), m_faults.get()))
    , m_channel(std::make_unique<ControlChannel>(m_store.get(), m_faults.get()))
{
    // Every change of the control state reaches every WebSocket client.
    connect(m_faults.get(), &FaultState::changed, m_channel.get(), &ControlChannel::broadcastState);
}

ServerHost::~ServerHost()
{
    stop();
}

bool ServerHost::fail(const QString &message)
{
    m_error = message;
    stop();
    return false;
}

quint16 ServerHost::port() const
{
    return m_gate ? m_gate->serverPort() : 0;
}

namespace {

QString urlFilePath(const ServerConfig &config)
{
    return QDir(config.store.dataDir).filePath(QStringLiteral("server.url"));
}

QString httpUrl(const QString &bindAddress, quint16 port, bool tls)
{
    QHostAddress address(bindAddress);
    if (bindAddress == QLatin1String("localhost") || address == QHostAddress::AnyIPv4)
        address = QHostAddress::LocalHost;
    else if (address == QHostAddress::AnyIPv6 || address == QHostAddress::Any)
        address = QHostAddress::LocalHostIPv6;
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return QStringLiteral("%1://%2:%3")
        .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host)
        .arg(port);
}

} // namespace

QString ServerHost::url() const
{
    return httpUrl(m_config.bindAddress, port(), m_config.tls());
}

QString ServerHost::runningServerUrl() const
{
    if (m_failure == Failure::DataDirInUse) {
        QFile file(urlFilePath(m_config));
        if (file.open(QIODevice::ReadOnly)) {
            const QString written = QString::fromUtf8(file.readLine(256)).trimmed();
            const QUrl url(written, QUrl::StrictMode);
            if (url.isValid() && url.scheme() == QLatin1String("http") && url.port() > 0)
                return written;
        }
    }
    return httpUrl(m_config.bindAddress, m_config.port, m_config.tls());
}

void ServerHost::writeUrlFile()
{
    // Tells a second `pushboard` started on the same data directory where to watch this one.
    QSaveFile file(urlFilePath(m_config));
    if (!file.open(QIODevice::WriteOnly) || file.write(url().toUtf8() + '\n') < 0 || !file.commit())
        qCWarning(lcHost) << "cannot write" << file.fileName() << ":" << file.errorString();
}

bool ServerHost::start(const ServerConfig &config)
{
    stop();
    m_config = config;
    m_error.clear();
    m_failure = Failure::Other;

    QHostAddress address;
    if (config.bindAddress == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(config.bindAddress))
        return fail(QStringLiteral("--bind %1 is not an IP address").arg(config.bindAddress));
    if (!address.isLoopback() && config.token.isEmpty()) {
        return fail(QStringLiteral(
            "refusing to listen on %1 without --token: anyone who can reach "
            "this machine could read its events; pass --token T or bind to 127.0.0.1")
                        .arg(config.bindAddress));
    }
    if (!address.isLoopback() && !config.tls())
        qCWarning(lcHost).noquote() << QStringLiteral(
            "listening on %1 without TLS: the token and every event cross the network in clear "
            "text; add --tls-self-signed (or --tls-cert FILE --tls-key FILE)")
                                           .arg(config.bindAddress);
    if (config.intervalMs < 10)
        return fail(QStringLiteral("--interval must be at least 10 ms"));
    if (config.keepaliveS < 1)
        return fail(QStringLiteral("--keepalive must be at least 1 s"));

    if (!openLog(config))
        return false;

    const qint64 fileLimit = FileLimit::raiseToHardLimit();
    const qint64 room = FileLimit::connectionsAllowedBy(fileLimit);
    if (room >= 0 && config.limits.maxConnections > room) {
        qCWarning(lcHost).noquote()
            << QStringLiteral("--max-connections %1 is above what the open-file limit "
                              "(%2) allows, about %3 clients; raise it (ulimit -n, LimitNOFILE=)")
                   .arg(config.limits.maxConnections)
                   .arg(fileLimit)
                   .arg(room);
    }

    QSslConfiguration tls;
    m_tlsFingerprint.clear();
    m_tlsCreated = false;
    if (config.tls()) {
        QString error;
        const auto credentials = config.tlsSelfSigned
            ? Tls::selfSigned(config.store.dataDir, {config.bindAddress}, &m_tlsCreated, &error)
            : Tls::load(config.tlsCertFile, config.tlsKeyFile, &error);
        if (!credentials)
            return fail(error);
        tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(credentials->chain);
        tls.setPrivateKey(credentials->key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
        // Nor checked: without the system's authorities, a connection does not load them.
        tls.setCaCertificates({});
        // HTTP/2 when the client offers it (every browser does), else HTTP/1.1.
        tls.setAllowedNextProtocols({QByteArray(QSslConfiguration::ALPNProtocolHTTP2),
            QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        m_tlsFingerprint = Tls::fingerprint(credentials->chain.constFirst());
    }

    m_gate = new ConnectionGate();
    m_gate->setLimits(config.limits);
    m_gate->setTls(tls);
    m_capture = std::make_unique<WireCapture>();
    m_inspect = std::make_unique<InspectApi>(m_capture.get());
    m_gate->setWireCapture(m_capture.get());
    m_gate->setHostCheck(HostCheck(address, config.allowedHosts));
    m_gate->setDetachedConnectionCount([this] {
        return m_sse->ownConnections() + m_inspect->ownConnections() + m_channel->clientCount();
    });
    connect(m_gate, &ConnectionGate::webSocketUpgrade, m_channel.get(),
        [this](QTcpSocket *socket, const HttpRequest &request, const QByteArray &buffered) {
            m_channel->handleUpgrade(socket, request, buffered, m_gate);
        });
    // Qt's default backlog (50) drops SYNs when hundreds of clients reconnect at once, and each
    // drop costs its client a one-second retransmit: ask for what Linux allows (somaxconn).
    m_gate->setListenBacklogSize(4096);
    if (!m_gate->listen(address, config.port)) {
        const bool inUse = m_gate->serverError() == QAbstractSocket::AddressInUseError;
        const QString reason = inUse ? QStringLiteral("port %1 on %2 is already in use")
                                           .arg(config.port)
                                           .arg(config.bindAddress)
                                     : QStringLiteral("cannot listen on %1:%2: %3")
                                           .arg(config.bindAddress)
                                           .arg(config.port)
                                           .arg(m_gate->errorString());
        delete m_gate;
        m_gate = nullptr;
        m_failure = inUse ? Failure::PortInUse : Failure::Other;
        return fail(reason);
    }

    m_sse->setWireCapture(m_capture.get());
    m_sse->setRetryMs(config.retryMs);
    m_sse->setQueueLimit(config.sseQueueLimit);
    m_sse->setKeepalive(config.keepaliveS);
    m_auth = Auth(config.token.toUtf8());
    m_cors = Cors(config.allowedOrigins, config.tls());
    m_controls = std::make_unique<ServerControls>(
        ServerControls::Parts {
            m_log, m_scheduler.get(), m_faults.get(), m_sse.get(), m_poll.get(), m_channel.get()},
        config.keepaliveS);
    m_channel->setControl(m_controls.get());
    m_channel->setAuth(&m_auth, &m_cors);
    m_channel->setQueueLimit(config.sseQueueLimit);
    m_channel->setKeepalive(config.keepaliveS);

    m_http = std::make_unique<HttpApi>();
    m_http->setAuth(m_auth);
    m_http->setCors(m_cors);
    addRoutes();
    m_gate->setRequestHandler([http = m_http.get()](HttpRequest &&request, HttpReply &&reply) {
        http->handle(request, std::move(reply));
    });

    m_uptime.start();
    m_scheduler->setInterval(config.intervalMs);
    if (config.sampleMetrics)
        m_scheduler->start();
    qCDebug(lcHost) << "listening on" << config.bindAddress << port();
    m_failure = Failure::None;
    writeUrlFile();
    return true;
}

bool ServerHost::openLog(const ServerConfig &config)
{
    if (config.backplane.isEmpty()) {
        if (!m_store->open(config.store)) {
            m_failure = m_store->isLockedByOther() ? Failure::DataDirInUse : Failure::Other;
            return fail(m_store->errorString());
        }
        m_log = m_store.get();
    } else {
        QString error;
        const std::optional<RedisAddress> address = RedisAddress::parse(config.backplane, &error);
        if (!address)
            return fail(error);
        // The data directory still holds server.url and a self-signed certificate.
        if (!QDir().mkpath(config.store.dataDir))
            return fail(
                QStringLiteral("cannot create data directory %1").arg(config.store.dataDir));
        m_redis = std::make_unique<RedisEventLog>();
        if (!m_redis->open(*address, config.store))
            return fail(m_redis->errorString());
        m_log = m_redis.get();
    }
    connect(m_log, &EventLog::appended, this, [this](const EventList &events) {
        m_eventsPublished += quint64(events.size());
        m_faults->accept(events);
    });
    m_scheduler->setEventLog(m_log);
    m_sse->setEventLog(m_log);
    m_poll->setEventLog(m_log);
    m_channel->setEventLog(m_log);
    return true;
}

void ServerHost::addRoutes()
{
    using Request = HttpRequest;
    HttpApi &http = *m_http;
    EventLog &store = *m_log;
    http.addRoute(
        "GET", QStringLiteral("/api/health"),
        [this](const Request &, HttpReply &&reply) {
            reply.sendJson({{QStringLiteral("status"), QStringLiteral("ok")},
                {QStringLiteral("version"), QStringLiteral(PUSHBOARD_VERSION)},
                {QStringLiteral("uptimeS"), m_uptime.elapsed() / 1000}});
        },
        HttpApi::Access::Public);
    http.addRoute("GET", QStringLiteral("/"), [](const Request &, HttpReply &&reply) {
        QFile page(QStringLiteral(":/web/index.html"));
        page.open(QIODevice::ReadOnly);
        reply.send(HttpReply::StatusCode::Ok, page.readAll(), "text/html; charset=utf-8",
            {{"Cache-Control", "no-cache"}});
    });
    http.addRoute(
        "GET", QStringLiteral("/events"), [this](const Request &request, HttpReply &&reply) {
            m_sse->handle(request, std::move(reply));
        });
    http.addRoute("GET", QStringLiteral("/ws"), [](const Request &, HttpReply &&reply) {
        // An upgrade never gets here: the ConnectionGate hands it to the ControlChannel.
        reply.sendError(HttpReply::StatusCode::UpgradeRequired,
            QStringLiteral("/ws is a WebSocket endpoint: send Upgrade: websocket"),
            {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}});
    });
    http.addRoute(
        "GET", QStringLiteral("/api/events"), [this](const Request &request, HttpReply &&reply) {
            m_poll->handle(request, std::move(reply));
        });
    http.addRoute("POST", QStringLiteral("/api/publish"),
        [&store](const Request &request, HttpReply &&reply) {
            EventApi::publish(store, request, std::move(reply));
        });
    http.addRoute(
        "GET", QStringLiteral("/api/snapshot"), [&store](const Request &, HttpReply &&reply) {
            EventApi::snapshot(store, std::move(reply));
        });
    http.addRoute(
        "GET", QStringLiteral("/api/topics"), [&store](const Request &, HttpReply &&reply) {
            EventApi::topics(store, std::move(reply));
        });
    http.addRoute(
        "GET", QStringLiteral("/api/connections"), [this](const Request &, HttpReply &&reply) {
            reply.send(HttpReply::StatusCode::Ok, connections(), "application/json",
                {{"Cache-Control", "no-store"}});
        });
    http.addRoute("GET", QStringLiteral("/api/inspect"),
        [this](const Request &, HttpReply &&reply) { m_inspect->state(std::move(reply)); });
    http.addRoute(
        "POST", QStringLiteral("/api/inspect"), [this](const Request &request, HttpReply &&reply) {
            m_inspect->control(request, std::move(reply));
        });
    http.addRoute("GET", QStringLiteral("/api/inspect/stream"),
        [this](const Request &, HttpReply &&reply) { m_inspect->stream(std::move(reply)); });
    http.addRoute("GET", QStringLiteral("/metrics"), [this](const Request &, HttpReply &&reply) {
        reply.send(HttpReply::StatusCode::Ok, metrics(), PrometheusMetrics::ContentType);
    });
}

QByteArray ServerHost::connections() const
{
    QJsonArray list;
    for (const auto &infos :
        {m_sse->connections(), m_poll->connections(), m_channel->connections()}) {
        for (const ConnectionInfo &info : infos)
            list.append(info.toJson());
    }
    return QJsonDocument(
        QJsonObject {{QStringLiteral("connections"), list},
            {QStringLiteral("state"), m_controls ? m_controls->state() : QJsonObject()}})
        .toJson(QJsonDocument::Compact);
}

QByteArray ServerHost::metrics() const
{
    ServerMetrics metrics;
    metrics.openConnections.insert(QStringLiteral("sse"), m_sse->streams().size());
    metrics.openConnections.insert(QStringLiteral("longpoll"), m_poll->waiterCount());
    metrics.openConnections.insert(QStringLiteral("ws"), m_channel->clientCount());
    metrics.transports.insert(QStringLiteral("ws"), m_channel->stats());
    if (m_controls)
        metrics.control = m_controls->state();
    metrics.transports.insert(QStringLiteral("sse"), m_sse->stats());
    metrics.transports.insert(QStringLiteral("poll"), m_poll->pollStats());
    metrics.transports.insert(QStringLiteral("longpoll"), m_poll->longPollStats());
    metrics.eventsPublished = m_eventsPublished;
    metrics.connectionsRefused = m_gate ? m_gate->refusedConnections() : 0;
    metrics.requestsRejected
        = (m_gate ? m_gate->rejectedRequests() : 0) + m_http->rejectedRequests();
    metrics.idleConnectionsClosed = m_gate ? m_gate->idleClosedConnections() : 0;
    metrics.tlsHandshakesFailed = m_gate ? m_gate->tlsHandshakesFailed() : 0;
    metrics.tlsHandshakesTimedOut = m_gate ? m_gate->tlsHandshakesTimedOut() : 0;
    if (m_gate) {
        const int h2 = m_gate->http2Connections();
        metrics.connectionsByProtocol.insert(
            QStringLiteral("http/1.1"), m_gate->connectionCount() - h2);
        metrics.connectionsByProtocol.insert(QStringLiteral("h2"), h2);
        metrics.http2OpenStreams = m_gate->http2OpenStreams();
        const ConnectionGate::Http2Counters &h2Counters = m_gate->http2Counters();
        metrics.http2Connections = h2Counters.connections;
        metrics.http2Streams = h2Counters.streams;
        metrics.http2StreamResets = h2Counters.streamResets;
        metrics.http2ConnectionErrors = h2Counters.connectionErrors;
    }
    metrics.retainedEvents = m_log ? m_log->count() : 0;
    metrics.newestId = m_log ? m_log->newestId() : 0;
    metrics.uptimeSeconds = double(m_uptime.elapsed()) / 1000.0;
    return PrometheusMetrics::render(metrics);
}

void ServerHost::stop()
{
    m_scheduler->stop();
    m_faults->clear();
    m_channel->closeAll();
    m_sse->closeAll();
    if (m_inspect)
        m_inspect->closeAll();
    m_poll->releaseAll();
    if (m_gate)
        m_gate->closeAll();
    if (m_gate && m_log)
        QFile::remove(urlFilePath(m_config));
    delete m_gate; // With the connections it still owns.
    m_gate = nullptr;
    m_http.reset();
    if (m_log)
        disconnect(m_log, &EventLog::appended, this, nullptr);
    m_log = nullptr;
    m_store->close();
    m_redis.reset();
}

} // namespace Pushboard
