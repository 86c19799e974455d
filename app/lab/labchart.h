#pragma once

#include "labfigures.h"

#include <QColor>
#include <QImage>

namespace Pushboard::Lab {

/// Draws a lab result's chart into an image (for `pushboard lab --png` and the Lab page's
/// export): axes with their titles, a dot per point (or lines for a distribution), replayed or
/// held-back points ringed, the run's marks as dashed verticals, and a legend.
namespace LabChart {

/// The colour of a lane, the same on the Lab page.
[[nodiscard]] QColor colorOf(const QString &lane);
[[nodiscard]] QImage render(const LabResult &result, const QSize &size = QSize(1200, 700));

} // namespace LabChart

} // namespace Pushboard::Lab
