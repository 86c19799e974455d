pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pushboard.Client
import Pushboard.Inspector

// The dashboard: this machine's (or a remote server's) metrics, read over the chosen transport,
// with the server's controls at hand.
ApplicationWindow {
    id: window

    required property string serverUrl
    required property string token
    required property string transport
    required property int windowMinutes
    /// Whom to trust for an https:// server (--ca FILE, --pin SHA256).
    property string caFile: ""
    property string pin: ""
    property string themeOverride: ""
    /// Why this window watches a server it did not start (its port or data directory was taken).
    property string notice: ""
    /// Where the inspector writes its exports.
    property string exportDirectory: "."
    /// --inspect: open on the Inspector with its relay in front of the server, watched through it.
    property bool inspectOnStart: false
    property int inspectPort: 0
    /// --lab SCENARIO: open on the Lab page and run it.
    property string labOnStart: ""
    /// --check: open on the Check page and check the stream the dashboard watches.
    property bool checkOnStart: false
    /// The tiles' figures (DashboardSource.current): a JavaScript object keyed by figure name.
    readonly property var current: source.current

    // The first size; the program shrinks it to a smaller screen or restores the last one.
    width: 1400
    height: 900
    minimumWidth: 1024
    minimumHeight: 700
    visible: true
    title: "Pushboard — " + source.url
    color: Theme.background
    // Qt Quick Controls (Basic style) take their colours from the palette: follow the theme.
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.dark ? "#2c3039" : "#eef0f3"
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.placeholderText: Theme.muted

    Component.onCompleted: {
        Theme.forced = themeOverride;
        if (inspectOnStart && inspector.start(serverUrl, inspectPort)) {
            pages.currentIndex = 1;
            inspectorPage.dashboardThroughRelay = true;
        }
        if (labOnStart !== "") {
            pages.currentIndex = 2;
            labPage.run(labOnStart);
        }
        if (checkOnStart) {
            pages.currentIndex = 3;
            checkPage.run();
        }
    }

    DashboardSource {
        id: source
        objectName: "source"
        token: window.token
        caFile: window.caFile
        pin: window.pin
        transport: window.transport
        windowMinutes: window.windowMinutes
        url: window.serverUrl
    }
    ControlClient {
        id: controls
        token: window.token
        caFile: window.caFile
        pin: window.pin
        url: source.url
    }

    InspectorSession {
        id: inspector
        objectName: "inspector"
    }

    header: ConnectionBar {
        source: source
        notice: window.notice
    }

    TabBar {
        id: pages
        objectName: "pages"
        x: Theme.spacing
        width: 640
        TabButton { text: "Dashboard" }
        TabButton { text: "Inspector" }
        TabButton { text: "Lab" }
        TabButton { text: "Check" }
    }

    StackLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        anchors.topMargin: pages.height + Theme.spacing / 2
        currentIndex: pages.currentIndex

    RowLayout {
        spacing: Theme.spacing

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            RowLayout {
                spacing: Theme.spacing
                Layout.fillWidth: true
                Tile {
                    label: "CPU"
                    value: (window.current.cpu ?? 0).toFixed(1) + " %"
                }
                Tile {
                    label: "Memory used"
                    value: Theme.bytes(window.current.memUsed ?? 0)
                    detail: "of " + Theme.bytes(window.current.memTotal ?? 0) + " · swap " + Theme.bytes(window.current.swapUsed ?? 0)
                }
                Tile {
                    label: "Load"
                    value: (window.current.load1 ?? 0).toFixed(2)
                    detail: "5 min " + (window.current.load5 ?? 0).toFixed(2) + " · 15 min " + (window.current.load15 ?? 0).toFixed(2)
                }
                Tile {
                    label: "Network"
                    value: "↓ " + Theme.rate(window.current.rx ?? 0)
                    detail: "↑ " + Theme.rate(window.current.tx ?? 0)
                }
                Tile {
                    label: "Disk"
                    value: "R " + Theme.rate(window.current.diskRead ?? 0)
                    detail: "W " + Theme.rate(window.current.diskWrite ?? 0)
                }
                ColumnLayout {
                    Label {
                        text: "Window"
                        color: Theme.muted
                    }
                    ComboBox {
                        objectName: "windowBox"
                        model: [1, 5, 15]
                        displayText: currentValue + " min"
                        Component.onCompleted: currentIndex = Math.max(0, model.indexOf(source.windowMinutes))
                        onActivated: source.windowMinutes = currentValue
                    }
                }
            }

            GridLayout {
                columns: window.width > 1800 ? 3 : 2
                rowSpacing: Theme.spacing
                columnSpacing: Theme.spacing
                Layout.fillWidth: true
                Layout.fillHeight: true

                MetricChart {
                    source: source
                    title: "CPU"
                    unit: "%"
                    keys: ["cpu.total"]
                    prefix: "cpu."
                    fixedMax: 100
                    names: ({
                            "cpu.total": "total"
                        })
                }
                MetricChart {
                    source: source
                    title: "Memory"
                    unit: "GiB"
                    scale: 1 / 1073741824
                    keys: ["mem.used", "mem.available", "mem.swapUsed"]
                    names: ({
                            "mem.used": "used",
                            "mem.available": "available",
                            "mem.swapUsed": "swap used"
                        })
                }
                MetricChart {
                    source: source
                    title: "Load"
                    keys: ["load.1m", "load.5m", "load.15m"]
                    names: ({
                            "load.1m": "1 min",
                            "load.5m": "5 min",
                            "load.15m": "15 min"
                        })
                }
                MetricChart {
                    source: source
                    title: "Network"
                    unit: "KiB/s"
                    scale: 1 / 1024
                    prefix: "net."
                    emptyText: "No network interface besides loopback (lo is not charted)"
                }
                MetricChart {
                    source: source
                    title: "Disk"
                    unit: "KiB/s"
                    scale: 1 / 1024
                    keys: ["disk.read", "disk.write"]
                    names: ({
                            "disk.read": "read",
                            "disk.write": "write"
                        })
                }
                Rectangle {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.minimumHeight: 150
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.border
                    clip: true

                    Label {
                        id: eventsTitle
                        x: Theme.spacing
                        y: Theme.spacing
                        text: "Other topics"
                        font.bold: true
                        font.pixelSize: 15
                        color: Theme.text
                    }
                    ListView {
                        anchors {
                            left: parent.left
                            right: parent.right
                            top: eventsTitle.bottom
                            bottom: parent.bottom
                            margins: Theme.spacing
                        }
                        model: source.recentEvents
                        spacing: 4
                        clip: true
                        delegate: Column {
                            id: row
                            required property string eventId
                            required property string topic
                            required property var time
                            required property string payload
                            width: ListView.view.width
                            Text {
                                text: row.topic + "  #" + row.eventId + "  " + Qt.formatDateTime(row.time, "hh:mm:ss")
                                color: Theme.muted
                                font.pixelSize: 12
                            }
                            Text {
                                text: row.payload
                                color: Theme.text
                                font.family: "monospace"
                                font.pixelSize: 12
                                elide: Text.ElideRight
                                width: parent.width
                            }
                        }
                        Label {
                            anchors.centerIn: parent
                            visible: parent.count === 0
                            color: Theme.muted
                            text: "Events of any other topic show up here.\nPublish one: POST /api/publish"
                        }
                    }
                }
            }
        }

        ColumnLayout {
            Layout.preferredWidth: Math.max(260, window.width * 0.2)
            Layout.maximumWidth: 480
            Layout.fillHeight: true
            spacing: Theme.spacing

            ControlsPanel {
                controls: controls
                Layout.fillWidth: true
            }
            MetricChart {
                source: source
                title: "Published numbers"
                prefix: "topic."
                emptyText: "The numbers in events of other topics are charted here"
                note: source.removedSeries > 0
                      ? "at most " + source.maxTopicSeries + " lines: " + source.removedSeries + " idle removed"
                      : ""
            }
        }
    }

    InspectorPage {
        id: inspectorPage
        objectName: "inspectorPage"
        session: inspector
        serverUrl: window.serverUrl
        token: window.token
        exportDirectory: window.exportDirectory
        onDashboardThroughRelayChanged: source.url = dashboardThroughRelay ? inspector.relayUrl : window.serverUrl
    }

    LabPage {
        id: labPage
        objectName: "labPage"
        exportDirectory: window.exportDirectory
    }

    CheckPage {
        id: checkPage
        objectName: "checkPage"
        serverUrl: source.url
        transport: source.transport
        token: window.token
        caFile: window.caFile
        pin: window.pin
    }
    }
}
