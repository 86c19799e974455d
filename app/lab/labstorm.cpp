#include "labstorm.h"

#include "filelimit.h"
#include "metricsource.h"
#include "serverconfig.h"
#include "serverhost.h"
#include "ssepublisher.h"

#include <QJsonArray>
#include <QTcpSocket>

namespace Pushboard::Lab {

LabStorm::LabStorm(const Scenario &scenario, QObject *parent)
    : LabExperiment(scenario, parent)
{
    m_ticker.setInterval(100);
    connect(&m_ticker, &QTimer::timeout, this, &LabStorm::check);
    m_pacer.setInterval(10);
    connect(&m_pacer, &QTimer::timeout, this, [this] {
        // The first connections come 50 at a time: the storm is the lesson, not the setup.
        for (int i = 0; i < 50 && m_connecting < m_clientCount; ++i)
            connectClient(m_connecting++);
        if (m_connecting == m_clientCount)
            m_pacer.stop();
    });
}

LabStorm::~LabStorm()
{
    end();
}

bool LabStorm::begin()
{
    if (!m_dataDir.isValid())
        return fail(QStringLiteral("cannot make a temporary directory for the lab's event log: ")
            + m_dataDir.errorString());
    // Each client is two descriptors in this process (its socket and the server's).
    const qint64 allowed = FileLimit::connectionsAllowedBy(FileLimit::raiseToHardLimit());
    if (allowed >= 0)
        m_clientCount = int(qMin<qint64>(Clients, allowed / 2 - 16));
    if (m_clientCount < 10)
        return fail(QStringLiteral("the open-file limit leaves room for too few clients"));
    ServerConfig config;
    config.port = 0;
    config.store.dataDir = m_dataDir.path();
    config.limits.maxConnections = m_clientCount + 64;
    m_host = std::make_unique<ServerHost>(std::vector<std::unique_ptr<MetricSource>>());
    if (!m_host->start(config))
        return fail(QStringLiteral("cannot start the lab's server: ") + m_host->errorString());
    m_request = "GET /events?topics=lab.storm HTTP/1.1\r\nHost: 127.0.0.1:"
        + QByteArray::number(m_host->port()) + "\r\nAccept: text/event-stream\r\n\r\n";
    m_clients.resize(size_t(m_clientCount));
    mark(QStringLiteral("%1 clients connecting").arg(m_clientCount));
    m_pacer.start();
    m_ticker.start();
    return true;
}

void LabStorm::end()
{
    m_ticker.stop();
    m_pacer.stop();
    for (Client &client : m_clients) {
        if (client.socket) {
            client.socket->disconnect(this);
            client.socket->abort();
            client.socket->deleteLater();
            client.socket = nullptr;
        }
    }
    if (m_host) {
        m_host->stop();
        m_host.reset();
    }
}

LabStorm::Round *LabStorm::current()
{
    return m_rounds.isEmpty() || m_rounds.last().done ? nullptr : &m_rounds.last();
}

qint64 LabStorm::delayMs(Policy policy)
{
    if (policy == Policy::Fixed)
        return RetryMs;
    return RetryMs + qint64(m_random.bounded(double(JitterWindowMs)));
}

void LabStorm::connectClient(int index)
{
    Client &client = m_clients[size_t(index)];
    if (client.socket) {
        client.socket->disconnect(this);
        client.socket->abort();
        client.socket->deleteLater();
    }
    client.served = false;
    client.head.clear();
    client.socket = new QTcpSocket(this);
    connect(client.socket, &QTcpSocket::connected, this, [this, index] { onConnected(index); });
    connect(client.socket, &QTcpSocket::readyRead, this, [this, index] { onReadyRead(index); });
    connect(client.socket, &QTcpSocket::disconnected, this, [this, index] { onClosed(index); });
    connect(client.socket, &QTcpSocket::errorOccurred, this, [this, index] {
        if (m_clients[size_t(index)].socket->state() == QAbstractSocket::UnconnectedState)
            onClosed(index);
    });
    if (Round *round = current(); round && client.attemptUs < 0)
        client.attemptUs = clockUs();
    client.socket->connectToHost(QHostAddress::LocalHost, m_host->port());
}

void LabStorm::onConnected(int index)
{
    m_clients[size_t(index)].socket->write(m_request);
}

void LabStorm::onReadyRead(int index)
{
    Client &client = m_clients[size_t(index)];
    if (client.served) {
        client.socket->readAll(); // The stream itself (retry, comments): not the lesson.
        return;
    }
    client.head += client.socket->read(256 - client.head.size());
    if (!client.head.contains("\r\n") && client.head.size() < 256)
        return;
    if (!client.head.startsWith("HTTP/1.1 200")) {
        ++client.failures;
        client.socket->abort(); // onClosed() tries again.
        return;
    }
    client.served = true;
    if (Round *round = current(); round && client.servedUs < 0)
        client.servedUs = clockUs();
}

void LabStorm::onClosed(int index)
{
    Client &client = m_clients[size_t(index)];
    if (!client.socket || !isRunning())
        return;
    client.socket->disconnect(this);
    client.socket->deleteLater();
    client.socket = nullptr;
    Round *round = current();
    if (!round && !client.served) {
        // A first connection that failed (the setup's own burst): try again soon.
        QTimer::singleShot(100, this, [this, index] {
            if (isRunning())
                connectClient(index);
        });
        return;
    }
    if (!client.served && !client.awaitingDrop)
        ++client.failures;
    client.awaitingDrop = false;
    const qint64 delay = round ? delayMs(round->policy) : RetryMs;
    // Precise: Qt coalesces coarse timers of 2 s and more into shared wake-ups, which would
    // bunch the jittered reconnects into spikes of their own.
    QTimer::singleShot(int(delay), Qt::PreciseTimer, this, [this, index] {
        if (isRunning() && !m_clients[size_t(index)].socket)
            connectClient(index);
    });
    client.served = false;
}

void LabStorm::startRound(Policy policy)
{
    for (Client &client : m_clients) {
        client.attemptUs = -1;
        client.servedUs = -1;
        client.failures = 0;
        client.awaitingDrop = true;
    }
    Round round;
    round.policy = policy;
    round.dropUs = clockUs();
    m_rounds.append(round);
    mark(policy == Policy::Fixed
            ? QStringLiteral("all dropped: each retries after a fixed %1 ms").arg(RetryMs)
            : QStringLiteral("all dropped: each retries after %1 ms + random(0..%2 ms)")
                  .arg(RetryMs)
                  .arg(JitterWindowMs));
    m_host->ssePublisher()->dropAll();
}

void LabStorm::check()
{
    int served = 0;
    int back = 0; // This round: answered since the drop.
    for (const Client &client : m_clients) {
        served += client.served ? 1 : 0;
        back += client.servedUs >= 0 ? 1 : 0;
    }
    Round *round = current();
    const bool timeUp = elapsedS() >= m_durationS;
    if (round && (back == m_clientCount || timeUp)) {
        // The round is over: keep when each client tried and was answered.
        for (const Client &client : m_clients) {
            if (client.attemptUs >= 0)
                round->attemptsMs.push_back(double(client.attemptUs - round->dropUs) / 1000);
            if (client.servedUs >= 0)
                round->servedMs.push_back(double(client.servedUs - round->dropUs) / 1000);
            round->failed += client.failures;
        }
        round->done = true;
        mark(QStringLiteral("%1 of %2 back").arg(round->servedMs.size()).arg(m_clientCount));
    }
    if (timeUp) {
        finish();
        return;
    }
    if (!current() && served == m_clientCount) {
        if (m_rounds.isEmpty())
            startRound(Policy::Fixed);
        else if (m_rounds.size() == 1)
            startRound(Policy::Jittered);
        else {
            finish();
            return;
        }
    }
    Q_EMIT updated();
}

LabResult LabStorm::result() const
{
    LabResult result = baseResult();
    result.xTitle = QStringLiteral("ms after the drop");
    result.yTitle = QStringLiteral("clients served per %1 ms").arg(BinMs);
    result.lines = true;
    for (const Round &round : m_rounds) {
        if (!round.done)
            continue;
        LaneFigures f;
        const bool fixed = round.policy == Policy::Fixed;
        f.name = fixed ? QStringLiteral("fixed") : QStringLiteral("jittered");
        f.label = fixed
            ? QStringLiteral("Fixed retry %1 ms").arg(RetryMs)
            : QStringLiteral("%1 ms + jitter of %2 ms").arg(RetryMs).arg(JitterWindowMs);
        f.expected = m_clientCount;
        f.events = qint64(round.servedMs.size()); // clients back
        f.reconnects = qint64(round.servedMs.size());
        f.latencyMs = Percentiles::of(round.servedMs);
        const Percentiles attempts = Percentiles::of(round.attemptsMs);
        double first = 0;
        double last = 0;
        if (!round.attemptsMs.empty()) {
            first = *std::min_element(round.attemptsMs.begin(), round.attemptsMs.end());
            last = *std::max_element(round.attemptsMs.begin(), round.attemptsMs.end());
        }
        // Clients served per bin, and the busiest 10 ms.
        std::map<qint64, int> bins;
        std::map<qint64, int> fine;
        for (const double ms : round.servedMs) {
            ++bins[qint64(ms) / BinMs];
            ++fine[qint64(ms) / 10];
        }
        int peak = 0;
        for (const auto &[bin, count] : fine)
            peak = qMax(peak, count);
        LabSeries series;
        series.lane = f.name;
        if (!bins.empty()) {
            for (qint64 bin = bins.begin()->first - 1; bin <= bins.rbegin()->first + 1; ++bin) {
                const auto it = bins.find(bin);
                series.points.append(
                    QPointF(double(bin * BinMs), it == bins.end() ? 0.0 : double(it->second)));
            }
        }
        result.series.append(series);
        f.extra = {{QStringLiteral("clients"), m_clientCount},
            {QStringLiteral("backMs"), f.latencyMs.toJson()},
            {QStringLiteral("attemptMs"), attempts.toJson()},
            {QStringLiteral("attemptSpreadMs"), last - first},
            {QStringLiteral("peakServedPer10Ms"), peak},
            {QStringLiteral("failedAttempts"), round.failed}};
        result.lanes.append(f);
    }
    result.details
        = {{QStringLiteral("clients"), m_clientCount}, {QStringLiteral("retryMs"), RetryMs},
            {QStringLiteral("jitterWindowMs"), JitterWindowMs}, {QStringLiteral("binMs"), BinMs}};
    return result;
}

} // namespace Pushboard::Lab
