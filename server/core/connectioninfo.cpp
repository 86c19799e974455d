#include "connectioninfo.h"

#include <QJsonArray>

namespace Pushboard {

QJsonObject ConnectionInfo::toJson() const
{
    return {{QStringLiteral("transport"), transport}, {QStringLiteral("protocol"), protocol},
        {QStringLiteral("peer"), peer},
        {QStringLiteral("topics"), QJsonArray::fromStringList(topics)},
        {QStringLiteral("since"), since.toString(Qt::ISODateWithMs)},
        {QStringLiteral("eventsSent"), qint64(eventsSent)},
        {QStringLiteral("bytesSent"), qint64(bytesSent)},
        {QStringLiteral("queuedBytes"), queuedBytes}};
}

} // namespace Pushboard
