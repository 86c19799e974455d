#pragma once

#include "checkreport.h"

#include <QAbstractListModel>
#include <QQmlEngine>

namespace Pushboard {

/// The verdicts of the dashboard's last check, in the report's order (CheckReport::items).
class CheckItemModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by CheckRunner.items")

public:
    enum Roles {
        ItemIdRole = Qt::UserRole + 1, ///< `itemId`: the stable id, e.g. "sse.resume".
        TitleRole, ///< `title`
        VerdictRole, ///< `verdict`: "pass", "warn", "fail" or "skip".
        EvidenceRole, ///< `evidence`: what was seen on the wire.
        WhyRole, ///< `why`: one line on why it matters.
    };
    Q_ENUM(Roles)

    explicit CheckItemModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// Replaces the rows with `items`: the old ones removed, the new ones inserted.
    void setItems(const QList<CheckItem> &items);

private:
    QList<CheckItem> m_items;
};

} // namespace Pushboard
