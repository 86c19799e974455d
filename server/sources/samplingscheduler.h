#pragma once

#include "metricsource.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace Pushboard {

class EventLog;

/// Asks every MetricSource for its events once per interval and publishes them to the event log
/// as one batch (stored in one transaction).
class SamplingScheduler : public QObject
{
    Q_OBJECT

public:
    SamplingScheduler(EventLog *store, std::vector<std::unique_ptr<MetricSource>> sources,
        QObject *parent = nullptr);
    /// The log to publish to; ServerHost sets it when it opens one.
    void setEventLog(EventLog *log) { m_store = log; }

    /// Samples once now and then every interval() ms, unless paused.
    void start();
    void stop();

    [[nodiscard]] int interval() const { return m_timer.interval(); }
    /// Takes effect at once: the next tick comes `ms` after this call.
    void setInterval(int ms);

    [[nodiscard]] bool isPaused() const { return m_paused; }
    void pause();
    void resume();

    /// Samples every source and publishes the batch. Returns the number of events published; a
    /// batch the log cannot store is logged and dropped (the next tick samples anew).
    qsizetype tick();

private:
    EventLog *m_store;
    std::vector<std::unique_ptr<MetricSource>> m_sources;
    QTimer m_timer;
    bool m_started = false;
    bool m_paused = false;
};

} // namespace Pushboard
