#pragma once

#include "checkreport.h"

#include <QTest>
#include <QVariantMap>

/// Prints `report` (the evidence, for whoever reads the log) and compares every item's verdict
/// with `expected` (item id -> verdict); an item not named there must pass. Call it with
/// QVERIFY(compareVerdicts(...)).
inline bool compareVerdicts(const Pushboard::CheckReport &report, const QVariantMap &expected)
{
    qInfo().noquote() << report.toText(false);
    for (const Pushboard::CheckItem &item : report.items) {
        const QString want = expected.value(item.id, QStringLiteral("pass")).toString();
        const QString got = Pushboard::CheckItem::verdictName(item.verdict);
        if (got != want) {
            qWarning().noquote()
                << QStringLiteral("%1: %2, not %3 (%4)").arg(item.id, got, want, item.evidence);
            return false;
        }
    }
    return true;
}
