#include "inspectorsession.h"

#include "captureexport.h"

#include <QSaveFile>

namespace Pushboard {

InspectorSession::InspectorSession(QObject *parent)
    : QObject(parent)
    , m_server(&m_log)
    , m_frames(&m_log)
    , m_connections(&m_log)
    , m_timeline(&m_log)
    , m_detail(&m_log)
{
    m_statsTimer.setInterval(500);
    connect(&m_statsTimer, &QTimer::timeout, this, &InspectorSession::statsChanged);
    m_statsTimer.start();
    connect(&m_server, &ServerCapture::stateChanged, this, [this] {
        if (!m_server.isRunning() && !m_server.errorString().isEmpty())
            setError(m_server.errorString());
        Q_EMIT listeningChanged();
    });
}

InspectorSession::~InspectorSession()
{
    m_tap.reset(); // Before the log it writes to.
}

bool InspectorSession::start(const QUrl &upstream, int port)
{
    const bool wasWatchingServer = m_server.isRunning();
    stop();
    if (wasWatchingServer)
        m_log.clear(); // Another source: start afresh.
    auto tap = std::make_unique<WireTap>(&m_log);
    if (port < 0 || port > 65535
        || !tap->listen(QHostAddress::LocalHost, quint16(port), upstream)) {
        setError(port < 0 || port > 65535 ? QStringLiteral("the port must be from 0 to 65535")
                                          : tap->errorString());
        return false;
    }
    tap->setFaults(m_faults);
    m_tap = std::move(tap);
    setError({});
    Q_EMIT listeningChanged();
    return true;
}

void InspectorSession::watchServer(const QString &serverUrl, const QString &token)
{
    stop();
    m_log.clear();
    setError({});
    m_server.start(QUrl(serverUrl), token);
}

void InspectorSession::stop()
{
    m_server.stop();
    if (!m_tap)
        return;
    m_tap.reset();
    Q_EMIT listeningChanged();
}

QUrl InspectorSession::relayUrl() const
{
    return m_tap ? m_tap->relayUrl() : QUrl();
}

void InspectorSession::setConnectionFaults(
    int connection, int latencyMs, double bytesPerSecond, bool stall)
{
    if (!m_tap || connection <= 0)
        return;
    WireTap::Faults faults;
    faults.latencyMs = qBound(0, latencyMs, 600'000);
    faults.bytesPerSecond = qMax<qint64>(0, qint64(bytesPerSecond));
    faults.stall = stall;
    m_tap->setConnectionFaults(quint64(connection), faults);
}

void InspectorSession::dropNow(int connection)
{
    if (m_tap)
        m_tap->dropNow(quint64(qMax(0, connection)));
}

void InspectorSession::cutMidFrame(int connection)
{
    if (m_tap)
        m_tap->cutMidFrame(quint64(qMax(0, connection)));
}

void InspectorSession::clear()
{
    m_log.clear();
    m_detail.select(qint64(0));
    Q_EMIT statsChanged();
}

bool InspectorSession::exportTo(const QString &format, const QString &path)
{
    const QString file = path.startsWith(u"file:") ? QUrl(path).toLocalFile() : path;
    QByteArray bytes;
    if (format == u"json")
        bytes = CaptureExport::toJson(m_log);
    else if (format == u"har")
        bytes = CaptureExport::toHar(m_log);
    else if (format == u"pcapng")
        bytes = CaptureExport::toPcapng(m_log);
    else {
        setError(QStringLiteral("no export format '%1' (json, har, pcapng)").arg(format));
        return false;
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
        setError(QStringLiteral("cannot write %1: %2").arg(file, out.errorString()));
        return false;
    }
    setError({});
    return true;
}

void InspectorSession::setFaults(const WireTap::Faults &faults)
{
    if (faults == m_faults)
        return;
    m_faults = faults;
    if (m_tap)
        m_tap->setFaults(faults);
    Q_EMIT faultsChanged();
}

void InspectorSession::setLatencyMs(int ms)
{
    WireTap::Faults f = m_faults;
    f.latencyMs = qBound(0, ms, 600'000);
    setFaults(f);
}

void InspectorSession::setBytesPerSecond(qint64 bps)
{
    WireTap::Faults f = m_faults;
    f.bytesPerSecond = qMax<qint64>(0, bps);
    setFaults(f);
}

void InspectorSession::setStall(bool stall)
{
    WireTap::Faults f = m_faults;
    f.stall = stall;
    setFaults(f);
}

void InspectorSession::setBlackHole(bool blackHole)
{
    WireTap::Faults f = m_faults;
    f.blackHole = blackHole;
    setFaults(f);
}

void InspectorSession::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorStringChanged();
}

} // namespace Pushboard
