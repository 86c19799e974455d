#include "labstreamrun.h"

#include "metricsource.h"
#include "serverconfig.h"
#include "serverhost.h"
#include "ssepublisher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLab, "pushboard.lab")

namespace Pushboard::Lab {

namespace {

constexpr size_t MaxSamples = 50'000;
const QString Topic = QStringLiteral("lab.tick");

QString pathFor(StreamClient::Transport transport)
{
    switch (transport) {
    case StreamClient::Transport::Sse:
        return QStringLiteral("/events");
    case StreamClient::Transport::WebSocket:
        return QStringLiteral("/ws");
    case StreamClient::Transport::Poll:
    case StreamClient::Transport::LongPoll:
        break;
    }
    return QStringLiteral("/api/events");
}

CaptureLog::Limits laneLogLimits()
{
    // The lab needs the totals and a recent window for the inspector, not a whole session.
    CaptureLog::Limits limits;
    limits.maxItems = 20'000;
    limits.maxBytes = 8 * 1024 * 1024;
    limits.maxConnections = 200;
    return limits;
}

} // namespace

LabLane::LabLane(
    const QString &name, const QString &label, StreamClient::Transport transport, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_label(label)
    , m_transport(transport)
    , m_log(laneLogLimits())
{
    connect(&m_client, &StreamClient::message, this, &LabLane::onMessage);
    connect(&m_client, &StreamClient::stateChanged, this, [this](StreamClient::State state) {
        if (state == StreamClient::State::Reconnecting)
            ++m_reconnects;
        else if (state == StreamClient::State::Open)
            m_openedUs = m_clockUs();
    });
}

LabLane::~LabLane()
{
    stop();
}

bool LabLane::start(const QUrl &server, int pollIntervalMs, std::function<qint64()> clockUs,
    std::function<qint64()> published, QString *error)
{
    m_clockUs = std::move(clockUs);
    m_published = std::move(published);
    m_tap = std::make_unique<WireTap>(&m_log);
    QUrl upstream = server;
    if (m_transport == StreamClient::Transport::WebSocket)
        upstream.setScheme(QStringLiteral("ws"));
    if (!m_tap->listen(QHostAddress::LocalHost, 0, upstream)) {
        *error = m_tap->errorString();
        return false;
    }
    QUrl url = m_tap->relayUrl();
    url.setPath(pathFor(m_transport));
    StreamClient::Options options;
    options.url = url;
    options.transport = m_transport;
    options.topics = {Topic};
    options.lastEventId = QStringLiteral("0"); // Every lab event, from the first.
    options.pollIntervalMs = pollIntervalMs;
    options.retryMs = 1000;
    m_client.start(options);
    return true;
}

bool LabLane::isReady() const
{
    if (m_client.state() == StreamClient::State::Open)
        return true;
    return m_transport == StreamClient::Transport::LongPoll
        && m_client.state() == StreamClient::State::Connecting && m_log.totals().requests > 0;
}

void LabLane::stop()
{
    m_client.stop();
    m_tap.reset();
}

void LabLane::onMessage(const SseMessage &message)
{
    if (message.type != Topic)
        return;
    const QJsonObject event = QJsonDocument::fromJson(message.data.toUtf8()).object();
    const QJsonObject data = event.value(QStringLiteral("data")).toObject();
    const qint64 seq = data.value(QStringLiteral("seq")).toInteger();
    const qint64 at = data.value(QStringLiteral("at")).toInteger();
    if (seq < 1 || seq > 100'000'000)
        return;
    const qint64 now = m_clockUs();
    if (size_t(seq) > m_seen.size())
        m_seen.resize(size_t(seq), 0);
    quint8 &times = m_seen[size_t(seq - 1)];
    if (times > 0) {
        ++m_duplicated;
        times = quint8(qMin(255, times + 1));
        return;
    }
    times = 1;
    ++m_distinct;
    m_payloadBytes += QJsonDocument(data).toJson(QJsonDocument::Compact).size();
    const bool replayed = m_reconnects > 0 && at < m_openedUs;
    if (replayed)
        ++m_replayed;
    if (m_samples.size() < MaxSamples)
        m_samples.push_back({double(now) / 1e6, double(now - at) / 1000.0, seq,
            qMax<qint64>(0, m_published() - seq), replayed});
}

LaneFigures LabLane::figures(qint64 published, bool final) const
{
    LaneFigures f;
    f.name = m_name;
    f.label = m_label;
    f.expected = published;
    f.events = m_distinct;
    f.duplicated = m_duplicated;
    f.replayed = m_replayed;
    if (final)
        f.lost = qMax<qint64>(0, published - m_distinct);
    else
        f.lost = qint64(std::count(m_seen.begin(), m_seen.end(), quint8(0)));
    std::vector<double> latencies;
    latencies.reserve(m_samples.size());
    for (const Sample &s : m_samples)
        latencies.push_back(s.latencyMs);
    f.latencyMs = Percentiles::of(std::move(latencies));
    const WireTotals &totals = m_log.totals();
    f.requests = totals.requests;
    f.connectionsOpened = totals.connections;
    f.connectionsOpen = m_tap ? m_tap->openConnections().size() : 0;
    f.reconnects = m_reconnects;
    f.bytesToServer = totals.bytes[int(WireDirection::ToServer)];
    f.bytesToClient = totals.bytes[int(WireDirection::ToClient)];
    f.payloadBytes = m_payloadBytes;
    return f;
}

LabSeries LabLane::series() const
{
    LabSeries series;
    series.lane = m_name;
    for (const Sample &s : m_samples)
        (s.replayed ? series.marked : series.points).append(QPointF(s.atS, s.latencyMs));
    return series;
}

QJsonObject LabLane::window(double fromS, double toS) const
{
    std::vector<double> latencies;
    qint64 behind = 0;
    for (const Sample &s : m_samples) {
        if (s.atS < fromS || (toS >= 0 && s.atS >= toS))
            continue;
        latencies.push_back(s.latencyMs);
        behind = qMax(behind, s.behind);
    }
    const qint64 events = qint64(latencies.size());
    return {{QStringLiteral("events"), events},
        {QStringLiteral("latencyMs"), Percentiles::of(std::move(latencies)).toJson()},
        {QStringLiteral("maxBehind"), behind}};
}

LabStreamRun::LabStreamRun(const Scenario &scenario, QObject *parent)
    : LabExperiment(scenario, parent)
{
    m_ticker.setInterval(250);
    connect(&m_ticker, &QTimer::timeout, this, [this] {
        if (this->scenario().id == ScenarioId::SlowConsumer)
            checkSlowConsumer();
        if (m_draining) {
            bool complete = true;
            for (const auto &lane : m_lanes)
                complete = complete && lane->distinct() >= m_published;
            // A lane still missing events after 10 s has lost them.
            if (complete || elapsedS() - m_drainStartS > 10) {
                finish();
                return;
            }
        }
        Q_EMIT updated();
    });
    m_setup.setInterval(50);
    connect(&m_setup, &QTimer::timeout, this, &LabStreamRun::whenAllOpen);
    connect(&m_publisher, &QTimer::timeout, this, [this] {
        publish(m_perTick);
        // Rare events at a fixed period would keep one phase against short polling's own
        // period and show the same latency every time; a random share of a second does not.
        if (m_publishJitterMs > 0)
            m_publisher.setInterval(m_publishEveryMs + int(m_random.bounded(m_publishJitterMs)));
    });
}

LabStreamRun::~LabStreamRun()
{
    end();
}

bool LabStreamRun::begin()
{
    if (!m_dataDir.isValid())
        return fail(QStringLiteral("cannot make a temporary directory for the lab's event log: ")
            + m_dataDir.errorString());
    m_config = std::make_unique<ServerConfig>();
    m_config->port = 0;
    m_config->store.dataDir = m_dataDir.path();
    m_config->retryMs = 1000;
    switch (scenario().id) {
    case ScenarioId::Idle:
        m_config->keepaliveS = 2;
        m_publishEveryMs = 4500;
        m_publishJitterMs = 1000;
        break;
    case ScenarioId::BufferingProxy:
        m_publishEveryMs = 100;
        m_padBytes = 100;
        break;
    case ScenarioId::ServerRestart:
        m_publishEveryMs = 100;
        m_padBytes = 20;
        break;
    case ScenarioId::SlowConsumer:
        m_publishEveryMs = 10;
        m_perTick = 2;
        // 800 KB/s per subscriber: a client that stops reading fills the kernel's buffers
        // (megabytes on loopback) and then the server's queue within seconds.
        m_padBytes = 4000;
        m_config->sseQueueLimit = 128 * 1024;
        break;
    case ScenarioId::Burst: // Its 1,000 go at once, from the script.
    case ScenarioId::ReconnectStorm:
    case ScenarioId::ConnectionLimit:
    case ScenarioId::HeadOfLine:
        break;
    }
    m_publisher.setInterval(m_publishEveryMs);
    if (!startServer(0))
        return false;

    const QString interval = m_options.pollIntervalMs % 1000 == 0
        ? QStringLiteral("%1 s").arg(m_options.pollIntervalMs / 1000)
        : QStringLiteral("%1 ms").arg(m_options.pollIntervalMs);
    m_lanes.push_back(std::make_unique<LabLane>(QStringLiteral("poll"),
        QStringLiteral("Short polling (%1)").arg(interval), StreamClient::Transport::Poll));
    m_lanes.push_back(std::make_unique<LabLane>(QStringLiteral("longpoll"),
        QStringLiteral("Long polling"), StreamClient::Transport::LongPoll));
    m_lanes.push_back(std::make_unique<LabLane>(
        QStringLiteral("sse"), QStringLiteral("Server-Sent Events"), StreamClient::Transport::Sse));
    m_lanes.push_back(std::make_unique<LabLane>(
        QStringLiteral("ws"), QStringLiteral("WebSocket"), StreamClient::Transport::WebSocket));
    if (scenario().id == ScenarioId::SlowConsumer)
        m_lanes.push_back(std::make_unique<LabLane>(QStringLiteral("sse-slow"),
            QStringLiteral("SSE, stops reading"), StreamClient::Transport::Sse));
    const QUrl server(m_host->url());
    for (const auto &lane : m_lanes) {
        QString error;
        if (!lane->start(
                server, m_options.pollIntervalMs, [this] { return clockUs(); },
                [this] { return m_published; }, &error))
            return fail(QStringLiteral("cannot start the lab's relay: ") + error);
        if (scenario().id == ScenarioId::BufferingProxy) {
            WireTap::Faults faults;
            faults.buffering = WireTap::Buffering::HonourHeader;
            lane->tap().setFaults(faults);
        }
    }
    if (scenario().id == ScenarioId::SlowConsumer)
        m_lanes.back()->tap().setMaxHeldBytes(16 * 1024);
    m_setup.start();
    m_ticker.start();
    return true;
}

void LabStreamRun::end()
{
    m_setup.stop();
    m_ticker.stop();
    m_publisher.stop();
    qDeleteAll(m_script);
    m_script.clear();
    for (const auto &lane : m_lanes)
        lane->stop();
    if (m_host)
        stopServer({});
}

bool LabStreamRun::startServer(quint16 port)
{
    m_config->port = port;
    auto host = std::make_unique<ServerHost>(std::vector<std::unique_ptr<MetricSource>>());
    if (!host->start(*m_config))
        return fail(QStringLiteral("cannot start the lab's server: ") + host->errorString());
    m_host = std::move(host);
    m_slowCutsAtStart = 0;
    return true;
}

void LabStreamRun::stopServer(const QString &why)
{
    m_config->port = m_host->port();
    m_host->stop();
    m_host.reset();
    if (!why.isEmpty())
        mark(why);
}

void LabStreamRun::whenAllOpen()
{
    bool open = true;
    for (const auto &lane : m_lanes)
        open = open && lane->isReady();
    if (open) {
        m_setup.stop();
        measure();
    } else if (elapsedS() > 15) {
        m_setup.stop();
        mark(QStringLiteral("not every transport could connect within 15 s"));
        finish();
    }
}

void LabStreamRun::at(double seconds, std::function<void()> action)
{
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer); // The script's times are the scenario's times.
    connect(timer, &QTimer::timeout, this, std::move(action));
    timer->start(int(seconds * 1000));
    m_script.append(timer);
}

void LabStreamRun::beginPhase(const QString &name)
{
    const double now = elapsedS();
    if (!m_phases.isEmpty())
        m_phases.last().toS = now;
    m_phases.append({name, now, -1});
}

void LabStreamRun::measure()
{
    restartClock();
    m_measuring = true;
    mark(QStringLiteral("every transport open: measuring"));
    if (m_publishEveryMs > 0)
        m_publisher.start();
    const double duration = m_durationS;
    switch (scenario().id) {
    case ScenarioId::Burst:
        at(1.0, [this] {
            mark(QStringLiteral("1,000 events published at once"));
            publish(1000);
        });
        break;
    case ScenarioId::BufferingProxy:
        beginPhase(QStringLiteral("honoured"));
        at(duration / 2, [this] {
            WireTap::Faults faults;
            faults.buffering = WireTap::Buffering::IgnoreHeader;
            for (const auto &lane : m_lanes)
                lane->tap().setFaults(faults);
            mark(QStringLiteral("the relay now ignores X-Accel-Buffering: no"));
            beginPhase(QStringLiteral("ignored"));
        });
        break;
    case ScenarioId::ServerRestart:
        at(duration / 3, [this] {
            stopServer(QStringLiteral("server stopped"));
            // Down longer than the clients' retry (1 s): their first attempt fails, so they
            // come back later than the server and must replay what they missed meanwhile.
            at(1.5, [this] {
                if (startServer(m_config->port))
                    mark(QStringLiteral("server back: same port, same event log"));
                else
                    mark(errorString());
            });
        });
        break;
    case ScenarioId::SlowConsumer:
        beginPhase(QStringLiteral("before"));
        at(4.0, [this] {
            WireTap::Faults faults;
            faults.stall = true;
            m_lanes.back()->tap().setFaults(faults);
            m_slowStalled = true;
            m_slowCutsAtStart = m_host->ssePublisher()->slowDisconnects();
            mark(QStringLiteral("sse-slow stops reading"));
            beginPhase(QStringLiteral("stalled"));
        });
        break;
    case ScenarioId::Idle:
    case ScenarioId::ReconnectStorm:
    case ScenarioId::ConnectionLimit:
    case ScenarioId::HeadOfLine:
        break;
    }
    at(duration, [this] {
        if (m_slowStalled && !m_slowCut) {
            // How soon the cut comes depends on the kernel's buffers and the machine's speed,
            // not on the clock: publishing goes on until it does (checkSlowConsumer()).
            m_drainAfterCut = true;
            mark(QStringLiteral("still publishing until the server cuts sse-slow"));
            return;
        }
        drain();
    });
}

void LabStreamRun::checkSlowConsumer()
{
    if (!m_slowStalled || m_slowCut || !m_host)
        return;
    if (m_drainAfterCut && elapsedS() > m_durationS + 60) {
        resumeSlowConsumer(QStringLiteral("sse-slow was not cut within a minute: it reads again"));
        return;
    }
    if (m_host->ssePublisher()->slowDisconnects() <= m_slowCutsAtStart)
        return;
    m_slowCut = true;
    mark(QStringLiteral("the server cut sse-slow: %1 KiB queued for it")
             .arg(m_config->sseQueueLimit / 1024));
    at(2.0, [this] { resumeSlowConsumer(QStringLiteral("sse-slow reads again")); });
}

void LabStreamRun::resumeSlowConsumer(const QString &why)
{
    m_lanes.back()->tap().setFaults({});
    m_slowStalled = false;
    mark(why);
    beginPhase(QStringLiteral("after"));
    if (m_drainAfterCut)
        at(2.0, [this] { drain(); });
}

void LabStreamRun::publish(int count)
{
    if (!m_host || !m_measuring || m_draining || count < 1)
        return;
    const qint64 at = clockUs();
    const QByteArray pad
        = m_padBytes > 0 ? ",\"pad\":\"" + QByteArray(m_padBytes, 'x') + '"' : QByteArray();
    QList<EventDraft> drafts;
    drafts.reserve(count);
    for (int i = 1; i <= count; ++i)
        drafts.append({Topic,
            "{\"seq\":" + QByteArray::number(m_published + i) + ",\"at\":" + QByteArray::number(at)
                + pad + '}'});
    const EventList stored = m_host->store()->append(drafts);
    if (stored.size() == drafts.size())
        m_published += count;
    else
        qCWarning(lcLab) << "the lab's event log refused" << count << "events";
}

void LabStreamRun::drain()
{
    m_publisher.stop();
    m_draining = true;
    m_drainStartS = elapsedS();
    if (!m_phases.isEmpty())
        m_phases.last().toS = m_drainStartS;
    mark(QStringLiteral("publishing ends: waiting for every event to arrive"));
    if (scenario().id == ScenarioId::BufferingProxy) {
        // What the relay still holds is late, not lost: it goes now.
        for (const auto &lane : m_lanes)
            lane->tap().setFaults({});
        mark(QStringLiteral("the relay stops buffering: what it held arrives"));
    }
}

LabResult LabStreamRun::result() const
{
    LabResult result = baseResult();
    for (const auto &lane : m_lanes) {
        LaneFigures figures = lane->figures(m_published, isFinished());
        if (!m_phases.isEmpty()) {
            QJsonObject phases;
            for (const Phase &phase : m_phases)
                phases.insert(phase.name, lane->window(phase.fromS, phase.toS));
            figures.extra.insert(QStringLiteral("phases"), phases);
        }
        result.lanes.append(figures);
        result.series.append(lane->series());
    }
    QJsonArray phases;
    for (const Phase &phase : m_phases)
        phases.append(QJsonObject {{QStringLiteral("name"), phase.name},
            {QStringLiteral("fromS"), phase.fromS}, {QStringLiteral("toS"), phase.toS}});
    result.details = {{QStringLiteral("published"), m_published},
        {QStringLiteral("eventsPerSecond"),
            m_publishEveryMs > 0 ? 1000.0 * m_perTick / (m_publishEveryMs + m_publishJitterMs / 2.0)
                                 : 0.0},
        {QStringLiteral("padBytes"), m_padBytes},
        {QStringLiteral("pollIntervalMs"), m_options.pollIntervalMs},
        {QStringLiteral("keepaliveS"), m_config ? m_config->keepaliveS : 0},
        {QStringLiteral("durationS"), m_durationS}, {QStringLiteral("phases"), phases}};
    if (scenario().id == ScenarioId::SlowConsumer) {
        result.details.insert(
            QStringLiteral("sseQueueLimit"), m_config ? m_config->sseQueueLimit : 0);
        result.details.insert(QStringLiteral("slowConsumerCut"), m_slowCut);
    }
    return result;
}

} // namespace Pushboard::Lab
