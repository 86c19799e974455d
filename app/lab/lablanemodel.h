#pragma once

#include "labfigures.h"

#include <QAbstractListModel>
#include <QQmlEngine>

namespace Pushboard::Lab {

/// The lanes of a lab run (one per transport, policy or protocol) with their figures, for the
/// Lab page's table. Rows are appended as lanes appear and updated in place
/// (`dataChanged` over the rows that exist); a new run starts from an empty model.
class LabLaneModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by LabController.lanes")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        NameRole = Qt::UserRole + 1, ///< `name`: "poll", "sse", "fixed", "h2-tcp", ...
        LabelRole, ///< `label`: what the page shows.
        ColorRole, ///< `color`: the lane's colour on the chart.
        EventsRole, ///< `events`: distinct events received.
        ExpectedRole, ///< `expected`
        LostRole, ///< `lost`
        DuplicatedRole, ///< `duplicated`
        ReplayedRole, ///< `replayed`
        P50Role, ///< `p50`: ms, -1 without samples.
        P99Role, ///< `p99`: ms, -1 without samples.
        RequestsRole, ///< `requests`
        ConnectionsRole, ///< `connections`: open now.
        ReconnectsRole, ///< `reconnects`
        WirePerEventRole, ///< `wirePerEvent`: bytes on the wire per event (-1: no events).
        OverheadPerEventRole, ///< `overheadPerEvent`: of which protocol overhead.
        PayloadPerEventRole, ///< `payloadPerEvent`: of which the events' data.
        NoteRole, ///< `note`: the scenario's own figure, in words.
    };
    Q_ENUM(Roles)

    explicit LabLaneModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// New figures: rows of the same lanes change in place, new lanes are appended, and a
    /// different set of lanes replaces the model.
    void update(const QList<LaneFigures> &lanes);
    void clear();

Q_SIGNALS:
    void countChanged();

private:
    QList<LaneFigures> m_lanes;
};

} // namespace Pushboard::Lab
