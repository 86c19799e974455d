#pragma once

#include <QtGlobal>

#include <algorithm>

namespace Pushboard {

/// The open-file limit (RLIMIT_NOFILE), which caps how many clients one process can hold: every
/// connection is a file descriptor. Debian's default soft limit is 1024 while the hard limit is
/// far higher, so the server raises its soft limit to the hard one at start, as nginx's
/// `worker_rlimit_nofile` does.
namespace FileLimit {

/// Descriptors kept back for everything but client connections: the listening socket, the event
/// log (database, WAL, shared memory, lock), standard streams, the display connection, timers.
inline constexpr int Reserved = 64;

/// Raises the soft limit to the hard limit; returns the soft limit now in force (-1 if unknown).
qint64 raiseToHardLimit();

/// How many client connections `softLimit` leaves room for.
[[nodiscard]] inline qint64 connectionsAllowedBy(qint64 softLimit)
{
    return softLimit < 0 ? -1 : std::max<qint64>(0, softLimit - Reserved);
}

} // namespace FileLimit

} // namespace Pushboard
