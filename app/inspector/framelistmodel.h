#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QRegularExpression>
#include <QTimer>

#include <deque>

namespace Pushboard {

class CaptureLog;
struct WireItem;

/// The inspector's frame list: the CaptureLog's items that pass the filter, oldest first.
///
/// Rows are added and dropped in batches, at most UpdateHz times a second, with one
/// beginInsertRows (and one beginRemoveRows for items the log dropped), never per item: a
/// stream of thousands of frames a second costs the window a few updates. While `paused`,
/// the rows stay as they are and `pending` counts what has arrived meanwhile; resuming adds it.
/// A filter change rebuilds the rows (a reset).
class FrameListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by InspectorSession.frames")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(int pending READ pending NOTIFY countChanged)
    /// "", "send" or "receive".
    Q_PROPERTY(QString direction READ direction WRITE setDirection NOTIFY filterChanged)
    /// "" (all), a family ("http", "sse", "ws") or one kind ("ws text", "sse event", ...).
    Q_PROPERTY(QString kind READ kind WRITE setKind NOTIFY filterChanged)
    /// Text looked for in the summary and the decoded payload (case-insensitive).
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY filterChanged)
    /// `text` is a regular expression.
    Q_PROPERTY(bool regex READ isRegex WRITE setRegex NOTIFY filterChanged)
    Q_PROPERTY(bool regexValid READ isRegexValid NOTIFY filterChanged)
    /// One connection's items only; 0: all.
    Q_PROPERTY(int connection READ connection WRITE setConnection NOTIFY filterChanged)

public:
    static constexpr int UpdateHz = 10;

    enum Roles {
        SequenceRole = Qt::UserRole + 1, ///< `sequence`: the item's number in the log.
        ConnectionRole, ///< `connection`
        TimeRole, ///< `time`: "12:03:04.567" (local time).
        DirectionRole, ///< `direction`: "send" or "receive".
        KindRole, ///< `kind`: "ws text", "sse event", ...
        SizeRole, ///< `size`: bytes on the wire.
        SummaryRole, ///< `summary`
        ProblemRole, ///< `problem`: malformed, or a field that names a violation.
    };
    Q_ENUM(Roles)

    explicit FrameListModel(CaptureLog *log, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    [[nodiscard]] int pending() const;
    [[nodiscard]] QString direction() const { return m_direction; }
    void setDirection(const QString &direction);
    [[nodiscard]] QString kind() const { return m_kind; }
    void setKind(const QString &kind);
    [[nodiscard]] QString text() const { return m_text; }
    void setText(const QString &text);
    [[nodiscard]] bool isRegex() const { return m_regex; }
    void setRegex(bool regex);
    [[nodiscard]] bool isRegexValid() const { return !m_regex || m_pattern.isValid(); }
    [[nodiscard]] int connection() const { return m_connection; }
    void setConnection(int connection);

    /// The sequence of the item in `row`, or 0.
    Q_INVOKABLE qint64 sequenceAt(int row) const;
    /// Applies what arrived now instead of at the next tick (tests, and a resume).
    Q_INVOKABLE void update();
    /// True when `item` passes the filter.
    [[nodiscard]] bool accepts(const WireItem &item) const;

Q_SIGNALS:
    void countChanged();
    void pausedChanged();
    void filterChanged();

private:
    void refilter();
    void scheduleUpdate();

    CaptureLog *m_log;
    std::deque<qint64> m_rows; ///< Sequences of the items shown, ascending.
    qint64 m_seen = 0; ///< Items up to this sequence have been looked at.
    QTimer m_timer;
    bool m_paused = false;
    QString m_direction;
    QString m_kind;
    QString m_text;
    bool m_regex = false;
    QRegularExpression m_pattern;
    int m_connection = 0;
};

} // namespace Pushboard
