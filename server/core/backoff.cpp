#include "backoff.h"

#include <QRandomGenerator>

namespace Pushboard {

Backoff::Backoff(std::function<double()> random)
    : m_random(std::move(random))
{
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
}

qint64 Backoff::nextDelay()
{
    const int attempt = m_attempts++;
    if (attempt == 0)
        return m_retryMs;
    // retry * 2^attempt, doubled only while below the cap (m_retryMs <= MaxRetryMs: no overflow).
    qint64 ceiling = m_retryMs;
    for (int i = 0; i < attempt && ceiling < CapMs; ++i)
        ceiling *= 2;
    ceiling = qMax(m_retryMs, qMin(CapMs, ceiling));
    const double random = qBound(0.0, m_random(), 1.0);
    return qMin(ceiling, m_retryMs + qint64(random * double(ceiling - m_retryMs)));
}

} // namespace Pushboard
