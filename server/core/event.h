#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace Pushboard {

/// One event of the log, as every transport publishes it.
///
/// `data` holds the compact JSON text of the event's payload (any JSON value). Keeping it as text
/// means the payload is serialized once, when it enters the store, and every encoder after that
/// only concatenates bytes.
struct Event
{
    quint64 id = 0; ///< One sequence for the whole log: 1, 2, 3, ... never reused.
    QString topic; ///< Matches `[a-z0-9][a-z0-9._-]{0,63}`, see isValidTopic().
    qint64 timeMs = 0; ///< Milliseconds since the Unix epoch, server clock.
    QByteArray data; ///< Compact JSON text of the payload.

    friend bool operator==(const Event &a, const Event &b)
    {
        return a.id == b.id && a.topic == b.topic && a.timeMs == b.timeMs && a.data == b.data;
    }
};

/// An event before the store has given it an id.
struct EventDraft
{
    QString topic;
    QByteArray data; ///< Compact JSON text of the payload, see compactJson().
    qint64 timeMs = 0; ///< 0: the store stamps it with its clock.
};

using EventList = QList<Event>;

/// True when `topic` matches `[a-z0-9][a-z0-9._-]{0,63}` (docs/protocol.md, "Events").
[[nodiscard]] bool isValidTopic(QStringView topic);

/// Parses a `topics=a,b` list (empty entries skipped). Returns nothing and sets `error` when a
/// topic is not valid; an empty list means every topic.
[[nodiscard]] std::optional<QStringList> parseTopicList(const QString &csv, QString *error);

/// Compact JSON text of any JSON value, scalars included (QJsonDocument holds only objects and
/// arrays in Qt 6.4).
[[nodiscard]] QByteArray compactJson(const QJsonValue &value);

/// Parses a decimal event id as used on the wire ("0" is valid and means "before the first").
/// Returns false for anything but 1 to 20 ASCII digits that fit into 64 bits.
[[nodiscard]] bool parseEventId(QByteArrayView text, quint64 *id);

} // namespace Pushboard

Q_DECLARE_METATYPE(Pushboard::Event)
