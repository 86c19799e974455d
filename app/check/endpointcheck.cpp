#include "endpointcheck.h"

#include "ssecheck.h"
#include "wscheck.h"

#include <QDateTime>

namespace Pushboard {

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'f', ms < 10000 ? 1 : 0);
}

std::unique_ptr<EndpointCheck> EndpointCheck::create(const CheckOptions &options, QString *error)
{
    const QString scheme = options.url.scheme();
    if (!options.url.isValid() || options.url.host().isEmpty()) {
        *error = QStringLiteral("'%1' is not a URL with a host")
                     .arg(options.url.toString(QUrl::RemoveUserInfo));
        return nullptr;
    }
    if (scheme == QLatin1String("http") || scheme == QLatin1String("https"))
        return std::make_unique<SseCheck>(options);
    if (scheme == QLatin1String("ws") || scheme == QLatin1String("wss"))
        return std::make_unique<WsCheck>(options);
    *error = QStringLiteral("'%1' is neither http(s):// (an SSE stream) nor ws(s):// (a WebSocket)")
                 .arg(options.url.toString(QUrl::RemoveUserInfo));
    return nullptr;
}

EndpointCheck::EndpointCheck(const CheckOptions &options, const QString &transport, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_report.url = options.url;
    m_report.transport = transport;
    m_report.startedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const qint64 durationMs = qint64(options.durationS) * 1000;
    m_observeMs
        = options.idleS > 0 ? qMax(durationMs, qint64(options.idleS) * 1000 + 1000) : durationMs;
    m_clock.start();
}

EndpointCheck::~EndpointCheck() = default;

double EndpointCheck::progress() const
{
    if (m_finished)
        return 1;
    // The last probes take about a second after the main connection closes.
    return qBound(0.0, double(m_clock.elapsed()) / double(m_observeMs + 1000), 0.99);
}

ProbeConnection::Request EndpointCheck::baseRequest() const
{
    ProbeConnection::Request request;
    request.url = m_options.url;
    request.tls = m_options.tls;
    request.addHeader(
        QByteArrayLiteral("User-Agent"), QByteArrayLiteral("pushboard-check/" PUSHBOARD_VERSION));
    if (!m_options.token.isEmpty())
        request.addHeader("Authorization", "Bearer " + m_options.token.toUtf8());
    return request;
}

void EndpointCheck::add(const QString &id, const QString &title, CheckItem::Verdict verdict,
    const QString &evidence, const QString &why)
{
    m_report.items.append({id, title, verdict, evidence, why});
}

void EndpointCheck::finishReport(bool reached)
{
    if (m_finished)
        return;
    m_finished = true;
    m_report.reached = reached;
    m_report.durationMs = m_clock.elapsed();
    Q_EMIT finished();
}

} // namespace Pushboard
