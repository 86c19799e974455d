#pragma once

#include "tlstrust.h"

#include <QString>
#include <QUrl>

namespace Pushboard {

/// What `pushboard check` (and the dashboard's check) probes, and for how long.
struct CheckOptions
{
    QUrl url; ///< http(s):// an SSE stream; ws(s):// a WebSocket.
    QString token; ///< Sent as `Authorization: Bearer`; empty: none.
    /// How long the probes run (the replays, pings, ...), in seconds.
    int durationS = 20;
    /// The idle time-out of the proxies to expect, in seconds: the main connection is held at
    /// least this long and must stay open, and a silence this long fails the keepalive item.
    /// 0 skips the idle items. The default is above nginx's and AWS ALB's 60 s.
    int idleS = 65;
    TlsTrust tls;
    /// The WebSocket Origin that must be refused (ws.origin).
    QString foreignOrigin = QStringLiteral("https://pushboard-check.invalid");
};

} // namespace Pushboard
