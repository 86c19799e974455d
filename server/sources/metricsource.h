#pragma once

#include "event.h"

#include <QList>

namespace Pushboard {

/// Something the SamplingScheduler asks for events once per tick.
class MetricSource
{
public:
    virtual ~MetricSource() = default;
    /// The events of this tick (topic + JSON payload). Rates need two readings, so the first
    /// call may return fewer topics than later ones.
    virtual QList<EventDraft> sample() = 0;
};

} // namespace Pushboard
