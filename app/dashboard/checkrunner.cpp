#include "checkrunner.h"

#include "endpointcheck.h"

namespace Pushboard {

CheckRunner::CheckRunner(QObject *parent)
    : QObject(parent)
{
    m_progressTimer.setInterval(250);
    connect(&m_progressTimer, &QTimer::timeout, this, &CheckRunner::progressChanged);
}

CheckRunner::~CheckRunner() = default;

QString CheckRunner::endpointFor(const QString &serverUrl, const QString &transport) const
{
    QUrl url(serverUrl);
    QString path = url.path();
    if (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    if (transport == QLatin1String("ws")) {
        url.setScheme(
            url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
        url.setPath(path + QStringLiteral("/ws"));
    } else {
        url.setPath(path + QStringLiteral("/events"));
    }
    return url.toString();
}

void CheckRunner::setUrl(const QString &url)
{
    if (url == m_url)
        return;
    m_url = url;
    Q_EMIT urlChanged();
}

double CheckRunner::progress() const
{
    if (m_check)
        return m_check->progress();
    return m_exitCode >= 0 ? 1.0 : 0.0;
}

double CheckRunner::elapsedS() const
{
    if (m_check)
        return double(m_started.elapsed()) / 1000;
    return m_tookS;
}

bool CheckRunner::start()
{
    if (m_check)
        return false;
    CheckOptions options;
    options.url = QUrl(m_url.trimmed(), QUrl::StrictMode);
    options.token = m_token;
    options.durationS = qBound(1, m_durationS, 3600);
    options.idleS = qBound(0, m_idleS, 3600);
    QString error;
    const auto tls = TlsTrust::fromOptions(m_caFile, m_pin, &error);
    if (tls)
        options.tls = *tls;
    std::unique_ptr<EndpointCheck> check = tls ? EndpointCheck::create(options, &error) : nullptr;
    if (!check) {
        m_summary = error;
        m_exitCode = -1;
        Q_EMIT finished();
        return false;
    }
    m_check = std::move(check);
    connect(m_check.get(), &EndpointCheck::finished, this, &CheckRunner::onFinished,
        Qt::QueuedConnection);
    m_items.setItems({});
    m_checkedUrl = options.url.toString(QUrl::RemoveUserInfo);
    m_started.start();
    m_check->start();
    m_progressTimer.start();
    Q_EMIT runningChanged();
    Q_EMIT progressChanged();
    return true;
}

void CheckRunner::stop()
{
    if (m_check && !m_check->isFinished())
        m_check->stop(); // finished() follows, queued
}

void CheckRunner::onFinished()
{
    if (!m_check)
        return;
    const CheckReport report = m_check->report();
    m_check.reset();
    m_progressTimer.stop();
    m_exitCode = report.exitCode();
    m_tookS = double(report.durationMs) / 1000;
    m_summary = report.reached ? QStringLiteral("%1 passed, %2 warned, %3 failed, %4 skipped")
                                     .arg(report.count(CheckItem::Verdict::Pass))
                                     .arg(report.count(CheckItem::Verdict::Warn))
                                     .arg(report.count(CheckItem::Verdict::Fail))
                                     .arg(report.count(CheckItem::Verdict::Skip))
                               : QStringLiteral("unreachable");
    m_items.setItems(report.items);
    Q_EMIT runningChanged();
    Q_EMIT progressChanged();
    Q_EMIT finished();
}

} // namespace Pushboard
