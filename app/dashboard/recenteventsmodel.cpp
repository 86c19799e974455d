#include "recenteventsmodel.h"

#include <QDateTime>

namespace Pushboard {

RecentEventsModel::RecentEventsModel(int capacity, QObject *parent)
    : QAbstractListModel(parent)
    , m_capacity(qMax(1, capacity))
{ }

int RecentEventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RecentEventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case IdRole:
        return row.id;
    case TopicRole:
        return row.topic;
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(row.timeMs);
    case DataRole:
    case Qt::DisplayRole:
        return row.data;
    default:
        return {};
    }
}

QHash<int, QByteArray> RecentEventsModel::roleNames() const
{
    return {{IdRole, "eventId"}, {TopicRole, "topic"}, {TimeRole, "time"}, {DataRole, "payload"}};
}

void RecentEventsModel::prepend(
    const QString &id, const QString &topic, qint64 timeMs, const QString &data)
{
    if (m_rows.size() >= m_capacity) {
        beginRemoveRows({}, int(m_rows.size()) - 1, int(m_rows.size()) - 1);
        m_rows.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_rows.prepend(Row {id, topic, timeMs, data});
    endInsertRows();
}

void RecentEventsModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

} // namespace Pushboard
