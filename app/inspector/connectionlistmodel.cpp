#include "connectionlistmodel.h"

#include "wire/capturelog.h"

namespace Pushboard {

ConnectionListModel::ConnectionListModel(CaptureLog *log, QObject *parent)
    : QAbstractListModel(parent)
    , m_log(log)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(1000 / UpdateHz);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionListModel::update);
    const auto schedule = [this] {
        if (!m_timer.isActive())
            m_timer.start();
    };
    connect(m_log, &CaptureLog::connectionsChanged, this, schedule);
    connect(m_log, &CaptureLog::itemsAdded, this, schedule);
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

QHash<int, QByteArray> ConnectionListModel::roleNames() const
{
    return {{IdRole, "connectionId"}, {TransportRole, "transport"}, {PeerRole, "peer"},
        {TargetRole, "target"}, {OpenRole, "open"}, {StateRole, "state"},
        {BytesSentRole, "bytesSent"}, {BytesReceivedRole, "bytesReceived"},
        {FramesSentRole, "framesSent"}, {FramesReceivedRole, "framesReceived"},
        {AttemptRole, "attempt"}};
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WireConnection *c = m_log->connection(m_ids.at(index.row()));
    if (!c)
        return {};
    switch (role) {
    case IdRole:
        return qint64(c->id);
    case TransportRole:
        return WireConversation::transportName(c->transport);
    case PeerRole:
        return QString(
            c->endpoints.clientAddress + u':' + QString::number(c->endpoints.clientPort));
    case Qt::DisplayRole:
    case TargetRole:
        return QString::fromLatin1(c->target);
    case OpenRole:
        return c->isOpen();
    case StateRole:
        return c->isOpen() ? QStringLiteral("open") : QStringLiteral("closed: ") + c->closeReason;
    case BytesSentRole:
        return c->bytes[0];
    case BytesReceivedRole:
        return c->bytes[1];
    case FramesSentRole:
        return c->items[0];
    case FramesReceivedRole:
        return c->items[1];
    case AttemptRole: {
        int attempt = 1;
        for (int row = 0; row < index.row(); ++row) {
            const WireConnection *earlier = m_log->connection(m_ids.at(row));
            if (earlier && !earlier->isOpen() && !c->target.isEmpty()
                && earlier->target == c->target
                && earlier->endpoints.clientAddress == c->endpoints.clientAddress)
                ++attempt;
        }
        return attempt;
    }
    default:
        return {};
    }
}

void ConnectionListModel::update()
{
    const qsizetype before = m_ids.size();
    QList<quint64> ids;
    for (const WireConnection *c : m_log->connections())
        ids.append(c->id);
    // Connections are forgotten oldest first and added at the end: remove, then insert.
    qsizetype gone = 0;
    while (gone < m_ids.size() && !ids.contains(m_ids.at(gone)))
        ++gone;
    if (gone > 0) {
        beginRemoveRows({}, 0, int(gone) - 1);
        m_ids.remove(0, gone);
        endRemoveRows();
    }
    if (ids.mid(0, m_ids.size()) != m_ids) {
        beginResetModel(); // Not a pattern the log makes (clear() while open ones stay).
        m_ids = ids;
        endResetModel();
        Q_EMIT countChanged();
        return;
    }
    if (!m_ids.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_ids.size()) - 1));
    if (ids.size() > m_ids.size()) {
        beginInsertRows({}, int(m_ids.size()), int(ids.size()) - 1);
        m_ids = ids;
        endInsertRows();
    }
    if (m_ids.size() != before)
        Q_EMIT countChanged();
}

} // namespace Pushboard
