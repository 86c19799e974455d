#include "labchart.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace Pushboard::Lab::LabChart {

namespace {

/// A round step for about `ticks` ticks over `range`: 1, 2 or 5 times a power of ten.
double niceStep(double range, int ticks)
{
    const double raw = range / qMax(1, ticks);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= m * power)
            return m * power;
    }
    return 10 * power;
}

} // namespace

QColor colorOf(const QString &lane)
{
    static const QHash<QString, QColor> known {{QStringLiteral("poll"), QColor(0xe0, 0x7b, 0x00)},
        {QStringLiteral("longpoll"), QColor(0x8e, 0x44, 0xad)},
        {QStringLiteral("sse"), QColor(0x1f, 0x77, 0xb4)},
        {QStringLiteral("ws"), QColor(0x2c, 0xa0, 0x2c)},
        {QStringLiteral("sse-slow"), QColor(0xd6, 0x27, 0x28)},
        {QStringLiteral("fixed"), QColor(0xd6, 0x27, 0x28)},
        {QStringLiteral("jittered"), QColor(0x1f, 0x77, 0xb4)},
        {QStringLiteral("h2-tcp"), QColor(0xd6, 0x27, 0x28)},
        {QStringLiteral("quic"), QColor(0x2c, 0xa0, 0x2c)},
        {QStringLiteral("qt-h1"), QColor(0xe0, 0x7b, 0x00)},
        {QStringLiteral("qt-h2"), QColor(0x1f, 0x77, 0xb4)},
        {QStringLiteral("chromium-h1"), QColor(0x8e, 0x44, 0xad)},
        {QStringLiteral("chromium-h2"), QColor(0x2c, 0xa0, 0x2c)}};
    return known.value(lane, QColor(0x55, 0x55, 0x55));
}

QImage render(const LabResult &result, const QSize &size)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setPixelSize(14);
    painter.setFont(font);
    const QFontMetrics metrics(font);

    const QRectF plot(80, 50, size.width() - 110, size.height() - 140);
    double maxX = result.extent().x();
    double maxY = result.extent().y();
    const double stepX = niceStep(maxX, 10);
    const double stepY = niceStep(maxY * 1.05, 8);
    maxX = std::ceil(maxX / stepX) * stepX;
    maxY = std::ceil(maxY * 1.05 / stepY) * stepY;
    const auto toPixel = [&](const QPointF &p) {
        return QPointF(plot.left() + p.x() / maxX * plot.width(),
            plot.bottom() - p.y() / maxY * plot.height());
    };

    // Title, grid and axes.
    QFont title = font;
    title.setPixelSize(18);
    title.setBold(true);
    painter.setFont(title);
    painter.setPen(Qt::black);
    painter.drawText(QRectF(0, 10, size.width(), 30), Qt::AlignHCenter,
        result.chartTitle.isEmpty() ? result.scenario : result.chartTitle);
    painter.setFont(font);
    painter.setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 1));
    for (double x = 0; x <= maxX + stepX / 2; x += stepX) {
        const QPointF at = toPixel({x, 0});
        painter.drawLine(QPointF(at.x(), plot.top()), QPointF(at.x(), plot.bottom()));
    }
    for (double y = 0; y <= maxY + stepY / 2; y += stepY) {
        const QPointF at = toPixel({0, y});
        painter.drawLine(QPointF(plot.left(), at.y()), QPointF(plot.right(), at.y()));
    }
    painter.setPen(QPen(Qt::black, 1));
    painter.drawRect(plot);
    for (double x = 0; x <= maxX + stepX / 2; x += stepX) {
        const QPointF at = toPixel({x, 0});
        const QString label = QString::number(x, 'g', 6);
        painter.drawText(QRectF(at.x() - 40, plot.bottom() + 4, 80, 20), Qt::AlignHCenter, label);
    }
    for (double y = 0; y <= maxY + stepY / 2; y += stepY) {
        const QPointF at = toPixel({0, y});
        painter.drawText(QRectF(0, at.y() - 10, plot.left() - 6, 20),
            Qt::AlignRight | Qt::AlignVCenter, QString::number(y, 'g', 6));
    }
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + 24, plot.width(), 20), Qt::AlignHCenter, result.xTitle);
    painter.save();
    painter.translate(16, plot.center().y());
    painter.rotate(-90);
    painter.drawText(
        QRectF(-plot.height() / 2, -10, plot.height(), 20), Qt::AlignHCenter, result.yTitle);
    painter.restore();

    // Marks: a dashed vertical with its text, at the time it happened.
    if (result.isTimeAxis()) {
        painter.setPen(QPen(QColor(0x77, 0x77, 0x77), 1, Qt::DashLine));
        int row = 0;
        for (const LabMark &mark : result.marks) {
            const QPointF at = toPixel({mark.atS, 0});
            painter.drawLine(QPointF(at.x(), plot.top()), QPointF(at.x(), plot.bottom()));
            // Right of its line, or left of it where the plot ends.
            const double width = metrics.horizontalAdvance(mark.text);
            const double x = at.x() + 4 + width > plot.right() ? at.x() - 4 - width : at.x() + 4;
            painter.drawText(QPointF(x, plot.top() + 16 + 16 * (row++ % 4)), mark.text);
        }
    }

    // The series, clipped to the plot.
    painter.setClipRect(plot.adjusted(-3, -3, 3, 3));
    for (const LabSeries &series : result.series) {
        const QColor color = colorOf(series.lane);
        if (result.lines) {
            QPainterPath path;
            for (qsizetype i = 0; i < series.points.size(); ++i) {
                const QPointF at = toPixel(series.points.at(i));
                if (i == 0)
                    path.moveTo(at);
                else
                    path.lineTo(at);
            }
            painter.setPen(QPen(color, 2));
            painter.setBrush(Qt::NoBrush);
            painter.drawPath(path);
        } else {
            painter.setPen(Qt::NoPen);
            painter.setBrush(color);
            for (const QPointF &p : series.points)
                painter.drawEllipse(toPixel(p), 2.0, 2.0);
        }
        painter.setPen(QPen(color, 1.5));
        painter.setBrush(Qt::NoBrush);
        for (const QPointF &p : series.marked)
            painter.drawEllipse(toPixel(p), 4.5, 4.5);
    }
    painter.setClipping(false);

    // Legend under the plot.
    double x = plot.left();
    const double y = size.height() - 26;
    for (const LaneFigures &lane : result.lanes) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colorOf(lane.name));
        painter.drawRect(QRectF(x, y - 10, 14, 14));
        painter.setPen(Qt::black);
        const QString text = lane.label.isEmpty() ? lane.name : lane.label;
        painter.drawText(QPointF(x + 20, y + 2), text);
        x += 20 + metrics.horizontalAdvance(text) + 24;
    }
    bool anyMarked = false;
    for (const LabSeries &series : result.series)
        anyMarked = anyMarked || !series.marked.isEmpty();
    if (anyMarked) {
        painter.setPen(QPen(Qt::black, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(QPointF(x + 7, y - 3), 4.5, 4.5);
        painter.drawText(QPointF(x + 20, y + 2),
            result.scenario == u"head-of-line" ? QStringLiteral("held by another stream's loss")
                                               : QStringLiteral("replayed after a reconnect"));
    }
    return image;
}

} // namespace Pushboard::Lab::LabChart
