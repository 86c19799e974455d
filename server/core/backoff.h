#pragma once

#include <QtGlobal>

#include <functional>

namespace Pushboard {

/// Reconnection delays: as EventSource takes them, plus backoff when reconnecting keeps failing.
///
/// The first reconnect after a connection ends waits exactly `retry` (2000 ms unless the server
/// sent `retry:`). Each further failed attempt n (1, 2, ...) waits a uniformly random time between
/// `retry` and `min(CapMs, retry * 2^n)` ("full jitter" above the floor the server asked for), so
/// that many clients of a restarted server do not come back in lockstep. A successful connection
/// starts over at attempt 0.
///
/// Whatever a server sends, `retry` is held to [MinRetryMs, MaxRetryMs]: `retry: 0` from a server
/// that closes each stream at once must not become a busy reconnect loop (Firefox's EventSource
/// has the same 500 ms floor), and no value overflows the arithmetic.
class Backoff
{
public:
    static constexpr qint64 DefaultRetryMs = 2000;
    static constexpr qint64 CapMs = 30000;
    static constexpr qint64 MinRetryMs = 500;
    static constexpr qint64 MaxRetryMs = 3600 * 1000;

    /// `random` returns a value in [0, 1) (tests pass a fixed one).
    explicit Backoff(std::function<double()> random = {});

    void setRetry(qint64 ms) { m_retryMs = qBound(MinRetryMs, ms, MaxRetryMs); }
    [[nodiscard]] qint64 retry() const { return m_retryMs; }
    [[nodiscard]] int attempts() const { return m_attempts; }

    /// The delay before the next attempt; counts the attempt.
    qint64 nextDelay();
    /// A connection succeeded: the next delay is `retry` again.
    void succeeded() { m_attempts = 0; }

private:
    std::function<double()> m_random;
    qint64 m_retryMs = DefaultRetryMs;
    int m_attempts = 0;
};

} // namespace Pushboard
