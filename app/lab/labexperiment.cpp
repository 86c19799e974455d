#include "labexperiment.h"

#include "labconnectionlimit.h"
#include "labheadofline.h"
#include "labstorm.h"
#include "labstreamrun.h"

namespace Pushboard::Lab {

LabExperiment::LabExperiment(const Scenario &scenario, QObject *parent)
    : QObject(parent)
    , m_scenario(scenario)
{
    m_clock.start();
}

LabExperiment::~LabExperiment() = default;

std::unique_ptr<LabExperiment> LabExperiment::create(const Scenario &scenario, QObject *parent)
{
    switch (scenario.id) {
    case ScenarioId::ReconnectStorm:
        return std::make_unique<LabStorm>(scenario, parent);
    case ScenarioId::ConnectionLimit:
        return std::make_unique<LabConnectionLimit>(scenario, parent);
    case ScenarioId::HeadOfLine:
        return std::make_unique<LabHeadOfLine>(scenario, parent);
    case ScenarioId::Idle:
    case ScenarioId::Burst:
    case ScenarioId::BufferingProxy:
    case ScenarioId::ServerRestart:
    case ScenarioId::SlowConsumer:
        break;
    }
    return std::make_unique<LabStreamRun>(scenario, parent);
}

bool LabExperiment::start(const Options &options)
{
    if (m_running || m_finished)
        return fail(QStringLiteral("a lab run starts once"));
    m_options = options;
    m_durationS = options.durationS > 0 ? options.durationS : m_scenario.defaultDurationS;
    m_clock.start();
    m_running = true;
    if (!begin()) {
        m_running = false;
        end();
        return false;
    }
    return true;
}

void LabExperiment::stop()
{
    if (m_running)
        finish();
}

void LabExperiment::finish()
{
    if (!m_running)
        return;
    m_running = false;
    m_finished = true;
    m_endedS = elapsedS();
    end();
    Q_EMIT updated();
    Q_EMIT finished();
}

bool LabExperiment::fail(const QString &message)
{
    m_error = message;
    return false;
}

void LabExperiment::mark(const QString &text)
{
    m_marks.append({elapsedS(), text});
}

double LabExperiment::elapsedS() const
{
    return double(m_clock.nsecsElapsed()) / 1e9;
}

qint64 LabExperiment::clockUs() const
{
    return m_clock.nsecsElapsed() / 1000;
}

LabResult LabExperiment::baseResult() const
{
    LabResult result;
    result.scenario = m_scenario.key;
    result.chartTitle = m_scenario.title;
    result.elapsedS = m_finished ? m_endedS : elapsedS();
    result.finished = m_finished;
    result.marks = m_marks;
    return result;
}

} // namespace Pushboard::Lab
