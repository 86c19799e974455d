#include "checkids.h"

namespace Pushboard {

QString shiftedId(const QString &id, qint64 delta)
{
    const qsizetype start = std::distance(
        id.cbegin(), std::find_if(id.cbegin(), id.cend(), [](QChar c) { return c.isDigit(); }));
    qsizetype end = start;
    while (end < id.size() && id.at(end).isDigit())
        ++end;
    if (start == end || end - start > 17)
        return {};
    const qint64 value = qMax<qint64>(1, id.mid(start, end - start).toLongLong() + delta);
    return id.left(start) + QString::number(value) + id.mid(end);
}

bool naturalIdLess(const QString &a, const QString &b)
{
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < a.size() && j < b.size()) {
        if (a.at(i).isDigit() && b.at(j).isDigit()) {
            qsizetype ei = i;
            qsizetype ej = j;
            while (ei < a.size() && a.at(ei).isDigit())
                ++ei;
            while (ej < b.size() && b.at(ej).isDigit())
                ++ej;
            // Without leading zeros a longer run is a larger number.
            const QStringView x = QStringView(a).mid(i, ei - i);
            const QStringView y = QStringView(b).mid(j, ej - j);
            const auto strip = [](QStringView v) {
                while (v.size() > 1 && v.front() == QLatin1Char('0'))
                    v = v.mid(1);
                return v;
            };
            const QStringView sx = strip(x);
            const QStringView sy = strip(y);
            if (sx.size() != sy.size())
                return sx.size() < sy.size();
            if (const int c = sx.compare(sy); c != 0)
                return c < 0;
            i = ei;
            j = ej;
            continue;
        }
        if (a.at(i) != b.at(j))
            return a.at(i) < b.at(j);
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

} // namespace Pushboard
