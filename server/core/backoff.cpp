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
    const qint64 ceiling = qMax(m_retryMs, qMin<qint64>(CapMs, m_retryMs << qMin(attempt, 20)));
    return m_retryMs + qint64(m_random() * double(ceiling - m_retryMs));
}

} // namespace Pushboard
