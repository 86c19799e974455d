#include "timelinemodel.h"

#include "wire/capturelog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pushboard {

TimelineModel::TimelineModel(CaptureLog *log, QObject *parent)
    : QAbstractListModel(parent)
    , m_log(log)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(1000 / UpdateHz);
    connect(&m_timer, &QTimer::timeout, this, &TimelineModel::update);
    const auto schedule = [this] {
        if (!m_timer.isActive())
            m_timer.start();
    };
    connect(m_log, &CaptureLog::itemsAdded, this, schedule);
    connect(m_log, &CaptureLog::marksAdded, this, schedule);
    connect(m_log, &CaptureLog::cleared, this, [this] {
        beginResetModel();
        m_entries.clear();
        m_streams.clear();
        m_lastClose.clear();
        m_seenSequence = m_log->nextSequence() - 1;
        m_seenMarks = 0;
        endResetModel();
        Q_EMIT countChanged();
    });
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QHash<int, QByteArray> TimelineModel::roleNames() const
{
    return {{TimeRole, "time"}, {ConnectionRole, "connection"}, {KindRole, "kind"},
        {TextRole, "text"}, {SequenceRole, "sequence"}};
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(e.timeUs / 1000)
            .toString(QStringLiteral("HH:mm:ss.zzz"));
    case ConnectionRole:
        return qint64(e.connection);
    case KindRole:
        return e.kind;
    case Qt::DisplayRole:
    case TextRole:
        return e.text;
    case SequenceRole:
        return e.sequence;
    default:
        return {};
    }
}

void TimelineModel::endReplay(quint64 connection, Stream &stream, qint64 timeUs, QList<Entry> &out)
{
    if (stream.replayDone)
        return;
    stream.replayDone = true;
    if (stream.replayed == 0 && stream.lastEventIdSent.isEmpty())
        return;
    QString text = stream.replayed == 0
        ? QStringLiteral("nothing replayed after Last-Event-ID %1").arg(stream.lastEventIdSent)
        : QStringLiteral("replayed %1 event(s), ids %2 to %3")
              .arg(stream.replayed)
              .arg(stream.firstReplayed, stream.lastReplayed);
    if (stream.replayed > 0 && !stream.lastEventIdSent.isEmpty())
        text += QStringLiteral(", for Last-Event-ID %1").arg(stream.lastEventIdSent);
    out.append({timeUs, connection, QStringLiteral("replay"),
        text + QStringLiteral("; live from here"), 0});
}

void TimelineModel::event(const WireItem &item, const QString &type, const QString &id,
    qint64 eventTimeMs, QList<Entry> &out)
{
    Stream &stream = m_streams[item.connection];
    if (type == u"gap" || type == u"reset") {
        out.append({item.timeUs, item.connection, type,
            type == u"gap"
                ? QStringLiteral("gap: events the server no longer holds were skipped  %1")
                      .arg(QString::fromUtf8(item.payload.left(120)))
                : QStringLiteral("reset: the server's ids restarted; the client starts over  %1")
                      .arg(QString::fromUtf8(item.payload.left(120))),
            item.sequence});
        return;
    }
    if (stream.replayDone)
        return;
    if (eventTimeMs > 0 && eventTimeMs * 1000 < stream.requestUs) {
        if (stream.replayed++ == 0)
            stream.firstReplayed = id;
        stream.lastReplayed = id;
        return;
    }
    endReplay(item.connection, stream, item.timeUs, out);
}

void TimelineModel::look(const WireItem &item, QList<Entry> &out)
{
    const WireConnection *c = m_log->connection(item.connection);
    const QString client = c ? c->endpoints.clientAddress : QString();
    if (item.kind == WireItem::Kind::RequestHead && item.head) {
        Stream &stream = m_streams[item.connection];
        if (stream.requestUs == 0) {
            stream.requestUs = item.timeUs;
            stream.lastEventIdSent = QString::fromLatin1(item.head->value("Last-Event-ID"));
            const QString key = client + u' ' + QString::fromLatin1(item.head->target);
            const auto previous = m_lastClose.find(key);
            if (previous != m_lastClose.end()) {
                QString text = QStringLiteral("reconnect after %1 ms")
                                   .arg((item.timeUs - previous->second.first) / 1000);
                if (previous->second.second)
                    text += QStringLiteral(" (the server asked retry: %1 ms)")
                                .arg(*previous->second.second);
                if (!stream.lastEventIdSent.isEmpty())
                    text += QStringLiteral(", sent Last-Event-ID: %1").arg(stream.lastEventIdSent);
                out.append({item.timeUs, item.connection, QStringLiteral("reconnect"), text,
                    item.sequence});
                m_lastClose.erase(previous); // One reconnect per close.
            } else if (!stream.lastEventIdSent.isEmpty()) {
                out.append({item.timeUs, item.connection, QStringLiteral("reconnect"),
                    QStringLiteral("resumes with Last-Event-ID: %1").arg(stream.lastEventIdSent),
                    item.sequence});
            }
        }
        return;
    }
    if (item.retryMs) {
        m_streams[item.connection].retryMs = item.retryMs;
        out.append({item.timeUs, item.connection, QStringLiteral("retry"),
            QStringLiteral("retry: %1 ms (the reconnection time the client should use)")
                .arg(*item.retryMs),
            item.sequence});
    }
    if (item.kind == WireItem::Kind::SseEvent && item.event) {
        const QJsonObject data = QJsonDocument::fromJson(item.event->data.toUtf8()).object();
        event(item, item.event->type, item.event->lastEventId,
            qint64(data.value(u"time").toDouble()), out);
    } else if (item.kind == WireItem::Kind::WsFrame && item.completesMessage
        && item.direction == WireDirection::ToClient) {
        const QJsonObject message = QJsonDocument::fromJson(item.payload).object();
        const QString op = message.value(u"op").toString();
        if (op == u"event" || op == u"gap" || op == u"reset")
            event(item, op == u"event" ? message.value(u"topic").toString() : op,
                message.value(u"id").toString(), qint64(message.value(u"time").toDouble()), out);
    } else if (item.kind == WireItem::Kind::WsFrame && item.frame
        && item.frame->opcode == WsFrame::Close) {
        out.append({item.timeUs, item.connection, QStringLiteral("close"),
            QStringLiteral("%1 sent Close %2")
                .arg(item.direction == WireDirection::ToServer ? QStringLiteral("client")
                                                               : QStringLiteral("server"))
                .arg(item.summary.section(u':', 1).trimmed()),
            item.sequence});
    }
}

void TimelineModel::update()
{
    QList<Entry> fresh;
    // Items and marks in time order, each from where the last update stopped.
    const auto &marks = m_log->marks();
    m_seenMarks = qMin(m_seenMarks, marks.size());
    qint64 s = qMax(m_seenSequence + 1, m_log->firstSequence());
    while (s < m_log->nextSequence() || m_seenMarks < marks.size()) {
        const WireItem *item = s < m_log->nextSequence() ? m_log->item(s) : nullptr;
        const WireMark *mark = m_seenMarks < marks.size() ? &marks[m_seenMarks] : nullptr;
        if (mark && (!item || mark->timeUs <= item->timeUs)) {
            ++m_seenMarks;
            QString kind = QStringLiteral("fault");
            if (mark->kind == WireMark::Kind::Opened) {
                kind = QStringLiteral("open");
            } else if (mark->kind == WireMark::Kind::Closed) {
                kind = QStringLiteral("close");
                auto stream = m_streams.find(mark->connection);
                if (stream != m_streams.end())
                    endReplay(mark->connection, stream->second, mark->timeUs, fresh);
                if (const WireConnection *c = m_log->connection(mark->connection)) {
                    const std::optional<qint64> retry
                        = stream != m_streams.end() ? stream->second.retryMs : std::nullopt;
                    m_lastClose[c->endpoints.clientAddress + u' ' + QString::fromLatin1(c->target)]
                        = {mark->timeUs, retry};
                }
            }
            fresh.append({mark->timeUs, mark->connection, kind, mark->text, 0});
            continue;
        }
        look(*item, fresh);
        m_seenSequence = s++;
    }
    if (fresh.isEmpty())
        return;
    const int excess = int(m_entries.size() + fresh.size()) - MaxEntries;
    if (excess > 0) {
        const int drop = qMin(excess, int(m_entries.size()));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_entries.remove(0, drop);
            endRemoveRows();
        }
        if (fresh.size() > MaxEntries)
            fresh = fresh.mid(fresh.size() - MaxEntries);
    }
    beginInsertRows({}, int(m_entries.size()), int(m_entries.size() + fresh.size()) - 1);
    m_entries += fresh;
    endInsertRows();
    Q_EMIT countChanged();
}

} // namespace Pushboard
