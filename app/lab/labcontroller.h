#pragma once

#include "labexperiment.h"
#include "lablanemodel.h"

#include <QColor>
#include <QObject>
#include <QQmlEngine>
#include <QTimer>
#include <QVariantList>
#include <QtCharts/QAbstractSeries>

#include <memory>

namespace Pushboard::Lab {

/// The Lab page's one object: the scenario chosen, its text, the run (start, stop, elapsed
/// time), the lanes' figures as a model, the chart's points fed to Qt Charts series in C++,
/// and the exports (CSV figures, PNG chart). Each run is a LabExperiment with its own server,
/// so the lab never disturbs the dashboard's stream.
class LabController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /// `[{key, title}]` of every scenario, in order (static).
    Q_PROPERTY(QVariantList scenarios READ scenarios CONSTANT)
    /// The chosen scenario's key ("idle", "burst", ...).
    Q_PROPERTY(QString scenario READ scenarioKey WRITE setScenarioKey NOTIFY scenarioChanged)
    Q_PROPERTY(QString title READ title NOTIFY scenarioChanged)
    /// What to watch and why, citing the standards.
    Q_PROPERTY(QString watch READ watch NOTIFY scenarioChanged)
    /// "WHATWG HTML 9.2.7 · RFC 6455 5.5.2".
    Q_PROPERTY(QString sections READ sections NOTIFY scenarioChanged)
    /// The scenario is a model, not a measurement.
    Q_PROPERTY(bool simulation READ simulation NOTIFY scenarioChanged)
    /// Seconds to run (0: the scenario's default).
    Q_PROPERTY(int duration READ duration WRITE setDuration NOTIFY durationChanged)
    Q_PROPERTY(int defaultDuration READ defaultDuration NOTIFY scenarioChanged)
    /// Short polling's interval in ms.
    Q_PROPERTY(int pollInterval READ pollInterval WRITE setPollInterval NOTIFY pollIntervalChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    /// "running 4.2 s", "finished after 20.0 s", an error, or what an export wrote.
    Q_PROPERTY(QString status READ status NOTIFY statusChanged)
    Q_PROPERTY(Pushboard::Lab::LabLaneModel *lanes READ lanes CONSTANT)
    Q_PROPERTY(QString xTitle READ xTitle NOTIFY chartChanged)
    Q_PROPERTY(QString yTitle READ yTitle NOTIFY chartChanged)
    Q_PROPERTY(double xMax READ xMax NOTIFY chartChanged)
    Q_PROPERTY(double yMax READ yMax NOTIFY chartChanged)
    /// Draw lines (a distribution) rather than a dot per event.
    Q_PROPERTY(bool lines READ lines NOTIFY chartChanged)
    /// When each mark happened, in seconds (only when the chart's x axis is the run's time).
    Q_PROPERTY(QVariantList markTimes READ markTimes NOTIFY chartChanged)
    /// The most bytes per event of any lane (what the page scales its bars to); at least 1.
    Q_PROPERTY(double widestPerEvent READ widestPerEvent NOTIFY chartChanged)
    /// The run's marks as text lines, "3.2 s  server stopped".
    Q_PROPERTY(QStringList marks READ marks NOTIFY chartChanged)

public:
    /// Points per chart series at most (older ones are thinned out).
    static constexpr int MaxPoints = 4000;

    explicit LabController(QObject *parent = nullptr);
    ~LabController() override;

    [[nodiscard]] QVariantList scenarios() const;
    [[nodiscard]] QString scenarioKey() const { return m_scenario.key; }
    void setScenarioKey(const QString &key);
    [[nodiscard]] QString title() const { return m_scenario.title; }
    [[nodiscard]] QString watch() const { return m_scenario.watch; }
    [[nodiscard]] QString sections() const;
    [[nodiscard]] bool simulation() const { return m_scenario.simulation; }
    [[nodiscard]] int duration() const { return m_duration; }
    void setDuration(int seconds);
    [[nodiscard]] int defaultDuration() const { return m_scenario.defaultDurationS; }
    [[nodiscard]] int pollInterval() const { return m_pollInterval; }
    void setPollInterval(int ms);
    [[nodiscard]] bool running() const { return m_run && m_run->isRunning(); }
    [[nodiscard]] QString status() const { return m_status; }
    [[nodiscard]] LabLaneModel *lanes() { return &m_lanes; }
    [[nodiscard]] QString xTitle() const { return m_result.xTitle; }
    [[nodiscard]] QString yTitle() const { return m_result.yTitle; }
    [[nodiscard]] double xMax() const { return m_xMax; }
    [[nodiscard]] double yMax() const { return m_yMax; }
    [[nodiscard]] bool lines() const { return m_result.lines; }
    [[nodiscard]] QStringList marks() const;
    [[nodiscard]] double widestPerEvent() const;
    [[nodiscard]] QVariantList markTimes() const;
    /// The newest figures (what the exports write).
    [[nodiscard]] const LabResult &result() const { return m_result; }

    /// Starts the chosen scenario (a running one is stopped first).
    Q_INVOKABLE void start();
    Q_INVOKABLE void stop();
    /// Replaces `series` (a QXYSeries) with lane `row`'s points (`marked`: its replayed or
    /// held-back points); an empty series when there is no such lane.
    Q_INVOKABLE void feed(QAbstractSeries *series, int row, bool marked) const;
    /// The colour and the label of lane `row` (for the chart's series and legend).
    Q_INVOKABLE QColor colorAt(int row) const;
    Q_INVOKABLE QString labelAt(int row) const;
    /// Writes the figures as CSV / the chart as PNG into `directory` (empty: the Documents
    /// folder); status says where, or why not.
    Q_INVOKABLE bool exportCsv(const QString &directory = {});
    Q_INVOKABLE bool exportPng(const QString &directory = {});

Q_SIGNALS:
    void scenarioChanged();
    void durationChanged();
    void pollIntervalChanged();
    void runningChanged();
    void statusChanged();
    /// New points, axes or marks: feed the series again.
    void chartChanged();

private:
    void refresh();
    void setStatus(const QString &status);
    [[nodiscard]] QString exportPath(const QString &directory, const QString &suffix) const;

    Scenario m_scenario;
    int m_duration = 0;
    int m_pollInterval = 1000;
    std::unique_ptr<LabExperiment> m_run;
    LabResult m_result;
    LabLaneModel m_lanes;
    double m_xMax = 10;
    double m_yMax = 10;
    QString m_status;
    QTimer m_throttle; ///< At most two chart refreshes a second.
    bool m_pending = false;
};

} // namespace Pushboard::Lab
