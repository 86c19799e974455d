#include "sseencoder.h"

namespace Pushboard::SseEncoder {

QByteArray event(const Event &event)
{
    const QByteArray id = QByteArray::number(event.id);
    const QByteArray topic = event.topic.toUtf8();
    const QByteArray time = QByteArray::number(event.timeMs);
    QByteArray out;
    out.reserve(40 + id.size() + topic.size() + time.size() + event.data.size());
    out += "id: ";
    out += id;
    out += "\nevent: ";
    out += topic;
    out += "\ndata: {\"time\":";
    out += time;
    out += ",\"data\":";
    out += event.data;
    out += "}\n\n";
    return out;
}

QByteArray retry(int milliseconds)
{
    return "retry: " + QByteArray::number(milliseconds) + "\n\n";
}

QByteArray comment(QByteArrayView text)
{
    return ": " + text.toByteArray() + "\n\n";
}

QByteArray gap(quint64 firstMissing, quint64 lastMissing)
{
    return "event: gap\ndata: {\"from\":\"" + QByteArray::number(firstMissing) + "\",\"to\":\""
        + QByteArray::number(lastMissing) + "\"}\n\n";
}

QByteArray reset(quint64 newestId)
{
    const QByteArray id = QByteArray::number(newestId);
    return "id: " + id + "\nevent: reset\ndata: {\"newest\":\"" + id + "\"}\n\n";
}

} // namespace Pushboard::SseEncoder
