#include "framelistmodel.h"

#include "wire/capturelog.h"

#include <QDateTime>

namespace Pushboard {

FrameListModel::FrameListModel(CaptureLog *log, QObject *parent)
    : QAbstractListModel(parent)
    , m_log(log)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(1000 / UpdateHz);
    connect(&m_timer, &QTimer::timeout, this, &FrameListModel::update);
    connect(m_log, &CaptureLog::itemsAdded, this, &FrameListModel::scheduleUpdate);
    connect(m_log, &CaptureLog::cleared, this, [this] {
        beginResetModel();
        m_rows.clear();
        m_seen = m_log->nextSequence() - 1;
        endResetModel();
        Q_EMIT countChanged();
    });
}

int FrameListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> FrameListModel::roleNames() const
{
    return {{SequenceRole, "sequence"}, {ConnectionRole, "connection"}, {TimeRole, "time"},
        {DirectionRole, "direction"}, {KindRole, "kind"}, {SizeRole, "size"},
        {SummaryRole, "summary"}, {ProblemRole, "problem"}};
}

QVariant FrameListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qint64 sequence = m_rows[size_t(index.row())];
    const WireItem *item = m_log->item(sequence);
    if (!item)
        return role == SequenceRole ? QVariant(sequence)
                                    : QVariant(); // Dropped since the last tick.
    switch (role) {
    case SequenceRole:
        return sequence;
    case ConnectionRole:
        return qint64(item->connection);
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(item->timeUs / 1000)
            .toString(QStringLiteral("HH:mm:ss.zzz"));
    case DirectionRole:
        return WireItem::directionName(item->direction);
    case KindRole:
        return item->kindName();
    case SizeRole:
        return item->wireSize;
    case Qt::DisplayRole:
    case SummaryRole:
        return item->summary;
    case ProblemRole: {
        if (item->kind == WireItem::Kind::Malformed)
            return true;
        for (const WireField &field : item->fields) {
            if (field.value.startsWith(u"WRONG") || field.meaning.startsWith(u"VIOLATION")
                || field.name == u"violation")
                return true;
        }
        return false;
    }
    default:
        return {};
    }
}

bool FrameListModel::accepts(const WireItem &item) const
{
    if (m_connection > 0 && item.connection != quint64(m_connection))
        return false;
    if (!m_direction.isEmpty() && WireItem::directionName(item.direction) != m_direction)
        return false;
    if (!m_kind.isEmpty()) {
        const QString kind = item.kindName();
        if (kind != m_kind && !kind.startsWith(m_kind + u' '))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    const QString payload
        = QString::fromUtf8(item.payload.first(qMin<qsizetype>(item.payload.size(), 64 * 1024)));
    if (m_regex) {
        return m_pattern.isValid()
            && (m_pattern.match(item.summary).hasMatch() || m_pattern.match(payload).hasMatch());
    }
    return item.summary.contains(m_text, Qt::CaseInsensitive)
        || payload.contains(m_text, Qt::CaseInsensitive);
}

void FrameListModel::scheduleUpdate()
{
    if (!m_paused && !m_timer.isActive())
        m_timer.start();
}

void FrameListModel::update()
{
    if (m_paused)
        return;
    // Rows whose items the log no longer holds go first, all at once.
    const qint64 first = m_log->firstSequence();
    size_t gone = 0;
    while (gone < m_rows.size() && m_rows[gone] < first)
        ++gone;
    if (gone > 0) {
        beginRemoveRows({}, 0, int(gone) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + qsizetype(gone));
        endRemoveRows();
    }
    std::vector<qint64> fresh;
    for (qint64 s = qMax(m_seen + 1, first); s < m_log->nextSequence(); ++s) {
        if (accepts(*m_log->item(s)))
            fresh.push_back(s);
    }
    m_seen = m_log->nextSequence() - 1;
    if (!fresh.empty()) {
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at + int(fresh.size()) - 1);
        m_rows.insert(m_rows.end(), fresh.begin(), fresh.end());
        endInsertRows();
    }
    if (gone > 0 || !fresh.empty())
        Q_EMIT countChanged();
}

int FrameListModel::pending() const
{
    return m_paused ? int(m_log->nextSequence() - 1 - m_seen) : 0;
}

void FrameListModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged();
    if (!paused)
        update();
    Q_EMIT countChanged();
}

void FrameListModel::refilter()
{
    if (m_regex)
        m_pattern = QRegularExpression(m_text, QRegularExpression::CaseInsensitiveOption);
    beginResetModel();
    m_rows.clear();
    for (const WireItem &item : m_log->items()) {
        if (item.sequence <= m_seen && accepts(item))
            m_rows.push_back(item.sequence);
    }
    endResetModel();
    Q_EMIT filterChanged();
    Q_EMIT countChanged();
}

void FrameListModel::setDirection(const QString &direction)
{
    if (m_direction != direction) {
        m_direction = direction;
        refilter();
    }
}

void FrameListModel::setKind(const QString &kind)
{
    if (m_kind != kind) {
        m_kind = kind;
        refilter();
    }
}

void FrameListModel::setText(const QString &text)
{
    if (m_text != text) {
        m_text = text;
        refilter();
    }
}

void FrameListModel::setRegex(bool regex)
{
    if (m_regex != regex) {
        m_regex = regex;
        refilter();
    }
}

void FrameListModel::setConnection(int connection)
{
    if (m_connection != connection) {
        m_connection = connection;
        refilter();
    }
}

qint64 FrameListModel::sequenceAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)] : 0;
}

} // namespace Pushboard
