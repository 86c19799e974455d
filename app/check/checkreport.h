#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace Pushboard {

/// One verdict of `pushboard check`: what was probed, how it went, the evidence seen on the wire
/// and one line on why it matters. Ids are stable ("sse.content-type", "ws.close", ...):
/// docs/check.md lists them, and scripts may rely on them.
struct CheckItem
{
    enum class Verdict {
        Pass,
        Warn,
        Fail,
        Skip, ///< Could not be measured this time (no events arrived, ...); `evidence` says why.
    };

    QString id;
    QString title;
    Verdict verdict = Verdict::Skip;
    QString evidence;
    QString why;

    [[nodiscard]] static QString verdictName(Verdict verdict);
    [[nodiscard]] QJsonObject toJson() const;
};

/// The result of one check: every item in a fixed order, and the exit code it makes.
struct CheckReport
{
    /// Bumped only when a field changes meaning or goes away (docs/check.md).
    static constexpr int FormatVersion = 1;

    QUrl url;
    QString transport; ///< "sse" or "websocket".
    QString startedAt; ///< ISO 8601, UTC.
    qint64 durationMs = 0;
    bool reached = true; ///< False: the endpoint could not be reached at all (exit code 3).
    QList<CheckItem> items;

    /// 0 every item passed (or was skipped), 1 a warning, 2 a failure, 3 unreachable.
    [[nodiscard]] int exitCode() const;
    [[nodiscard]] int count(CheckItem::Verdict verdict) const;
    [[nodiscard]] const CheckItem *item(const QString &id) const;
    [[nodiscard]] QJsonObject toJson() const;
    /// The terminal form: one line per item, evidence and (unless it passed) why indented below;
    /// ANSI colours when `colour`.
    [[nodiscard]] QString toText(bool colour) const;
};

} // namespace Pushboard
