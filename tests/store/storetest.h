#pragma once

#include "event.h"

/// Helpers the event log tests share.
namespace StoreTest {

/// `count` drafts of one topic, data 0, 1, 2, ...
inline QList<Pushboard::EventDraft> drafts(int count, const QString &topic = QStringLiteral("t"))
{
    QList<Pushboard::EventDraft> out;
    for (int i = 0; i < count; ++i)
        out.append(Pushboard::EventDraft {topic, QByteArray::number(i)});
    return out;
}

inline QList<quint64> ids(const Pushboard::EventList &events)
{
    QList<quint64> out;
    for (const Pushboard::Event &event : events)
        out.append(event.id);
    return out;
}

} // namespace StoreTest
