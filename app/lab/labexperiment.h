#pragma once

#include "labfigures.h"
#include "labscenario.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>

namespace Pushboard::Lab {

/// One run of a lab scenario: it starts what it needs (its own server on 127.0.0.1, clients,
/// relays), measures, and stops by itself after the duration. Never touches a server it did
/// not start, so a run cannot disturb the dashboard's own stream.
class LabExperiment : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int durationS = 0; ///< 0: the scenario's default.
        int pollIntervalMs = 1000; ///< Short polling's interval.
        QString chromium; ///< The browser for six-connections; empty: look for `chromium`.
        bool browser = true; ///< six-connections: false leaves the browser half out.
    };

    explicit LabExperiment(const Scenario &scenario, QObject *parent = nullptr);
    ~LabExperiment() override;

    /// Starts the run; false with errorString() when it cannot (nothing is left running).
    [[nodiscard]] bool start(const Options &options);
    /// Ends the run early: what was measured so far is the result; finished() follows.
    void stop();

    [[nodiscard]] const Scenario &scenario() const { return m_scenario; }
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// What was measured so far (everything, once finished).
    [[nodiscard]] virtual LabResult result() const = 0;

    /// The run for `scenario`.
    [[nodiscard]] static std::unique_ptr<LabExperiment> create(
        const Scenario &scenario, QObject *parent = nullptr);

Q_SIGNALS:
    /// New figures (at most a few times a second).
    void updated();
    void finished();

protected:
    /// Starts the scenario's parts; false with fail().
    virtual bool begin() = 0;
    /// Stops them (the run is over; the result stays readable).
    virtual void end() = 0;
    /// Ends the run: end(), then finished(). Safe to call twice.
    void finish();
    bool fail(const QString &message);
    void mark(const QString &text);
    /// Seconds since the run began measuring.
    [[nodiscard]] double elapsedS() const;
    /// Microseconds on the run's clock (monotonic; the same clock stamps published events).
    [[nodiscard]] qint64 clockUs() const;
    /// Restarts the run's clock (when the measuring starts, after setting up).
    void restartClock() { m_clock.start(); }
    /// The fields every result has: scenario, elapsed time, finished, marks.
    [[nodiscard]] LabResult baseResult() const;

    Options m_options;
    int m_durationS = 0;

private:
    Scenario m_scenario;
    QString m_error;
    bool m_running = false;
    bool m_finished = false;
    double m_endedS = 0;
    QElapsedTimer m_clock;
    QList<LabMark> m_marks;
};

} // namespace Pushboard::Lab
