#pragma once

#include "event.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>

namespace Pushboard {

/// Faults injected on the server's own deliveries (the WebSocket controls `setLatency` and
/// `stall`), applied in one place for every transport.
///
/// Live events pass through here on their way from the store to the publishers: released() at
/// once when no fault is set, else `latency` ms later, and while a stall lasts, not at all, then
/// all at once in order (as a buffering proxy would). Answers that are not live events (a poll's,
/// a new stream's head and replay) wait the same way through whenDeliverable().
class FaultState : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxMs = 10 * 60 * 1000;

    explicit FaultState(QObject *parent = nullptr);

    /// Every delivery waits `ms` (0 to MaxMs).
    void setLatency(int ms);
    [[nodiscard]] int latency() const { return m_latencyMs; }
    /// Nothing is delivered for `ms` from now (0 ends a stall).
    void stall(int ms);
    [[nodiscard]] bool isStalled() const;
    /// Milliseconds left in the current stall (0 when none).
    [[nodiscard]] qint64 stallRemaining() const;

    /// Runs `action` (with `context` alive) once a delivery that starts now may happen.
    void whenDeliverable(QObject *context, std::function<void()> action);

    /// Forgets every held delivery and fault (the server stops).
    void clear();

    /// Takes the store's appended events.
    void accept(const Pushboard::EventList &events);

Q_SIGNALS:
    /// Events may now be written to subscribers.
    void released(const Pushboard::EventList &events);
    /// Latency or stall changed, or a stall ran out.
    void changed();

private:
    [[nodiscard]] qint64 now() const;
    [[nodiscard]] qint64 dueTime() const;
    void releaseDue();
    void schedule();

    int m_latencyMs = 0;
    qint64 m_stallUntil = 0;
    struct Held
    {
        qint64 due;
        EventList events;
        std::function<void()> action;
        QPointer<QObject> context;
    };
    std::deque<Held> m_held;
    QTimer m_timer;
    QTimer m_stallEnd; ///< Emits changed() when a stall runs out by itself.
};

} // namespace Pushboard
