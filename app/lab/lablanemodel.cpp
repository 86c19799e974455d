#include "lablanemodel.h"

#include "labchart.h"

#include <QJsonObject>

namespace Pushboard::Lab {

LabLaneModel::LabLaneModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int LabLaneModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lanes.size());
}

QHash<int, QByteArray> LabLaneModel::roleNames() const
{
    return {{NameRole, "name"}, {LabelRole, "label"}, {ColorRole, "color"}, {EventsRole, "events"},
        {ExpectedRole, "expected"}, {LostRole, "lost"}, {DuplicatedRole, "duplicated"},
        {ReplayedRole, "replayed"}, {P50Role, "p50"}, {P99Role, "p99"}, {RequestsRole, "requests"},
        {ConnectionsRole, "connections"}, {ReconnectsRole, "reconnects"},
        {WirePerEventRole, "wirePerEvent"}, {OverheadPerEventRole, "overheadPerEvent"},
        {PayloadPerEventRole, "payloadPerEvent"}, {NoteRole, "note"}};
}

QVariant LabLaneModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LaneFigures &lane = m_lanes.at(index.row());
    const auto perEvent = [&](qint64 bytes) {
        return lane.events > 0 ? double(bytes) / double(lane.events) : -1.0;
    };
    switch (role) {
    case Qt::DisplayRole:
    case LabelRole:
        return lane.label.isEmpty() ? lane.name : lane.label;
    case NameRole:
        return lane.name;
    case ColorRole:
        return LabChart::colorOf(lane.name);
    case EventsRole:
        return lane.events;
    case ExpectedRole:
        return lane.expected;
    case LostRole:
        return lane.lost;
    case DuplicatedRole:
        return lane.duplicated;
    case ReplayedRole:
        return lane.replayed;
    case P50Role:
        return lane.latencyMs.p50;
    case P99Role:
        return lane.latencyMs.p99;
    case RequestsRole:
        return lane.requests;
    case ConnectionsRole:
        return lane.connectionsOpen;
    case ReconnectsRole:
        return lane.reconnects;
    case WirePerEventRole:
        return perEvent(lane.wireBytes());
    case OverheadPerEventRole:
        return perEvent(lane.overheadBytes());
    case PayloadPerEventRole:
        return perEvent(lane.payloadBytes);
    case NoteRole:
        return lane.note();
    default:
        return {};
    }
}

void LabLaneModel::update(const QList<LaneFigures> &lanes)
{
    qsizetype same = 0;
    while (same < m_lanes.size() && same < lanes.size()
        && m_lanes.at(same).name == lanes.at(same).name)
        ++same;
    if (same < m_lanes.size()) {
        // Other lanes: another scenario's run.
        beginResetModel();
        m_lanes = lanes;
        endResetModel();
        Q_EMIT countChanged();
        return;
    }
    for (qsizetype i = 0; i < same; ++i)
        m_lanes[i] = lanes.at(i);
    if (same > 0)
        Q_EMIT dataChanged(index(0), index(int(same) - 1));
    if (lanes.size() > same) {
        beginInsertRows({}, int(same), int(lanes.size()) - 1);
        for (qsizetype i = same; i < lanes.size(); ++i)
            m_lanes.append(lanes.at(i));
        endInsertRows();
        Q_EMIT countChanged();
    }
}

void LabLaneModel::clear()
{
    if (m_lanes.isEmpty())
        return;
    beginResetModel();
    m_lanes.clear();
    endResetModel();
    Q_EMIT countChanged();
}

} // namespace Pushboard::Lab
