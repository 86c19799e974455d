#include "chartfeeder.h"

#include "dashboardsource.h"

#include <QtCharts/QXYSeries>

namespace Pushboard {

ChartFeeder::ChartFeeder(QObject *parent)
    : QObject(parent)
{ }

void ChartFeeder::setSource(DashboardSource *source)
{
    if (source == m_source)
        return;
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    if (m_source)
        connect(m_source, &DashboardSource::seriesChanged, this, &ChartFeeder::refresh);
    Q_EMIT sourceChanged();
    refresh();
}

void ChartFeeder::setKey(const QString &key)
{
    if (key == m_key)
        return;
    m_key = key;
    Q_EMIT keyChanged();
    refresh();
}

void ChartFeeder::setSeries(QAbstractSeries *series)
{
    if (series == m_series)
        return;
    m_series = series;
    Q_EMIT seriesChanged();
    refresh();
}

void ChartFeeder::setScale(double scale)
{
    if (qFuzzyCompare(scale, m_scale))
        return;
    m_scale = scale;
    Q_EMIT scaleChanged();
    refresh();
}

void ChartFeeder::refresh()
{
    auto *xy = qobject_cast<QXYSeries *>(m_series.data());
    if (!xy || !m_source || m_key.isEmpty())
        return;
    QList<QPointF> points = m_source->points(m_key);
    if (!qFuzzyCompare(m_scale, 1.0)) {
        for (QPointF &p : points)
            p.setY(p.y() * m_scale);
    }
    xy->replace(points);
}

} // namespace Pushboard
