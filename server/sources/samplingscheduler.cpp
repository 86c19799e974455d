#include "samplingscheduler.h"

#include "eventlog.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSampling, "pushboard.sources", QtInfoMsg)

namespace Pushboard {

SamplingScheduler::SamplingScheduler(
    EventLog *store, std::vector<std::unique_ptr<MetricSource>> sources, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_sources(std::move(sources))
{
    m_timer.setInterval(1000);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SamplingScheduler::tick);
}

void SamplingScheduler::start()
{
    m_started = true;
    if (m_paused)
        return;
    tick();
    m_timer.start();
}

void SamplingScheduler::stop()
{
    m_started = false;
    m_timer.stop();
}

void SamplingScheduler::setInterval(int ms)
{
    m_timer.setInterval(ms);
    if (m_timer.isActive())
        m_timer.start();
}

void SamplingScheduler::pause()
{
    m_paused = true;
    m_timer.stop();
}

void SamplingScheduler::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    if (m_started)
        start();
}

qsizetype SamplingScheduler::tick()
{
    QList<EventDraft> batch;
    for (const auto &source : m_sources)
        batch += source->sample();
    if (batch.isEmpty())
        return 0;
    m_store->publish(batch, [](const EventList &stored, const QString &error) {
        if (stored.isEmpty())
            qCWarning(lcSampling) << "metrics not stored:" << error;
    });
    return batch.size();
}

} // namespace Pushboard
