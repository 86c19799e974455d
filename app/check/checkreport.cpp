#include "checkreport.h"

#include <QJsonArray>

namespace Pushboard {

QString CheckItem::verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass:
        return QStringLiteral("pass");
    case Verdict::Warn:
        return QStringLiteral("warn");
    case Verdict::Fail:
        return QStringLiteral("fail");
    case Verdict::Skip:
        break;
    }
    return QStringLiteral("skip");
}

QJsonObject CheckItem::toJson() const
{
    return {
        {QStringLiteral("id"), id},
        {QStringLiteral("title"), title},
        {QStringLiteral("verdict"), verdictName(verdict)},
        {QStringLiteral("evidence"), evidence},
        {QStringLiteral("why"), why},
    };
}

int CheckReport::exitCode() const
{
    if (!reached)
        return 3;
    if (count(CheckItem::Verdict::Fail) > 0)
        return 2;
    return count(CheckItem::Verdict::Warn) > 0 ? 1 : 0;
}

int CheckReport::count(CheckItem::Verdict verdict) const
{
    return int(std::count_if(items.cbegin(), items.cend(),
        [verdict](const CheckItem &item) { return item.verdict == verdict; }));
}

const CheckItem *CheckReport::item(const QString &id) const
{
    for (const CheckItem &candidate : items) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
}

QJsonObject CheckReport::toJson() const
{
    QJsonArray list;
    for (const CheckItem &item : items)
        list.append(item.toJson());
    return {
        {QStringLiteral("format"), FormatVersion},
        {QStringLiteral("url"), url.toString(QUrl::RemoveUserInfo)},
        {QStringLiteral("transport"), transport},
        {QStringLiteral("startedAt"), startedAt},
        {QStringLiteral("durationMs"), durationMs},
        {QStringLiteral("reached"), reached},
        {QStringLiteral("summary"),
            QJsonObject {
                {QStringLiteral("pass"), count(CheckItem::Verdict::Pass)},
                {QStringLiteral("warn"), count(CheckItem::Verdict::Warn)},
                {QStringLiteral("fail"), count(CheckItem::Verdict::Fail)},
                {QStringLiteral("skip"), count(CheckItem::Verdict::Skip)},
            }},
        {QStringLiteral("exitCode"), exitCode()},
        {QStringLiteral("items"), list},
    };
}

QString CheckReport::toText(bool colour) const
{
    const auto paint = [colour](const char *code, const QString &text) {
        return colour ? QStringLiteral("\x1b[%1m%2\x1b[0m").arg(QLatin1String(code), text) : text;
    };
    const auto badge = [&paint](CheckItem::Verdict verdict) {
        switch (verdict) {
        case CheckItem::Verdict::Pass:
            return paint("32", QStringLiteral("pass"));
        case CheckItem::Verdict::Warn:
            return paint("33", QStringLiteral("WARN"));
        case CheckItem::Verdict::Fail:
            return paint("1;31", QStringLiteral("FAIL"));
        case CheckItem::Verdict::Skip:
            break;
        }
        return paint("2", QStringLiteral("skip"));
    };

    QString text
        = paint("1", QStringLiteral("pushboard check %1").arg(url.toString(QUrl::RemoveUserInfo)))
        + QStringLiteral(" (%1, %2 s)\n").arg(transport).arg(double(durationMs) / 1000, 0, 'f', 1);
    int width = 0;
    for (const CheckItem &item : items)
        width = qMax(width, int(item.title.size()));
    for (const CheckItem &item : items) {
        text += QStringLiteral("  %1  %2  %3\n")
                    .arg(badge(item.verdict), item.title.leftJustified(width), item.evidence);
        if (item.verdict == CheckItem::Verdict::Warn || item.verdict == CheckItem::Verdict::Fail)
            text += QStringLiteral("        %1  %2\n")
                        .arg(QString(width, QLatin1Char(' ')), paint("2", item.why));
    }
    if (!reached) {
        text += paint("1;31", QStringLiteral("unreachable")) + QLatin1Char('\n');
        return text;
    }
    text += QStringLiteral("%1 passed, %2 warned, %3 failed, %4 skipped\n")
                .arg(count(CheckItem::Verdict::Pass))
                .arg(count(CheckItem::Verdict::Warn))
                .arg(count(CheckItem::Verdict::Fail))
                .arg(count(CheckItem::Verdict::Skip));
    return text;
}

} // namespace Pushboard
