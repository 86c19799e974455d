#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>

namespace Pushboard {

/// The newest events of the topics the dashboard has no chart for, newest first, at most
/// `capacity` (the oldest rows go as new ones arrive).
class RecentEventsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by DashboardSource.recentEvents")

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< `eventId`: the event id (string; `id` is taken in QML).
        TopicRole, ///< `topic`
        TimeRole, ///< `time`: QDateTime, server clock.
        DataRole, ///< `payload`: the data's compact JSON text (`data` is taken in QML).
    };
    Q_ENUM(Roles)

    explicit RecentEventsModel(int capacity = 100, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void prepend(const QString &id, const QString &topic, qint64 timeMs, const QString &data);
    void clear();

private:
    struct Row
    {
        QString id;
        QString topic;
        qint64 timeMs;
        QString data;
    };
    QList<Row> m_rows;
    int m_capacity;
};

} // namespace Pushboard
