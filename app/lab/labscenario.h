#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace Pushboard::Lab {

/// The lab's scenarios, in the order the Lab page lists them.
enum class ScenarioId {
    Idle,
    Burst,
    BufferingProxy,
    ServerRestart,
    ReconnectStorm,
    ConnectionLimit,
    HeadOfLine,
    SlowConsumer,
};

/// One preset of the protocol lab: what it runs, and the few sentences that say what to watch
/// and why it happens, with the sections of the standards they come from.
struct Scenario
{
    ScenarioId id = ScenarioId::Idle;
    QString key; ///< The name `pushboard lab KEY` takes: "idle", "burst", ...
    QString title; ///< "Idle stream".
    QString watch; ///< Three or four sentences: what to watch and why.
    QStringList sections; ///< "WHATWG HTML 9.2.7", "RFC 6455 5.5.2", ...
    int defaultDurationS = 20;
    bool simulation = false; ///< A model, not a measurement (said on screen).
};

/// Every scenario, in order.
[[nodiscard]] const QList<Scenario> &scenarios();
/// The scenario called `key`, if any.
[[nodiscard]] std::optional<Scenario> scenario(const QString &key);
/// "idle, burst, proxy, ..." (for usage and error messages).
[[nodiscard]] QString scenarioKeys();

} // namespace Pushboard::Lab
