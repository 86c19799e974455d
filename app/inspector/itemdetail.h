#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>

namespace Pushboard {

class CaptureLog;
struct WireItem;

/// The decoded fields of the selected item: name, value, what it means, where it is specified.
class FieldListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by ItemDetail.fields")

public:
    enum Roles {
        NameRole = Qt::UserRole + 1, ///< `name`
        ValueRole, ///< `value`
        MeaningRole, ///< `meaning`
        SectionRole, ///< `section`: "RFC 6455 5.2", ...
    };
    Q_ENUM(Roles)

    using QAbstractListModel::QAbstractListModel;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    void setItem(const WireItem *item);

private:
    struct Row
    {
        QString name, value, meaning, section;
    };
    QList<Row> m_rows;
};

/// The detail pane's content for one item: summary, fields, the raw bytes as a hex dump with the
/// header bytes marked apart from the payload, and the decoded payload as text.
class ItemDetail : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by InspectorSession.detail")
    Q_PROPERTY(double sequence READ sequenceValue NOTIFY changed)
    Q_PROPERTY(QString summary READ summary NOTIFY changed)
    Q_PROPERTY(QString kind READ kind NOTIFY changed)
    Q_PROPERTY(QString direction READ direction NOTIFY changed)
    Q_PROPERTY(int headerSize READ headerSize NOTIFY changed)
    Q_PROPERTY(double size READ sizeValue NOTIFY changed)
    /// Rich text: offset, hex and text columns; header bytes in `headerColor`.
    Q_PROPERTY(QString hex READ hex NOTIFY changed)
    Q_PROPERTY(QString payloadText READ payloadText NOTIFY changed)
    Q_PROPERTY(Pushboard::FieldListModel *fields READ fields CONSTANT)
    Q_PROPERTY(QString headerColor READ headerColor WRITE setHeaderColor NOTIFY changed)

public:
    /// The hex dump shows at most this many bytes.
    static constexpr qsizetype MaxHexBytes = 4096;

    explicit ItemDetail(CaptureLog *log, QObject *parent = nullptr);

    /// Shows the item with this sequence (0 or a dropped one: nothing).
    Q_INVOKABLE void select(double sequence) { select(qint64(sequence)); }
    void select(qint64 sequence);
    [[nodiscard]] qint64 sequence() const { return m_sequence; }
    [[nodiscard]] double sequenceValue() const { return double(m_sequence); }
    [[nodiscard]] double sizeValue() const { return double(m_size); }
    [[nodiscard]] QString summary() const { return m_summary; }
    [[nodiscard]] QString kind() const { return m_kind; }
    [[nodiscard]] QString direction() const { return m_direction; }
    [[nodiscard]] int headerSize() const { return m_headerSize; }
    [[nodiscard]] qint64 size() const { return m_size; }
    [[nodiscard]] QString hex() const { return m_hex; }
    [[nodiscard]] QString payloadText() const { return m_payloadText; }
    [[nodiscard]] FieldListModel *fields() { return &m_fields; }
    [[nodiscard]] QString headerColor() const { return m_headerColor; }
    void setHeaderColor(const QString &color);

    /// The hex dump of `bytes` as rich text, the first `header` bytes in `color`.
    [[nodiscard]] static QString hexDump(QByteArrayView bytes, int header, const QString &color);

Q_SIGNALS:
    void changed();

private:
    CaptureLog *m_log;
    FieldListModel m_fields;
    qint64 m_sequence = 0;
    QString m_summary;
    QString m_kind;
    QString m_direction;
    int m_headerSize = 0;
    qint64 m_size = 0;
    QString m_hex;
    QString m_payloadText;
    QString m_headerColor = QStringLiteral("#c0392b");
};

} // namespace Pushboard
