pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtCharts
import Pushboard.Client

// A time chart of DashboardSource series: every key in `keys`, and every key that starts with
// `prefix` as it appears (one line per CPU core or network interface). Points arrive through
// ChartFeeder (C++), once a second at most.
Rectangle {
    id: card

    required property DashboardSource source
    required property string title
    property var keys: []
    property string prefix: ""
    property var names: ({})      // key -> legend name
    property double scale: 1      // applied to every value
    property string unit: ""
    property double fixedMax: 0   // 0: scale to the data
    property string note: ""      // a remark shown after the title (e.g. series removed)
    property string emptyText: "" // shown while the chart has no line (e.g. no interface)

    Layout.fillWidth: true
    Layout.fillHeight: true
    Layout.minimumHeight: 150
    Layout.minimumWidth: 200
    Layout.preferredWidth: 400
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border

    property var shown: ({})
    property int colorIndex: 0 // the next series' colour; never reused while lines come and go
    property int lineCount: 0  // ChartView.count does not notify in Qt 6.4

    function addKey(key) {
        if (shown[key] !== undefined)
            return;
        const index = colorIndex++;
        const series = chart.createSeries(ChartView.SeriesTypeLine, names[key] || legendName(key), xAxis, yAxis);
        series.color = Theme.series[index % Theme.series.length];
        series.width = key.endsWith("total") || index === 0 ? 2.5 : 1.5;
        // Published numbers may come rarely: a lone point is drawn as a dot, not as nothing.
        series.pointsVisible = key.startsWith("topic.");
        const feeder = feederComponent.createObject(card, { key: key, series: series });
        shown[key] = feeder;
        lineCount = Object.keys(shown).length;
    }
    function removeKey(key) {
        const feeder = shown[key];
        if (feeder === undefined)
            return;
        chart.removeSeries(feeder.series);
        feeder.destroy();
        delete shown[key];
        lineCount = Object.keys(shown).length;
    }
    function legendName(key) {
        const parts = key.split(".");
        if (parts[0] === "cpu")
            return "core " + parts[1];
        if (parts[0] === "topic")
            return source.seriesLabel(key) || key.substring(6);
        if (parts[0] === "net")
            return parts.slice(1, -1).join(".") + (parts[parts.length - 1] === "rx" ? " ↓" : " ↑");
        return key;
    }
    function addMatching() {
        for (const key of keys)
            addKey(key);
        if (prefix.length > 0)
            for (const key of source.seriesKeys(prefix))
                addKey(key);
    }
    function rescale() {
        if (fixedMax > 0) {
            yAxis.max = fixedMax;
            return;
        }
        const max = source.maxValue(Object.keys(shown)) * scale;
        yAxis.max = max > 0 ? max * 1.15 : 1;
        yAxis.labelFormat = yAxis.max >= 100 ? "%.0f" : yAxis.max >= 10 ? "%.1f" : "%.2f";
    }

    Component {
        id: feederComponent
        ChartFeeder { source: card.source; scale: card.scale }
    }

    Connections {
        target: card.source
        function onSeriesAdded(key) {
            if (card.prefix.length > 0 && key.startsWith(card.prefix))
                card.addKey(key);
        }
        function onSeriesRemoved(key) { card.removeKey(key); }
        function onSeriesChanged() { card.rescale(); }
    }

    Component.onCompleted: { addMatching(); rescale(); }

    Text {
        id: heading
        x: Theme.spacing; y: Theme.spacing / 2
        text: card.title + (card.unit.length ? "  (" + card.unit + ")" : "")
        color: Theme.text
        font.pixelSize: 15
        font.bold: true
    }
    Text {
        id: noteText
        objectName: "chartNote"
        anchors { left: heading.left; top: heading.bottom; right: parent.right; rightMargin: Theme.spacing }
        visible: card.note.length > 0
        text: card.note
        color: Theme.muted
        font.pixelSize: 12
        elide: Text.ElideRight
    }

    Text {
        objectName: "chartEmpty"
        anchors.centerIn: chart
        width: chart.width - 4 * Theme.spacing
        z: 1
        visible: card.lineCount === 0 && card.emptyText.length > 0
        text: card.emptyText
        color: Theme.muted
        font.pixelSize: 12
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }

    ChartView {
        id: chart
        anchors { left: parent.left; right: parent.right; top: noteText.visible ? noteText.bottom : heading.bottom; bottom: parent.bottom; margins: 2 }
        antialiasing: true
        backgroundColor: "transparent"
        theme: Theme.dark ? ChartView.ChartThemeDark : ChartView.ChartThemeLight
        legend.alignment: Qt.AlignBottom
        legend.visible: card.height > 220 // small cards keep the room for the plot
        legend.labelColor: Theme.muted
        margins { left: 4; right: 8; top: 4; bottom: 4 }

        DateTimeAxis {
            id: xAxis
            format: card.width > 450 ? "hh:mm:ss" : "hh:mm"
            tickCount: card.width > 450 ? 5 : 3
            min: new Date(card.source.windowStart)
            max: new Date(card.source.windowEnd)
            labelsColor: Theme.muted
            gridLineColor: Theme.border
        }
        // Debian's Qt Charts 6.4 type description leaves ValueAxis unresolved for qmllint (it
        // suggests the old ValuesAxis); the type exists and works at run time.
        // qmllint disable import type property
        ValueAxis {
            id: yAxis
            tickCount: card.height > 260 ? 5 : 3
            min: 0
            max: 1
            labelFormat: "%.3g"
            labelsColor: Theme.muted
            gridLineColor: Theme.border
        }
        // qmllint enable import type property
    }

    // Gaps and resets of the stream: a vertical line where each arrived.
    Repeater {
        model: card.source.markers
        delegate: Rectangle {
            id: marker
            required property var modelData
            readonly property real span: card.source.windowEnd - card.source.windowStart
            readonly property real fraction: span > 0 ? (modelData.time - card.source.windowStart) / span : -1
            visible: fraction >= 0 && fraction <= 1
            x: chart.x + chart.plotArea.x + fraction * chart.plotArea.width
            y: chart.y + chart.plotArea.y
            width: 2
            height: chart.plotArea.height
            color: modelData.kind === "gap" ? Theme.warn : Theme.bad
            Text {
                x: 4
                text: marker.modelData.kind
                color: marker.color
                font.pixelSize: 11
                font.bold: true
            }
        }
    }
}
