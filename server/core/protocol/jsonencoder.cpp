#include "jsonencoder.h"

namespace Pushboard::JsonEncoder {

QByteArray event(const Event &event)
{
    // Topics are validated to [a-z0-9._-], so they need no JSON escaping; data is JSON already.
    QByteArray out;
    out.reserve(48 + event.topic.size() + event.data.size());
    out += "{\"id\":\"";
    out += QByteArray::number(event.id);
    out += "\",\"topic\":\"";
    out += event.topic.toLatin1();
    out += "\",\"time\":";
    out += QByteArray::number(event.timeMs);
    out += ",\"data\":";
    out += event.data;
    out += '}';
    return out;
}

QByteArray eventArray(const EventList &events)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (i > 0)
            out += ',';
        out += event(events.at(i));
    }
    out += ']';
    return out;
}

} // namespace Pushboard::JsonEncoder
