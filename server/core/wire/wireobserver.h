#pragma once

#include "wireitem.h"

#include <QByteArrayView>
#include <QString>

namespace Pushboard {

/// The two ends of an observed TCP connection, as addresses in text ("127.0.0.1", "::1").
struct WireEndpoints
{
    QString clientAddress;
    quint16 clientPort = 0;
    QString serverAddress;
    quint16 serverPort = 0;
};

/// Where captured bytes go: the one interface the server's byte boundaries and the relay call.
/// Calls come from the thread that owns the sockets; `connection` is the caller's id for the
/// connection (unique among the ones it reports). Nothing calls it when nobody watches.
class WireObserver
{
public:
    virtual ~WireObserver() = default;
    virtual void wireOpened(quint64 connection, const WireEndpoints &endpoints, qint64 timeUs) = 0;
    virtual void wireBytes(
        quint64 connection, WireDirection direction, QByteArrayView bytes, qint64 timeUs)
        = 0;
    virtual void wireClosed(quint64 connection, const QString &reason, qint64 timeUs) = 0;

    /// The time to pass: µs since the epoch.
    [[nodiscard]] static qint64 nowUs();
};

} // namespace Pushboard
