#include "faultstate.h"

#include <QDeadlineTimer>

namespace Pushboard {

FaultState::FaultState(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &FaultState::releaseDue);
    m_stallEnd.setSingleShot(true);
    m_stallEnd.setTimerType(Qt::PreciseTimer);
    connect(&m_stallEnd, &QTimer::timeout, this, [this] {
        if (const qint64 left = stallRemaining(); left > 0) {
            m_stallEnd.start(int(left)); // a timer may fire a little early
            return;
        }
        releaseDue();
        Q_EMIT changed();
    });
}

qint64 FaultState::now() const
{
    return QDeadlineTimer::current().deadline();
}

qint64 FaultState::dueTime() const
{
    return now() + m_latencyMs; // The stall is applied at release: it may end early.
}

void FaultState::setLatency(int ms)
{
    m_latencyMs = qBound(0, ms, MaxMs);
    Q_EMIT changed();
}

void FaultState::stall(int ms)
{
    m_stallUntil = ms > 0 ? now() + qMin(ms, MaxMs) : 0;
    if (ms > 0)
        m_stallEnd.start(qMin(ms, MaxMs));
    else
        m_stallEnd.stop();
    releaseDue(); // A stall of 0 ends the current one: release what it held.
    Q_EMIT changed();
}

void FaultState::clear()
{
    m_held.clear();
    m_timer.stop();
    m_stallEnd.stop();
    m_latencyMs = 0;
    m_stallUntil = 0;
}

bool FaultState::isStalled() const
{
    return stallRemaining() > 0;
}

qint64 FaultState::stallRemaining() const
{
    return qMax<qint64>(0, m_stallUntil - now());
}

void FaultState::accept(const EventList &events)
{
    if (m_held.empty() && m_latencyMs == 0 && !isStalled()) {
        Q_EMIT released(events);
        return;
    }
    m_held.push_back(Held {dueTime(), events, {}, {}});
    schedule();
}

void FaultState::whenDeliverable(QObject *context, std::function<void()> action)
{
    if (m_held.empty() && m_latencyMs == 0 && !isStalled()) {
        action();
        return;
    }
    m_held.push_back(Held {dueTime(), {}, std::move(action), context});
    schedule();
}

void FaultState::releaseDue()
{
    // In order, and never past the stall: a delivery may not overtake an earlier one.
    const qint64 t = now();
    while (!m_held.empty() && m_held.front().due <= t && t >= m_stallUntil) {
        Held held = std::move(m_held.front());
        m_held.pop_front();
        if (!held.events.isEmpty())
            Q_EMIT released(held.events);
        else if (held.context)
            held.action();
    }
    schedule();
}

void FaultState::schedule()
{
    if (m_held.empty()) {
        m_timer.stop();
        return;
    }
    const qint64 wait = qMax(m_held.front().due, m_stallUntil) - now();
    m_timer.start(int(qBound(qint64(0), wait, qint64(MaxMs))));
}

} // namespace Pushboard
