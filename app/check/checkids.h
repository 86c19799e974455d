#pragma once

#include <QString>

namespace Pushboard {

/// `id` with its first run of digits moved by `delta` (and kept at least 1): "41" and +10
/// gives "51", "1796106906:0" and -1000000000 gives "796106906:0". Empty when `id` has no
/// digits, or too many to count with (over 17).
[[nodiscard]] QString shiftedId(const QString &id, qint64 delta);

/// Orders ids as people read them, runs of digits by their value: "9" before "10", "1:9"
/// before "1:10", "a" before "b".
[[nodiscard]] bool naturalIdLess(const QString &a, const QString &b);

} // namespace Pushboard
