#include "itemdetail.h"

#include "wire/capturelog.h"

namespace Pushboard {

int FieldListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> FieldListModel::roleNames() const
{
    return {{NameRole, "name"}, {ValueRole, "value"}, {MeaningRole, "meaning"},
        {SectionRole, "section"}};
}

QVariant FieldListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.name;
    case ValueRole:
        return row.value;
    case MeaningRole:
        return row.meaning;
    case SectionRole:
        return row.section;
    default:
        return {};
    }
}

void FieldListModel::setItem(const WireItem *item)
{
    beginResetModel(); // Another item: every row is different.
    m_rows.clear();
    if (item) {
        for (const WireField &f : item->fields)
            m_rows.append({f.name, f.value.left(2000), f.meaning, f.section});
    }
    endResetModel();
}

ItemDetail::ItemDetail(CaptureLog *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{ }

void ItemDetail::setHeaderColor(const QString &color)
{
    if (m_headerColor == color)
        return;
    m_headerColor = color;
    select(m_sequence);
}

QString ItemDetail::hexDump(QByteArrayView bytes, int header, const QString &color)
{
    QString out;
    const qsizetype shown = qMin(bytes.size(), MaxHexBytes);
    for (qsizetype line = 0; line < shown; line += 16) {
        out += QStringLiteral("%1  ").arg(line, 4, 16, QLatin1Char('0'));
        QString text;
        for (qsizetype i = line; i < line + 16; ++i) {
            if (i >= shown) {
                out += QStringLiteral("&nbsp;&nbsp;&nbsp;");
                continue;
            }
            const quint8 b = quint8(bytes[i]);
            const QString hex = QStringLiteral("%1").arg(b, 2, 16, QLatin1Char('0'));
            const QChar c = b >= 0x20 && b < 0x7f ? QChar(char16_t(b)) : QChar(u'.');
            QString shownChar = c == u'<' ? QStringLiteral("&lt;")
                : c == u'>'               ? QStringLiteral("&gt;")
                : c == u'&'               ? QStringLiteral("&amp;")
                                          : QString(c);
            if (c == u' ')
                shownChar = QStringLiteral("&nbsp;");
            if (i < header) {
                out += QStringLiteral("<b><font color=\"%1\">%2</font></b>&nbsp;").arg(color, hex);
                text += QStringLiteral("<font color=\"%1\">%2</font>").arg(color, shownChar);
            } else {
                out += hex + QStringLiteral("&nbsp;");
                text += shownChar;
            }
        }
        out += QStringLiteral("&nbsp;") + text + QStringLiteral("<br>");
    }
    if (bytes.size() > shown)
        out += QStringLiteral("… %1 more bytes").arg(bytes.size() - shown);
    return QStringLiteral("<tt>")
        + out.replace(QStringLiteral("  "), QStringLiteral("&nbsp;&nbsp;"))
        + QStringLiteral("</tt>");
}

void ItemDetail::select(qint64 sequence)
{
    const WireItem *item = m_log->item(sequence);
    m_sequence = item ? sequence : 0;
    m_fields.setItem(item);
    m_summary = item ? item->summary : QString();
    m_kind = item ? item->kindName() : QString();
    m_direction = item ? WireItem::directionName(item->direction) : QString();
    m_headerSize = item ? item->headerSize : 0;
    m_size = item ? item->wireSize : 0;
    m_hex = item ? hexDump(item->raw, item->headerSize, m_headerColor) : QString();
    m_payloadText = item ? QString::fromUtf8(item->payload.left(64 * 1024)) : QString();
    Q_EMIT changed();
}

} // namespace Pushboard
