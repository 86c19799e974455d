#pragma once

#include "dashboardsource.h"

#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QtCharts/QAbstractSeries>

namespace Pushboard {

/// Feeds one chart line from a DashboardSource series: `QXYSeries::replace()` with the points in
/// the window, whenever the source says its series changed (at most once a second), so QML never
/// handles points one by one.
class ChartFeeder : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Pushboard::DashboardSource *source READ source WRITE setSource NOTIFY sourceChanged)
    /// The series key, e.g. `cpu.total` (see DashboardSource).
    Q_PROPERTY(QString key READ key WRITE setKey NOTIFY keyChanged)
    /// A LineSeries or other QXYSeries of a ChartView.
    Q_PROPERTY(QAbstractSeries *series READ series WRITE setSeries NOTIFY seriesChanged)
    /// Scales every value (e.g. 1/1048576 to chart MiB).
    Q_PROPERTY(double scale READ scale WRITE setScale NOTIFY scaleChanged)

public:
    explicit ChartFeeder(QObject *parent = nullptr);

    [[nodiscard]] DashboardSource *source() const { return m_source; }
    void setSource(DashboardSource *source);
    [[nodiscard]] QString key() const { return m_key; }
    void setKey(const QString &key);
    [[nodiscard]] QAbstractSeries *series() const { return m_series; }
    void setSeries(QAbstractSeries *series);
    [[nodiscard]] double scale() const { return m_scale; }
    void setScale(double scale);

    /// Replaces the series' points now.
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void sourceChanged();
    void keyChanged();
    void seriesChanged();
    void scaleChanged();

private:
    QPointer<DashboardSource> m_source;
    QString m_key;
    QPointer<QAbstractSeries> m_series;
    double m_scale = 1.0;
};

} // namespace Pushboard
