pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import Pushboard.Lab

// The protocol lab: a scenario (what to watch, and why, with the standards' sections), one
// stream over every transport at once, measured live: the latency chart with the run's marks,
// and per transport the events, loss, requests, connections, reconnects and bytes per event
// split into protocol overhead and payload. Each run has its own server; the dashboard's
// stream is not touched.
Item {
    id: page

    /// Where the exports go (a directory; empty: the Documents folder). The window passes the
    /// home folder, where the inspector's exports go too.
    property string exportDirectory: ""

    LabController {
        id: lab
        objectName: "lab"
        onChartChanged: page.refreshChart()
    }

    /// Chooses `scenario` and starts it.
    function run(scenario) {
        lab.scenario = scenario;
        scenarioBox.currentIndex = scenarioBox.indexOfValue(scenario);
        lab.start();
    }

    property var mainSeries: []
    property var markedSeries: []
    property var markSeries: [] // one dashed vertical per mark of the run
    property int seriesLanes: -1
    property bool seriesLines: false

    function rebuildSeries() {
        chart.removeAllSeries();
        const mains = [];
        const marked = [];
        for (let row = 0; row < lab.lanes.count; ++row) {
            const type = lab.lines ? ChartView.SeriesTypeLine : ChartView.SeriesTypeScatter;
            const s = chart.createSeries(type, lab.labelAt(row), xAxis, yAxis);
            s.color = lab.colorAt(row);
            if (lab.lines) {
                s.width = 2;
            } else {
                s.markerSize = 5;
                s.borderColor = s.color;
            }
            const m = chart.createSeries(ChartView.SeriesTypeScatter, "", xAxis, yAxis);
            m.color = "transparent";
            m.borderColor = lab.colorAt(row);
            m.borderWidth = 1.5;
            m.markerSize = 11;
            mains.push(s);
            marked.push(m);
        }
        mainSeries = mains;
        markedSeries = marked;
        markSeries = [];
        seriesLanes = lab.lanes.count;
        seriesLines = lab.lines;
    }
    function refreshChart() {
        if (seriesLanes !== lab.lanes.count || seriesLines !== lab.lines)
            rebuildSeries();
        // The run's marks (a restart, a fault) as dashed verticals.
        const marks = lab.markTimes;
        for (let i = markSeries.length; i < marks.length; ++i) {
            const line = chart.createSeries(ChartView.SeriesTypeLine, "", xAxis, yAxis);
            line.color = Theme.muted;
            line.width = 1;
            line.style = Qt.DashLine;
            markSeries.push(line);
        }
        for (let i = 0; i < markSeries.length; ++i) {
            markSeries[i].clear();
            if (i < marks.length && marks[i] > 0) {
                markSeries[i].append(marks[i], 0);
                markSeries[i].append(marks[i], lab.yMax);
            }
        }
        for (let row = 0; row < mainSeries.length; ++row) {
            lab.feed(mainSeries[row], row, false);
            lab.feed(markedSeries[row], row, true);
        }
    }
    function ms(value) {
        return value < 0 ? "–" : value < 10 ? value.toFixed(1) : value.toFixed(0);
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        // The scenario and the run.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: intro.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: intro
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing / 2

                RowLayout {
                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    ComboBox {
                        id: scenarioBox
                        objectName: "scenarioBox"
                        implicitWidth: 260
                        model: lab.scenarios
                        textRole: "title"
                        valueRole: "key"
                        enabled: !lab.running
                        onActivated: lab.scenario = currentValue
                        Component.onCompleted: currentIndex = indexOfValue(lab.scenario)
                    }
                    Label { text: "seconds"; color: Theme.muted }
                    SpinBox {
                        implicitWidth: 110
                        from: 1
                        to: 600
                        editable: true
                        value: lab.duration > 0 ? lab.duration : lab.defaultDuration
                        enabled: !lab.running
                        onValueModified: lab.duration = value
                    }
                    Label { text: "poll every (ms)"; color: Theme.muted }
                    SpinBox {
                        implicitWidth: 120
                        from: 50
                        to: 60000
                        stepSize: 250
                        editable: true
                        value: lab.pollInterval
                        enabled: !lab.running
                        onValueModified: lab.pollInterval = value
                    }
                    Button {
                        objectName: "runButton"
                        text: lab.running ? "Stop" : "Run"
                        highlighted: !lab.running
                        onClicked: lab.running ? lab.stop() : lab.start()
                    }
                    Button {
                        text: "Export CSV"
                        enabled: lab.lanes.count > 0
                        onClicked: lab.exportCsv(page.exportDirectory)
                    }
                    Button {
                        text: "Export PNG"
                        enabled: lab.lanes.count > 0
                        onClicked: lab.exportPng(page.exportDirectory)
                    }
                    Item { Layout.fillWidth: true }
                }
                RowLayout {
                    spacing: Theme.spacing
                    Label {
                        text: lab.title
                        font.bold: true
                        font.pixelSize: 16
                        color: Theme.text
                    }
                    Label {
                        visible: lab.simulation
                        text: "SIMULATION — a model, not a measurement"
                        font.bold: true
                        color: Theme.warn
                    }
                    Label {
                        text: lab.sections
                        color: Theme.accent
                    }
                    Label {
                        Layout.fillWidth: true
                        Layout.minimumWidth: 0
                        horizontalAlignment: Text.AlignRight
                        text: lab.status
                        color: Theme.muted
                        elide: Text.ElideMiddle
                    }
                }
                Label {
                    Layout.fillWidth: true
                    text: lab.watch
                    wrapMode: Text.WordWrap
                    color: Theme.text
                    textFormat: Text.MarkdownText
                }
            }
        }

        // The chart and the run's timeline.
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            Rectangle {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.minimumHeight: 220
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border

                ChartView {
                    id: chart
                    objectName: "labChart"
                    anchors.fill: parent
                    anchors.margins: 2
                    antialiasing: true
                    backgroundColor: "transparent"
                    legend.visible: false // the table below names each colour
                    margins { top: 4; bottom: 4; left: 4; right: 4 }

                    // Debian's Qt Charts 6.4 type description leaves ValueAxis unresolved for the
                    // linter, as in MetricChart.qml; the type exists and works at run time.
                    // qmllint disable import type property
                    ValueAxis {
                        id: xAxis
                        min: 0
                        max: lab.xMax
                        titleText: lab.xTitle
                        labelsColor: Theme.muted
                        titleBrush: Theme.muted
                        gridLineColor: Theme.border
                        labelFormat: "%g"
                    }
                    ValueAxis {
                        id: yAxis
                        min: 0
                        max: lab.yMax
                        titleText: lab.yTitle
                        labelsColor: Theme.muted
                        titleBrush: Theme.muted
                        gridLineColor: Theme.border
                        labelFormat: "%g"
                    }
                    // qmllint enable import type property
                }
                Label {
                    anchors.centerIn: parent
                    visible: lab.lanes.count === 0
                    text: "Choose a scenario and press Run"
                    color: Theme.muted
                }
            }
            Rectangle {
                Layout.preferredWidth: 300
                Layout.fillHeight: true
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border

                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: Theme.spacing
                    Label {
                        text: "Timeline"
                        font.bold: true
                        color: Theme.text
                    }
                    Label {
                        text: lab.lines ? "" : "ringed: replayed after a reconnect (or held back by another stream's loss)"
                        visible: text !== ""
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        color: Theme.muted
                        font.pixelSize: 11
                    }
                    ListView {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        model: lab.marks
                        delegate: Label {
                            required property string modelData
                            width: ListView.view.width
                            text: modelData
                            wrapMode: Text.WordWrap
                            color: Theme.text
                            font.pixelSize: 12
                        }
                    }
                }
            }
        }

        // Per transport (or policy, or protocol).
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: table.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: table
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: 4

                RowLayout {
                    spacing: 8
                    Repeater {
                        model: [["", 200], ["events", 84], ["lost", 34], ["dup", 34], ["replayed", 60],
                                ["p50 ms", 54], ["p99 ms", 54], ["requests", 62], ["conns", 42],
                                ["reconnects", 72], ["bytes per event: overhead | payload", 260]]
                        delegate: Label {
                            required property var modelData
                            Layout.preferredWidth: modelData[1]
                            text: modelData[0]
                            color: Theme.muted
                            font.pixelSize: 12
                        }
                    }
                }
                Repeater {
                    model: lab.lanes
                    delegate: RowLayout {
                        id: row
                        required property string label
                        required property color color
                        required property var events
                        required property var expected
                        required property var lost
                        required property var duplicated
                        required property var replayed
                        required property double p50
                        required property double p99
                        required property var requests
                        required property var connections
                        required property var reconnects
                        required property double wirePerEvent
                        required property double overheadPerEvent
                        required property double payloadPerEvent
                        required property string note
                        spacing: 8

                        RowLayout {
                            Layout.preferredWidth: 200
                            Layout.maximumWidth: 200
                            Layout.fillWidth: false
                            spacing: 6
                            Rectangle { width: 12; height: 12; radius: 6; color: row.color }
                            Label { text: row.label; color: Theme.text; elide: Text.ElideRight; Layout.fillWidth: true }
                        }
                        Label { Layout.preferredWidth: 84; text: row.events + " / " + row.expected; color: Theme.text }
                        Label { Layout.preferredWidth: 34; text: row.lost; color: row.lost > 0 ? Theme.bad : Theme.ok; font.bold: row.lost > 0 }
                        Label { Layout.preferredWidth: 34; text: row.duplicated; color: row.duplicated > 0 ? Theme.bad : Theme.ok }
                        Label { Layout.preferredWidth: 60; text: row.replayed; color: Theme.text }
                        Label { Layout.preferredWidth: 54; text: page.ms(row.p50); color: Theme.text }
                        Label { Layout.preferredWidth: 54; text: page.ms(row.p99); color: Theme.text }
                        Label { Layout.preferredWidth: 62; text: row.requests; color: Theme.text }
                        Label { Layout.preferredWidth: 42; text: row.connections; color: Theme.text }
                        Label { Layout.preferredWidth: 72; text: row.reconnects; color: Theme.text }
                        // Overhead and payload as one bar, scaled to the widest lane.
                        Item {
                            Layout.fillWidth: true
                            Layout.minimumWidth: 260
                            implicitHeight: 18
                            visible: row.note === ""
                            Rectangle {
                                id: overheadBar
                                height: 14
                                anchors.verticalCenter: parent.verticalCenter
                                width: row.wirePerEvent < 0 ? 0 : 150 * row.overheadPerEvent / lab.widestPerEvent
                                color: Theme.warn
                            }
                            Rectangle {
                                height: 14
                                anchors.verticalCenter: parent.verticalCenter
                                anchors.left: overheadBar.right
                                width: row.wirePerEvent < 0 ? 0 : 150 * row.payloadPerEvent / lab.widestPerEvent
                                color: Theme.accent
                            }
                            Label {
                                x: 156
                                anchors.verticalCenter: parent.verticalCenter
                                text: row.wirePerEvent < 0 ? "–" : row.overheadPerEvent.toFixed(0) + " | " + row.payloadPerEvent.toFixed(0) + " B"
                                color: Theme.text
                                font.pixelSize: 12
                            }
                        }
                        Label {
                            Layout.fillWidth: true
                            Layout.minimumWidth: 260
                            visible: row.note !== ""
                            text: row.note
                            color: Theme.text
                            elide: Text.ElideRight
                        }
                    }
                }
            }
        }
    }

}
