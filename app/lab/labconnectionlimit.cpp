#include "labconnectionlimit.h"

#include "connectiongate.h"
#include "metricsource.h"
#include "serverconfig.h"
#include "serverhost.h"
#include "ssepublisher.h"
#include "streamclient.h"

#include <QNetworkAccessManager>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

namespace Pushboard::Lab {

namespace {

const QString Topic = QStringLiteral("lab.limit");

/// The page Chromium opens: `Streams` EventSources on `target`, from the page server's origin.
/// Each stream that gets the probe event says so to the page server (`POST /received`), which
/// is how the run counts what the browser really received.
QByteArray page()
{
    return QByteArrayLiteral(
        "<!doctype html><meta charset=utf-8><title>Pushboard lab: six connections</title>\n"
        "<script>\n"
        "const query = new URLSearchParams(location.search);\n"
        "window.sources = [];\n"
        "for (let i = 0; i < Number(query.get('n')); ++i) {\n"
        "  const source = new EventSource(query.get('target') + '/events?topics=lab.limit');\n"
        "  source.addEventListener('lab.limit', () => fetch('/received', {method: 'POST'}));\n"
        "  window.sources.push(source);\n"
        "}\n"
        "</script>\n");
}

} // namespace

LabConnectionLimit::LabConnectionLimit(const Scenario &scenario, QObject *parent)
    : LabExperiment(scenario, parent)
{
    m_sampler.setInterval(250);
    connect(&m_sampler, &QTimer::timeout, this, &LabConnectionLimit::samplePart);
}

LabConnectionLimit::~LabConnectionLimit()
{
    end();
}

QString LabConnectionLimit::findChromium(const QString &preferred)
{
    if (!preferred.isEmpty())
        return preferred;
    const QString fromEnvironment = qEnvironmentVariable("CHROMIUM");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    for (const QString &name : {QStringLiteral("chromium"), QStringLiteral("chromium-browser")}) {
        const QString path = QStandardPaths::findExecutable(name);
        if (!path.isEmpty())
            return path;
    }
    return {};
}

bool LabConnectionLimit::begin()
{
    if (!m_dir.isValid())
        return fail(QStringLiteral("cannot make a temporary directory: ") + m_dir.errorString());
    m_settleMs = qMax(2000, m_durationS * 1000 / 4);
    m_pages = new QTcpServer(this);
    if (!m_pages->listen(QHostAddress::LocalHost, 0))
        return fail(QStringLiteral("cannot serve the lab's page: ") + m_pages->errorString());
    connect(m_pages, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_pages->nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine()) {
                    if (socket->bytesAvailable() > 16 * 1024)
                        socket->abort(); // Not a browser asking for a page.
                    return;
                }
                if (socket->readLine(256).startsWith("POST /received ")) {
                    ++m_browserReceived;
                    socket->write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                } else {
                    const QByteArray body = page();
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                  "Cache-Control: no-store\r\nConnection: close\r\n"
                                  "Content-Length: "
                        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                }
                socket->disconnect(this);
                socket->disconnectFromHost();
            });
        }
    });
    const QString origin = QStringLiteral("http://127.0.0.1:%1").arg(m_pages->serverPort());
    for (const bool tls : {false, true}) {
        ServerConfig config;
        config.port = 0;
        config.store.dataDir
            = m_dir.filePath(tls ? QStringLiteral("tls") : QStringLiteral("plain"));
        config.allowedOrigins = {origin};
        config.tlsSelfSigned = tls;
        auto host = std::make_unique<ServerHost>(std::vector<std::unique_ptr<MetricSource>>());
        if (!host->start(config))
            return fail(QStringLiteral("cannot start the lab's server: ") + host->errorString());
        (tls ? m_tls : m_plain) = std::move(host);
    }
    const auto addPart
        = [this](const QString &name, const QString &label, bool browser, bool http2) {
              Part part;
              part.name = name;
              part.label = label;
              part.browser = browser;
              part.http2 = http2;
              m_parts.append(part);
          };
    addPart(QStringLiteral("qt-h1"), QStringLiteral("Qt client, HTTP/1.1"), false, false);
    addPart(QStringLiteral("qt-h2"), QStringLiteral("Qt client, HTTP/2 + TLS"), false, true);
    m_chromium = m_options.browser ? findChromium(m_options.chromium) : QString();
    if (!m_options.browser) {
        mark(QStringLiteral("the browser half is left out (--no-browser)"));
    } else if (!m_chromium.isEmpty()) {
        addPart(QStringLiteral("chromium-h1"), QStringLiteral("Chromium, HTTP/1.1"), true, false);
        addPart(
            QStringLiteral("chromium-h2"), QStringLiteral("Chromium, HTTP/2 + TLS"), true, true);
    } else {
        mark(QStringLiteral("Chromium not found (set CHROMIUM=/path/to/chromium): the "
                            "browser half is left out"));
    }
    startPart(0);
    return true;
}

void LabConnectionLimit::stopClients()
{
    m_sampler.stop();
    m_clients.clear();
    m_network.reset();
    if (m_browser) {
        m_browser->disconnect(this);
        m_browser->kill();
        m_browser->waitForFinished(5000);
        delete m_browser;
    }
    m_profile.reset();
}

void LabConnectionLimit::end()
{
    stopClients();
    for (auto *host : {&m_plain, &m_tls}) {
        if (*host) {
            (*host)->stop();
            host->reset();
        }
    }
}

ServerHost *LabConnectionLimit::hostOf(const Part &part) const
{
    return part.http2 ? m_tls.get() : m_plain.get();
}

void LabConnectionLimit::startPart(int index)
{
    m_current = index;
    m_probing = false;
    Part &part = m_parts[index];
    m_partStartS = elapsedS();
    mark(QStringLiteral("%1: %2 streams").arg(part.label).arg(Streams));
    ServerHost *host = hostOf(part);
    if (!part.browser) {
        m_network = std::make_unique<QNetworkAccessManager>();
        m_received = 0;
        QString error;
        const auto trust = TlsTrust::fromOptions({}, m_tls->tlsFingerprint(), &error);
        for (int i = 0; i < Streams; ++i) {
            auto client = std::make_unique<StreamClient>();
            connect(client.get(), &StreamClient::message, this, [this](const SseMessage &message) {
                if (message.type == Topic)
                    ++m_received;
            });
            StreamClient::Options options;
            options.url = QUrl(host->url() + QStringLiteral("/events"));
            options.topics = {Topic};
            options.network = m_network.get();
            if (part.http2 && trust)
                options.tls = *trust;
            client->start(options);
            m_clients.push_back(std::move(client));
        }
    } else {
        m_browserReceived = 0;
        m_profile = std::make_unique<QTemporaryDir>();
        m_browser = new QProcess(this);
        m_browser->setProcessChannelMode(QProcess::MergedChannels);
        connect(m_browser, &QProcess::readyRead, this, [this] {
            m_browserOutput += QString::fromLocal8Bit(m_browser->readAll()).right(4000);
            m_browserOutput = m_browserOutput.right(4000);
        });
        connect(m_browser, &QProcess::finished, this, [this, index] {
            if (m_current == index && !m_parts[index].done)
                m_parts[index].error = QStringLiteral("Chromium exited early: ")
                    + m_browserOutput.trimmed().section(QLatin1Char('\n'), -1);
        });
        connect(
            m_browser, &QProcess::errorOccurred, this, [this, index](QProcess::ProcessError error) {
                if (m_current != index || m_parts[index].done || !m_browser)
                    return;
                m_parts[index].error = error == QProcess::FailedToStart
                    ? QStringLiteral("cannot start %1: %2")
                          .arg(m_chromium, m_browser->errorString())
                    : m_browser->errorString();
                if (error != QProcess::FailedToStart || m_probing)
                    return;
                // Nothing to wait for: the part ends now (on the next turn, outside the
                // process's own signal).
                m_probing = true;
                m_sampler.stop();
                QTimer::singleShot(0, this, [this, index] {
                    if (isRunning() && m_current == index)
                        endPart();
                });
            });
        const QString url = QStringLiteral("http://127.0.0.1:%1/?n=%2&target=%3")
                                .arg(m_pages->serverPort())
                                .arg(Streams)
                                .arg(QString::fromLatin1(QUrl::toPercentEncoding(host->url())));
        // --no-sandbox: the lab may run as root (a container); the page is our own.
        m_browser->start(m_chromium,
            {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"),
                QStringLiteral("--disable-gpu"), QStringLiteral("--no-first-run"),
                QStringLiteral("--ignore-certificate-errors"),
                QStringLiteral("--user-data-dir=") + m_profile->path(),
                QStringLiteral("--remote-debugging-port=0"), url});
    }
    m_stableSinceS = elapsedS();
    m_sampler.start();
}

void LabConnectionLimit::samplePart()
{
    if (m_current < 0 || m_current >= m_parts.size())
        return;
    Part &part = m_parts[m_current];
    ServerHost *host = hostOf(part);
    const int open = int(host->ssePublisher()->streams().size());
    const int connections = host->gate()->connectionCount();
    if (open != part.streamsOpen || connections != part.connections)
        m_stableSinceS = elapsedS();
    part.streamsOpen = open;
    part.connections = connections;
    const double intoPart = elapsedS() - m_partStartS;
    part.openOverTime.append(QPointF(intoPart, part.streamsOpen));
    // The count is what the client gets once it has settled: unchanged for a second after
    // the settling time, and not still nothing (a browser starting on a loaded machine can take
    // longer than the settling time to open its first stream); at most 15 s.
    const bool settled = intoPart * 1000 >= m_settleMs && elapsedS() - m_stableSinceS >= 1.0
        && part.streamsOpen > 0;
    if (!m_probing && (settled || intoPart > 15)) {
        m_probing = true;
        probe();
    }
    Q_EMIT updated();
}

void LabConnectionLimit::probe()
{
    m_sampler.stop();
    // One event on the server: every stream that is really open gets it.
    Part &part = m_parts[m_current];
    hostOf(part)->store()->append({{Topic, QByteArrayLiteral("{\"probe\":true}")}});
    // The browser's streams answer through the page server: give them a little longer.
    QTimer::singleShot(part.browser ? 1500 : 750, this, [this, index = m_current] {
        if (isRunning() && m_current == index)
            endPart();
    });
}

void LabConnectionLimit::endPart()
{
    Part &part = m_parts[m_current];
    part.done = true;
    part.received = part.browser ? m_browserReceived : m_received;
    if (part.error.isEmpty())
        mark(QStringLiteral("%1: %2 streams open on %3 connection(s)")
                 .arg(part.label)
                 .arg(part.streamsOpen)
                 .arg(part.connections));
    else
        mark(QStringLiteral("%1: %2").arg(part.label, part.error));
    stopClients();
    // The streams just closed leave the servers before the next part counts.
    QTimer::singleShot(500, this, [this] {
        if (!isRunning())
            return;
        if (m_current + 1 < m_parts.size())
            startPart(m_current + 1);
        else
            finish();
    });
}

LabResult LabConnectionLimit::result() const
{
    LabResult result = baseResult();
    result.xTitle = QStringLiteral("seconds into each part");
    result.yTitle = QStringLiteral("SSE streams open on the server");
    result.lines = true;
    for (const Part &part : m_parts) {
        LaneFigures f;
        f.name = part.name;
        f.label = part.label;
        f.expected = Streams;
        f.connectionsOpen = part.connections;
        f.events = part.received < 0 ? 0 : part.received;
        f.extra = {{QStringLiteral("streamsAsked"), Streams},
            {QStringLiteral("streamsOpen"), part.streamsOpen},
            {QStringLiteral("tcpConnections"), part.connections},
            {QStringLiteral("protocol"),
                part.http2 ? QStringLiteral("h2") : QStringLiteral("http/1.1")},
            {QStringLiteral("client"),
                part.browser ? QStringLiteral("chromium") : QStringLiteral("qt")},
            {QStringLiteral("done"), part.done}};
        if (part.received >= 0)
            f.extra.insert(QStringLiteral("received"), part.received);
        if (!part.error.isEmpty())
            f.extra.insert(QStringLiteral("error"), part.error);
        result.lanes.append(f);
        result.series.append({part.name, part.openOverTime, {}});
    }
    result.details
        = {{QStringLiteral("streams"), Streams}, {QStringLiteral("settleMs"), m_settleMs},
            {QStringLiteral("chromium"),
                m_chromium.isEmpty() ? QStringLiteral("not found") : m_chromium}};
    return result;
}

} // namespace Pushboard::Lab
