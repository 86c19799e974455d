#include "event.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Pushboard {

bool isValidTopic(QStringView topic)
{
    if (topic.isEmpty() || topic.size() > 64)
        return false;
    for (qsizetype i = 0; i < topic.size(); ++i) {
        const char16_t c = topic.at(i).unicode();
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (alnum)
            continue;
        if (i > 0 && (c == u'.' || c == u'_' || c == u'-'))
            continue;
        return false;
    }
    return true;
}

std::optional<QStringList> parseTopicList(const QString &csv, QString *error)
{
    QStringList topics;
    for (const QString &topic : csv.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!isValidTopic(topic)) {
            *error = QStringLiteral("bad topic '%1': topics match [a-z0-9][a-z0-9._-]{0,63}")
                         .arg(topic.left(80));
            return std::nullopt;
        }
        if (!topics.contains(topic))
            topics.append(topic);
    }
    return topics;
}

QByteArray compactJson(const QJsonValue &value)
{
    // Serialize as a one-element array and strip the brackets: the only way to get a scalar's
    // JSON text out of Qt 6.4.
    const QByteArray array = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

bool parseEventId(QByteArrayView text, quint64 *id)
{
    if (text.isEmpty() || text.size() > 20)
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (ok && id)
        *id = value;
    return ok;
}

} // namespace Pushboard
