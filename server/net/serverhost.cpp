#include "serverhost.h"

#include "connectiongate.h"
#include "eventstore.h"
#include "httpapi.h"
#include "metricsource.h"
#include "samplingscheduler.h"
#include "ssepublisher.h"

#include <QHostAddress>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcHost, "pushboard.server", QtInfoMsg)

namespace Pushboard {

using Method = QHttpServerRequest::Method;

ServerHost::ServerHost(std::vector<std::unique_ptr<MetricSource>> sources, QObject *parent)
    : QObject(parent)
    , m_store(std::make_unique<EventStore>())
    , m_scheduler(std::make_unique<SamplingScheduler>(m_store.get(), std::move(sources)))
    , m_sse(std::make_unique<SsePublisher>(m_store.get()))
{ }

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

bool ServerHost::start(const ServerConfig &config)
{
    stop();
    m_config = config;
    m_error.clear();

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
    if (config.intervalMs < 10)
        return fail(QStringLiteral("--interval must be at least 10 ms"));
    if (config.keepaliveS < 1)
        return fail(QStringLiteral("--keepalive must be at least 1 s"));

    if (!m_store->open(config.store))
        return fail(m_store->errorString());

    m_gate = new ConnectionGate();
    m_gate->setLimits(config.limits);
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
        return fail(reason);
    }

    m_sse->setRetryMs(config.retryMs);
    m_sse->setQueueLimit(config.sseQueueLimit);
    m_sse->setKeepalive(config.keepaliveS);

    m_http = std::make_unique<HttpApi>();
    m_http->setAuth(Auth(config.token.toUtf8()));
    addRoutes();
    m_http->bind(m_gate); // QAbstractHttpServer takes ownership of the gate.

    m_uptime.start();
    m_scheduler->setInterval(config.intervalMs);
    m_scheduler->start();
    qCDebug(lcHost) << "listening on" << config.bindAddress << port();
    return true;
}

void ServerHost::addRoutes()
{
    m_http->addRoute(
        Method::Get, QStringLiteral("/api/health"),
        [this](const QHttpServerRequest &, HttpReply &&reply) {
            reply.sendJson(
                {{QStringLiteral("status"), QStringLiteral("ok")},
                    {QStringLiteral("version"), QStringLiteral(PUSHBOARD_VERSION)},
                    {QStringLiteral("uptimeS"), m_uptime.elapsed() / 1000}});
        },
        HttpApi::Access::Public);
    m_http->addRoute(Method::Get, QStringLiteral("/events"),
        [this](const QHttpServerRequest &request, HttpReply &&reply) {
            m_sse->handle(request, std::move(reply));
        });
}

void ServerHost::stop()
{
    m_scheduler->stop();
    m_sse->closeAll();
    m_http.reset(); // Deletes the gate and the sockets it still owns.
    m_gate = nullptr;
    m_store->close();
}

} // namespace Pushboard
