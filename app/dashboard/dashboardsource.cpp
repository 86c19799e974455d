#include "dashboardsource.h"

#include "event.h"
#include "recenteventsmodel.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pushboard {

namespace {

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

StreamClient::Transport transportFromName(const QString &name)
{
    if (name == QLatin1String("ws"))
        return StreamClient::Transport::WebSocket;
    if (name == QLatin1String("poll"))
        return StreamClient::Transport::Poll;
    if (name == QLatin1String("longpoll"))
        return StreamClient::Transport::LongPoll;
    return StreamClient::Transport::Sse;
}

} // namespace

DashboardSource::DashboardSource(QObject *parent)
    : QObject(parent)
    , m_recent(new RecentEventsModel(100, this))
{
    connect(&m_client, &StreamClient::message, this, &DashboardSource::onMessage);
    connect(&m_client, &StreamClient::stateChanged, this,
        [this](StreamClient::State state, qint64 delayMs, const QString &reason) {
            m_state = StreamClient::stateName(state);
            m_reason = reason;
            m_protocol = state == StreamClient::State::Open ? m_client.protocol() : QString();
            m_reconnectAt
                = state == StreamClient::State::Reconnecting ? monotonicMs() + delayMs : 0;
            if (m_reconnectAt)
                m_countdown.start();
            else
                m_countdown.stop();
            Q_EMIT stateChanged();
            Q_EMIT countdownChanged();
        });
    // Charts and tiles are refreshed once a second (the default sampling interval), however fast
    // events come: each refresh re-renders every chart, the dashboard's main cost.
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &DashboardSource::tick);
    m_tick.start();
    m_countdown.setInterval(100);
    connect(&m_countdown, &QTimer::timeout, this, &DashboardSource::countdownChanged);
    m_windowEnd = double(QDateTime::currentMSecsSinceEpoch());
}

DashboardSource::~DashboardSource() = default;

void DashboardSource::setUrl(const QString &url)
{
    if (url == m_url)
        return;
    m_url = url;
    m_newSource = true;
    // Another server: its ids mean nothing here.
    clearSeries();
    m_current.clear();
    m_recent->clear();
    Q_EMIT urlChanged();
    Q_EMIT currentChanged();
    Q_EMIT seriesChanged();
    reconnect();
}

void DashboardSource::setTransport(const QString &transport)
{
    if (transport == m_transport)
        return;
    m_transport = transport;
    Q_EMIT transportChanged();
    reconnect();
}

void DashboardSource::setToken(const QString &token)
{
    if (token == m_token)
        return;
    m_token = token;
    Q_EMIT tokenChanged();
    reconnect();
}

void DashboardSource::setCaFile(const QString &caFile)
{
    if (caFile == m_caFile)
        return;
    m_caFile = caFile;
    Q_EMIT trustChanged();
    reconnect();
}

void DashboardSource::setPin(const QString &pin)
{
    if (pin == m_pin)
        return;
    m_pin = pin;
    Q_EMIT trustChanged();
    reconnect();
}

void DashboardSource::setWindowMinutes(int minutes)
{
    minutes = qBound(1, minutes, 60);
    if (minutes == m_windowMinutes)
        return;
    m_windowMinutes = minutes;
    Q_EMIT windowMinutesChanged();
    Q_EMIT windowMoved();
    Q_EMIT seriesChanged();
}

void DashboardSource::reconnect()
{
    if (m_url.isEmpty())
        return;
    QUrl base(m_url);
    StreamClient::Options options;
    options.transport = transportFromName(m_transport);
    const bool ws = options.transport == StreamClient::Transport::WebSocket;
    if (ws)
        base.setScheme(
            base.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    base.setPath(ws                                             ? QStringLiteral("/ws")
            : options.transport == StreamClient::Transport::Sse ? QStringLiteral("/events")
                                                                : QStringLiteral("/api/events"));
    options.url = base;
    options.token = m_token;
    QString error; // the command line has checked them; a bad value here trusts nothing more
    options.tls = TlsTrust::fromOptions(m_caFile, m_pin, &error).value_or(TlsTrust());
    // From the last id this dashboard has seen; on the first connection, everything the server
    // retains, so the charts start full.
    options.lastEventId = m_newSource || m_client.lastEventId().isEmpty() ? QStringLiteral("0")
                                                                          : m_client.lastEventId();
    m_newSource = false;
    m_client.start(options);
}

int DashboardSource::reconnectInMs() const
{
    return m_reconnectAt ? int(qMax<qint64>(0, m_reconnectAt - monotonicMs())) : 0;
}

double DashboardSource::eventRate() const
{
    const qint64 now = monotonicMs();
    qsizetype count = 0;
    for (auto it = m_arrivals.rbegin(); it != m_arrivals.rend() && now - *it <= 5000; ++it)
        ++count;
    return double(count) / 5.0;
}

QList<QPointF> DashboardSource::points(const QString &key) const
{
    const auto it = m_series.constFind(key);
    if (it == m_series.cend())
        return {};
    const double start = windowStart();
    QList<QPointF> out;
    for (const QPointF &p : *it) {
        if (p.x() >= start)
            out.append(p);
    }
    return out;
}

QStringList DashboardSource::seriesKeys(const QString &prefix) const
{
    QStringList keys;
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        if (it.key().startsWith(prefix))
            keys.append(it.key());
    }
    std::sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) {
        return a.size() == b.size() ? a < b : a.size() < b.size(); // cpu.2 before cpu.10
    });
    return keys;
}

double DashboardSource::maxValue(const QStringList &keys) const
{
    double max = 0;
    for (const QString &key : keys) {
        for (const QPointF &p : points(key))
            max = qMax(max, p.y());
    }
    return max;
}

void DashboardSource::clearSeries()
{
    const QStringList keys = m_series.keys();
    m_series.clear();
    m_labels.clear();
    m_removedSeries = 0;
    for (const QString &key : keys)
        Q_EMIT seriesRemoved(key);
}

void DashboardSource::removeIdlestTopicSeries(const QString &except)
{
    QString idlest;
    double idlestTime = 0;
    qsizetype count = 0;
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        if (!it.key().startsWith(QLatin1String("topic.")))
            continue;
        ++count;
        const double last = it->empty() ? 0 : it->back().x();
        if (it.key() != except && (idlest.isEmpty() || last < idlestTime)) {
            idlest = it.key();
            idlestTime = last;
        }
    }
    if (count <= MaxTopicSeries || idlest.isEmpty())
        return;
    m_series.remove(idlest);
    m_labels.remove(idlest);
    ++m_removedSeries;
    Q_EMIT seriesRemoved(idlest);
}

void DashboardSource::add(const QString &key, qint64 time, double value)
{
    auto it = m_series.find(key);
    const bool added = it == m_series.end();
    if (added) {
        it = m_series.insert(key, {});
        if (key.startsWith(QLatin1String("topic."))) {
            removeIdlestTopicSeries(key);
            it = m_series.find(key); // The removal may have moved it.
        }
    }
    it->push_back(QPointF(double(time), value));
    // Keep the largest window the selector offers, so that widening it shows data at once.
    const double keepFrom = double(time) - 15 * 60000.0;
    while (!it->empty() && it->front().x() < keepFrom)
        it->pop_front();
    m_dirty = true;
    if (added)
        Q_EMIT seriesAdded(key);
}

void DashboardSource::onMessage(const SseMessage &message)
{
    m_arrivals.push_back(monotonicMs());
    while (m_arrivals.size() > 5000)
        m_arrivals.pop_front();
    const QJsonObject envelope = QJsonDocument::fromJson(message.data.toUtf8()).object();
    const qint64 time = envelope.value(QStringLiteral("time")).toInteger();
    const QJsonValue data = envelope.value(QStringLiteral("data"));
    const QJsonObject o = data.toObject();
    const QString &topic = message.type;
    const auto num = [&o](const char *name) { return o.value(QLatin1String(name)).toDouble(); };
    if (topic == QLatin1String("system.cpu")) {
        add(QStringLiteral("cpu.total"), time, num("total"));
        const QJsonArray cores = o.value(QStringLiteral("cores")).toArray();
        for (qsizetype i = 0; i < std::min<qsizetype>(cores.size(), MaxCores); ++i)
            add(QStringLiteral("cpu.%1").arg(i), time, cores.at(i).toDouble());
        m_current.insert(QStringLiteral("cpu"), num("total"));
    } else if (topic == QLatin1String("system.memory")) {
        add(QStringLiteral("mem.used"), time, num("used"));
        add(QStringLiteral("mem.available"), time, num("available"));
        add(QStringLiteral("mem.swapUsed"), time, num("swapUsed"));
        m_current.insert(QStringLiteral("memUsed"), num("used"));
        m_current.insert(QStringLiteral("memTotal"), num("total"));
        m_current.insert(QStringLiteral("swapUsed"), num("swapUsed"));
    } else if (topic == QLatin1String("system.load")) {
        add(QStringLiteral("load.1m"), time, num("1m"));
        add(QStringLiteral("load.5m"), time, num("5m"));
        add(QStringLiteral("load.15m"), time, num("15m"));
        m_current.insert(QStringLiteral("load1"), num("1m"));
        m_current.insert(QStringLiteral("load5"), num("5m"));
        m_current.insert(QStringLiteral("load15"), num("15m"));
    } else if (topic == QLatin1String("system.net")) {
        const QJsonObject interfaces = o.value(QStringLiteral("interfaces")).toObject();
        double rx = 0, tx = 0;
        int shown = 0;
        for (auto it = interfaces.begin(); it != interfaces.end() && shown++ < MaxInterfaces;
             ++it) {
            const QJsonObject rates = it.value().toObject();
            add(QStringLiteral("net.%1.rx").arg(it.key()), time,
                rates.value(QStringLiteral("rxBps")).toDouble());
            add(QStringLiteral("net.%1.tx").arg(it.key()), time,
                rates.value(QStringLiteral("txBps")).toDouble());
            rx += rates.value(QStringLiteral("rxBps")).toDouble();
            tx += rates.value(QStringLiteral("txBps")).toDouble();
        }
        m_current.insert(QStringLiteral("rx"), rx);
        m_current.insert(QStringLiteral("tx"), tx);
    } else if (topic == QLatin1String("system.disk")) {
        add(QStringLiteral("disk.read"), time, num("readBps"));
        add(QStringLiteral("disk.write"), time, num("writeBps"));
        m_current.insert(QStringLiteral("diskRead"), num("readBps"));
        m_current.insert(QStringLiteral("diskWrite"), num("writeBps"));
    } else if (topic == QLatin1String("gap") || topic == QLatin1String("reset")) {
        const QString text = topic == QLatin1String("gap")
            ? QStringLiteral("gap: events %1 to %2 were no longer held")
                  .arg(envelope.value(QStringLiteral("from")).toString(),
                      envelope.value(QStringLiteral("to")).toString())
            : QStringLiteral("reset: the server's ids restarted");
        m_markers.append(
            QVariantMap {{QStringLiteral("time"), double(QDateTime::currentMSecsSinceEpoch())},
                {QStringLiteral("kind"), topic}, {QStringLiteral("text"), text}});
        while (m_markers.size() > MaxMarkers)
            m_markers.removeFirst();
        Q_EMIT markersChanged();
    } else {
        // Any other topic: its numbers become series of their own, and every event is listed.
        if (data.isDouble()) {
            const QString key = QStringLiteral("topic.%1").arg(topic);
            m_labels.insert(key, topic);
            add(key, time, data.toDouble());
        }
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!it.value().isDouble())
                continue;
            const QString key = QStringLiteral("topic.%1.%2").arg(topic, it.key());
            m_labels.insert(key, it.key() + QStringLiteral(" · ") + topic);
            add(key, time, it.value().toDouble());
        }
        m_recent->prepend(message.lastEventId, topic, time, QString::fromUtf8(compactJson(data)));
    }
}

void DashboardSource::tick()
{
    m_windowEnd = double(QDateTime::currentMSecsSinceEpoch());
    Q_EMIT windowMoved();
    Q_EMIT statsChanged();
    if (!m_dirty)
        return;
    m_dirty = false;
    Q_EMIT currentChanged();
    Q_EMIT seriesChanged();
}

} // namespace Pushboard
