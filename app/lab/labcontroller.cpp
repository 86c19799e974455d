#include "labcontroller.h"

#include "labchart.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QtCharts/QXYSeries>

#include <cmath>

namespace Pushboard::Lab {

namespace {

double roundUp(double value)
{
    if (value <= 0)
        return 1;
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double m : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        if (value <= m * power)
            return m * power;
    }
    return 10 * power;
}

QList<QPointF> thinned(const QList<QPointF> &points, int max)
{
    if (points.size() <= max)
        return points;
    QList<QPointF> out;
    out.reserve(max);
    const double step = double(points.size()) / max;
    for (int i = 0; i < max; ++i)
        out.append(points.at(qsizetype(i * step)));
    return out;
}

} // namespace

LabController::LabController(QObject *parent)
    : QObject(parent)
    , m_scenario(Lab::scenarios().constFirst())
{
    m_throttle.setInterval(500);
    m_throttle.setSingleShot(true);
    connect(&m_throttle, &QTimer::timeout, this, [this] {
        if (m_pending)
            refresh();
    });
}

LabController::~LabController() = default;

QVariantList LabController::scenarios() const
{
    QVariantList list;
    for (const Scenario &s : Lab::scenarios())
        list.append(
            QVariantMap {{QStringLiteral("key"), s.key}, {QStringLiteral("title"), s.title}});
    return list;
}

void LabController::setScenarioKey(const QString &key)
{
    const auto found = Lab::scenario(key);
    if (!found || found->key == m_scenario.key)
        return;
    m_scenario = *found;
    Q_EMIT scenarioChanged();
}

QString LabController::sections() const
{
    return m_scenario.sections.join(QStringLiteral(" · "));
}

void LabController::setDuration(int seconds)
{
    seconds = qBound(0, seconds, 3600);
    if (seconds == m_duration)
        return;
    m_duration = seconds;
    Q_EMIT durationChanged();
}

void LabController::setPollInterval(int ms)
{
    ms = qBound(50, ms, 60'000);
    if (ms == m_pollInterval)
        return;
    m_pollInterval = ms;
    Q_EMIT pollIntervalChanged();
}

QStringList LabController::marks() const
{
    QStringList lines;
    for (const LabMark &mark : m_result.marks)
        lines.append(QStringLiteral("%1 s  %2").arg(mark.atS, 0, 'f', 1).arg(mark.text));
    return lines;
}

QVariantList LabController::markTimes() const
{
    QVariantList times;
    if (m_result.isTimeAxis()) {
        for (const LabMark &mark : m_result.marks)
            times.append(mark.atS);
    }
    return times;
}

double LabController::widestPerEvent() const
{
    double widest = 1;
    for (const LaneFigures &lane : m_result.lanes) {
        if (lane.events > 0)
            widest = qMax(widest, double(lane.wireBytes()) / double(lane.events));
    }
    return widest;
}

void LabController::start()
{
    stop();
    m_lanes.clear();
    m_run = LabExperiment::create(m_scenario);
    connect(m_run.get(), &LabExperiment::updated, this, [this] {
        if (m_throttle.isActive()) {
            m_pending = true;
            return;
        }
        refresh();
        m_throttle.start();
    });
    connect(m_run.get(), &LabExperiment::finished, this, [this] {
        refresh();
        Q_EMIT runningChanged();
    });
    LabExperiment::Options options;
    options.durationS = m_duration;
    options.pollIntervalMs = m_pollInterval;
    if (!m_run->start(options)) {
        setStatus(m_run->errorString());
        m_run.reset();
        return;
    }
    refresh();
    Q_EMIT runningChanged();
}

void LabController::stop()
{
    if (m_run && m_run->isRunning())
        m_run->stop(); // finished() refreshes.
}

void LabController::refresh()
{
    m_pending = false;
    if (!m_run)
        return;
    m_result = m_run->result();
    m_lanes.update(m_result.lanes);
    const QPointF extent = m_result.extent();
    m_xMax = roundUp(extent.x() * 1.02);
    m_yMax = roundUp(extent.y() * 1.05);
    setStatus(m_run->isRunning()
            ? QStringLiteral("running: %1 s").arg(m_result.elapsedS, 0, 'f', 1)
            : QStringLiteral("finished after %1 s").arg(m_result.elapsedS, 0, 'f', 1));
    Q_EMIT chartChanged();
}

void LabController::feed(QAbstractSeries *series, int row, bool marked) const
{
    auto *xy = qobject_cast<QXYSeries *>(series);
    if (!xy)
        return;
    if (row < 0 || row >= m_result.series.size()) {
        xy->clear();
        return;
    }
    const LabSeries &s = m_result.series.at(row);
    xy->replace(thinned(marked ? s.marked : s.points, MaxPoints));
}

QColor LabController::colorAt(int row) const
{
    if (row < 0 || row >= m_result.lanes.size())
        return {};
    return LabChart::colorOf(m_result.lanes.at(row).name);
}

QString LabController::labelAt(int row) const
{
    if (row < 0 || row >= m_result.lanes.size())
        return {};
    const LaneFigures &lane = m_result.lanes.at(row);
    return lane.label.isEmpty() ? lane.name : lane.label;
}

QString LabController::exportPath(const QString &directory, const QString &suffix) const
{
    QString dir = directory;
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    QDir().mkpath(dir);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    return QDir(dir).filePath(
        QStringLiteral("pushboard-lab-%1-%2.%3").arg(m_result.scenario, stamp, suffix));
}

bool LabController::exportCsv(const QString &directory)
{
    if (m_result.lanes.isEmpty()) {
        setStatus(QStringLiteral("nothing to export yet: run a scenario first"));
        return false;
    }
    const QString path = exportPath(directory, QStringLiteral("csv"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(m_result.toCsv()) < 0
        || !file.flush()) {
        setStatus(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    setStatus(QStringLiteral("figures written to %1").arg(path));
    return true;
}

bool LabController::exportPng(const QString &directory)
{
    if (m_result.lanes.isEmpty()) {
        setStatus(QStringLiteral("nothing to export yet: run a scenario first"));
        return false;
    }
    const QString path = exportPath(directory, QStringLiteral("png"));
    if (!LabChart::render(m_result).save(path, "PNG")) {
        setStatus(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    setStatus(QStringLiteral("chart written to %1").arg(path));
    return true;
}

void LabController::setStatus(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged();
}

} // namespace Pushboard::Lab
