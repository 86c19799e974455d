#include "checkitemmodel.h"

namespace Pushboard {

CheckItemModel::CheckItemModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int CheckItemModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant CheckItemModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CheckItem &item = m_items.at(index.row());
    switch (role) {
    case ItemIdRole:
        return item.id;
    case Qt::DisplayRole:
    case TitleRole:
        return item.title;
    case VerdictRole:
        return CheckItem::verdictName(item.verdict);
    case EvidenceRole:
        return item.evidence;
    case WhyRole:
        return item.why;
    default:
        return {};
    }
}

QHash<int, QByteArray> CheckItemModel::roleNames() const
{
    return {
        {ItemIdRole, "itemId"},
        {TitleRole, "title"},
        {VerdictRole, "verdict"},
        {EvidenceRole, "evidence"},
        {WhyRole, "why"},
    };
}

void CheckItemModel::setItems(const QList<CheckItem> &items)
{
    if (!m_items.isEmpty()) {
        beginRemoveRows({}, 0, int(m_items.size()) - 1);
        m_items.clear();
        endRemoveRows();
    }
    if (items.isEmpty())
        return;
    beginInsertRows({}, 0, int(items.size()) - 1);
    m_items = items;
    endInsertRows();
}

} // namespace Pushboard
