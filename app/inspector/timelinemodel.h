#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QTimer>

#include <map>

namespace Pushboard {

class CaptureLog;
struct WireItem;

/// What happened over time, beyond single frames: connections opening and closing, each
/// reconnect with its measured delay against the `retry:` the server asked for, the
/// Last-Event-ID it sent, the events replayed for it (told apart from live ones), gaps and
/// resets, and the faults applied. Built incrementally from the log, in batches.
///
/// Replay: an event is counted as replayed when its payload carries Pushboard's "time" (SSE
/// data or a WebSocket event message) earlier than the request that asked for it; the first
/// event that is not ends the replay. Other servers' events have no such time and count as live.
class TimelineModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by InspectorSession.timeline")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    static constexpr int UpdateHz = 4;
    static constexpr int MaxEntries = 5000;

    enum Roles {
        TimeRole = Qt::UserRole + 1, ///< `time`: "12:03:04.567"
        ConnectionRole, ///< `connection`
        KindRole, ///< `kind`: open, close, reconnect, replay, retry, gap, reset, fault.
        TextRole, ///< `text`
        SequenceRole, ///< `sequence`: the item it comes from, or 0.
    };
    Q_ENUM(Roles)

    struct Entry
    {
        qint64 timeUs = 0;
        quint64 connection = 0;
        QString kind;
        QString text;
        qint64 sequence = 0;
    };

    explicit TimelineModel(CaptureLog *log, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] const QList<Entry> &entries() const { return m_entries; }
    /// Applies the log's changes now.
    Q_INVOKABLE void update();

Q_SIGNALS:
    void countChanged();

private:
    struct Stream
    {
        qint64 requestUs = 0;
        QString lastEventIdSent;
        qint64 replayed = 0;
        QString firstReplayed;
        QString lastReplayed;
        bool replayDone = false;
        std::optional<qint64> retryMs;
    };
    void look(const WireItem &item, QList<Entry> &out);
    void event(const WireItem &item, const QString &type, const QString &id, qint64 eventTimeMs,
        QList<Entry> &out);
    void endReplay(quint64 connection, Stream &stream, qint64 timeUs, QList<Entry> &out);

    CaptureLog *m_log;
    QList<Entry> m_entries;
    QTimer m_timer;
    qint64 m_seenSequence = 0;
    size_t m_seenMarks = 0;
    std::map<quint64, Stream> m_streams;
    /// Per client address and target: when the last connection to it closed, and its retry.
    std::map<QString, std::pair<qint64, std::optional<qint64>>> m_lastClose;
};

} // namespace Pushboard
