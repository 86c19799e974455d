pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pushboard.Inspector

// The connection inspector: a recording relay in front of any server, its faults, the
// connections through it, every frame with a filter, the selected frame's fields and bytes,
// and the timeline of reconnects, replays, gaps and faults.
Item {
    id: page

    required property InspectorSession session
    /// The dashboard's server: the relay's upstream unless the user types another.
    required property string serverUrl
    /// The server's token, if it needs one (for watching its own connections).
    property string token: ""
    /// True while the dashboard's own stream goes through the relay.
    property bool dashboardThroughRelay: false
    /// Where exports go (a directory).
    property string exportDirectory: ""
    property string status: ""

    /// Applies the fault controls: to the selected connection when "selected only" is on and
    /// one is selected, else to every connection.
    // The detail pane's hex dump marks header bytes in the theme's colour.
    Binding {
        target: page.session.detail
        property: "headerColor"
        value: Theme.bad.toString()
    }

    function applyFaults(latency, kibPerSecond, stall) {
        if (onlySelectedBox.checked && connectionList.selectedId > 0) {
            page.session.setConnectionFaults(connectionList.selectedId, latency, kibPerSecond * 1024, stall);
        } else {
            page.session.latencyMs = latency;
            page.session.bytesPerSecond = kibPerSecond * 1024;
            page.session.stall = stall;
        }
    }

    function exportAs(format) {
        const stamp = new Date().toISOString().replace(/[:.]/g, "-");
        const path = page.exportDirectory + "/pushboard-capture-" + stamp + "." + format;
        page.status = page.session.exportTo(format, path) ? "wrote " + path : page.session.errorString;
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        // The relay.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: relayRows.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: relayRows
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing / 2

                RowLayout {
                    spacing: Theme.spacing
                    Label { text: "Relay to"; color: Theme.muted }
                    TextField {
                        id: upstreamField
                        objectName: "upstreamField"
                        Layout.preferredWidth: 240
                        text: page.serverUrl
                        enabled: !page.session.listening && !page.session.watchingServer
                        selectByMouse: true
                    }
                    Label { text: "on port"; color: Theme.muted }
                    TextField {
                        id: portField
                        objectName: "portField"
                        Layout.preferredWidth: 70
                        text: "0"
                        enabled: !page.session.listening
                        validator: IntValidator { bottom: 0; top: 65535 }
                    }
                    Button {
                        objectName: "startButton"
                        text: page.session.listening ? "Stop" : "Start relay"
                        onClicked: {
                            if (page.session.listening) {
                                page.dashboardThroughRelay = false;
                                page.session.stop();
                            } else {
                                page.session.start(upstreamField.text, Number(portField.text));
                            }
                        }
                    }
                    Button {
                        objectName: "watchServerButton"
                        text: page.session.watchingServer ? "Stop watching" : "Watch the server's connections"
                        onClicked: {
                            if (page.session.watchingServer) {
                                page.session.stop();
                            } else {
                                page.dashboardThroughRelay = false;
                                page.session.watchServer(upstreamField.text, page.token);
                            }
                        }
                    }
                    Label {
                        text: page.session.listening ? "clients connect to " + page.session.relayUrl
                            : page.session.watchingServer ? "capturing every connection of " + upstreamField.text
                            : page.session.errorString
                        color: page.session.listening || page.session.watchingServer ? Theme.ok : Theme.bad
                        font.bold: page.session.listening || page.session.watchingServer
                    }
                    CheckBox {
                        objectName: "throughRelay"
                        text: "Dashboard through the relay"
                        enabled: page.session.listening
                        checked: page.dashboardThroughRelay
                        onToggled: page.dashboardThroughRelay = checked
                    }
                }
                RowLayout {
                    spacing: Theme.spacing
                    Label { text: "Faults"; color: Theme.muted }
                    Label { text: "latency ms"; color: Theme.muted }
                    SpinBox {
                        id: latencyBox
                        objectName: "latencyBox"
                        from: 0
                        to: 10000
                        stepSize: 100
                        editable: true
                        value: page.session.latencyMs
                        onValueModified: page.applyFaults(value, bandwidthBox.value, stallSwitch.checked)
                    }
                    Label { text: "KiB/s"; color: Theme.muted }
                    SpinBox {
                        id: bandwidthBox
                        objectName: "bandwidthBox"
                        from: 0
                        to: 100000
                        stepSize: 1
                        editable: true
                        value: page.session.bytesPerSecond / 1024
                        onValueModified: page.applyFaults(latencyBox.value, value, stallSwitch.checked)
                        textFromValue: (v) => v === 0 ? "off" : String(v)
                        valueFromText: (t) => t === "off" ? 0 : Number(t)
                    }
                    Switch {
                        id: stallSwitch
                        objectName: "stallSwitch"
                        text: "stall"
                        checked: page.session.stall
                        onToggled: page.applyFaults(latencyBox.value, bandwidthBox.value, checked)
                    }
                    Switch {
                        text: "black hole"
                        checked: page.session.blackHole
                        onToggled: page.session.blackHole = checked
                    }
                    Button {
                        text: "Drop now"
                        enabled: page.session.listening
                        onClicked: page.session.dropNow(connectionList.selectedId)
                    }
                    Button {
                        text: "Cut mid-frame"
                        enabled: page.session.listening
                        onClicked: page.session.cutMidFrame(connectionList.selectedId)
                    }
                    CheckBox {
                        id: onlySelectedBox
                        objectName: "onlySelectedBox"
                        text: connectionList.selectedId > 0 ? "only connection " + connectionList.selectedId : "only the selected connection"
                        enabled: connectionList.selectedId > 0
                    }
                    Label {
                        text: "(drop and cut: " + (connectionList.selectedId > 0 ? "connection " + connectionList.selectedId : "all") + ")"
                        color: Theme.muted
                    }
                }
                RowLayout {
                    spacing: Theme.spacing
                    Label { text: "Capture"; color: Theme.muted }
                    Label {
                        objectName: "captureStats"
                        text: page.session.itemCount + " frames · " + Theme.bytes(page.session.storedBytes) + " of "
                              + Theme.bytes(page.session.maxBytes)
                              + (page.session.droppedItems > 0 ? " · oldest " + page.session.droppedItems + " dropped" : "")
                        color: page.session.droppedItems > 0 ? Theme.warn : Theme.text
                    }
                    Button { text: "Clear"; onClicked: page.session.clear() }
                    Label { text: "Export"; color: Theme.muted }
                    Button { text: "JSON"; onClicked: page.exportAs("json") }
                    Button { text: "HAR"; onClicked: page.exportAs("har") }
                    Button { text: "pcapng"; onClicked: page.exportAs("pcapng") }
                    Label {
                        Layout.fillWidth: true
                        text: page.status
                        color: Theme.muted
                        elide: Text.ElideMiddle
                    }
                }
            }
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Horizontal

            // Connections.
            Rectangle {
                SplitView.preferredWidth: 290
                SplitView.minimumWidth: 200
                color: Theme.surface
                border.color: Theme.border
                radius: Theme.radius

                ListView {
                    id: connectionList
                    objectName: "connectionList"
                    /// The selected connection's id; 0: none (faults and filter: all).
                    property int selectedId: 0
                    anchors.fill: parent
                    anchors.margins: Theme.spacing / 2
                    clip: true
                    model: page.session.connections
                    header: Label {
                        text: "Connections"
                        font.bold: true
                        color: Theme.text
                        bottomPadding: 6
                    }
                    delegate: Rectangle {
                        id: connectionRow
                        required property int connectionId
                        required property string transport
                        required property string peer
                        required property string target
                        required property bool open
                        required property string state
                        required property var bytesSent
                        required property var bytesReceived
                        required property var framesSent
                        required property var framesReceived
                        required property int attempt
                        width: ListView.view.width
                        implicitHeight: connectionColumn.implicitHeight + 8
                        radius: 4
                        color: connectionList.selectedId === connectionId ? Theme.border : "transparent"
                        Column {
                            id: connectionColumn
                            x: 4
                            y: 4
                            width: parent.width - 8
                            Text {
                                width: parent.width
                                elide: Text.ElideRight
                                text: "#" + connectionRow.connectionId + " " + connectionRow.transport.toUpperCase() + "  "
                                      + connectionRow.target
                                color: Theme.text
                                font.bold: true
                                font.pixelSize: 12
                            }
                            Text {
                                width: parent.width
                                elide: Text.ElideRight
                                text: connectionRow.peer + " · " + connectionRow.state
                                      + (connectionRow.attempt > 1 ? " · reconnect " + (connectionRow.attempt - 1) : "")
                                color: connectionRow.open ? Theme.ok : Theme.muted
                                font.pixelSize: 11
                            }
                            Text {
                                text: "↑ " + Theme.bytes(connectionRow.bytesSent) + " / " + connectionRow.framesSent
                                      + "   ↓ " + Theme.bytes(connectionRow.bytesReceived) + " / " + connectionRow.framesReceived
                                color: Theme.muted
                                font.pixelSize: 11
                            }
                        }
                        TapHandler {
                            onTapped: {
                                const id = connectionList.selectedId === connectionRow.connectionId ? 0 : connectionRow.connectionId;
                                connectionList.selectedId = id;
                                page.session.frames.connection = id;
                            }
                        }
                    }
                    Label {
                        anchors.centerIn: parent
                        width: parent.width - 2 * Theme.spacing
                        visible: parent.count === 0
                        wrapMode: Text.WordWrap
                        horizontalAlignment: Text.AlignHCenter
                        color: Theme.muted
                        text: page.session.listening ? "Connect a client to " + page.session.relayUrl
                                                       + ", or watch the dashboard through the relay."
                                                     : "Start the relay, then point any client at it."
                    }
                }
            }

            // Frames.
            ColumnLayout {
                SplitView.fillWidth: true
                SplitView.minimumWidth: 360
                spacing: 6

                RowLayout {
                    spacing: 6
                    ComboBox {
                        objectName: "directionBox"
                        model: [{ value: "", text: "both ways" }, { value: "send", text: "↑ sent" },
                                { value: "receive", text: "↓ received" }]
                        textRole: "text"
                        valueRole: "value"
                        onActivated: page.session.frames.direction = currentValue
                    }
                    ComboBox {
                        objectName: "kindBox"
                        model: ["", "http", "sse", "sse event", "sse comment", "ws", "ws text", "ws ping", "ws pong", "ws close", "malformed"]
                        displayText: currentText === "" ? "any kind" : currentText
                        onActivated: page.session.frames.kind = currentText
                    }
                    TextField {
                        objectName: "filterField"
                        Layout.fillWidth: true
                        placeholderText: regexBox.checked ? "regular expression" : "text in the summary or payload"
                        color: page.session.frames.regexValid ? Theme.text : Theme.bad
                        onTextChanged: page.session.frames.text = text
                    }
                    CheckBox {
                        id: regexBox
                        text: "regex"
                        onToggled: page.session.frames.regex = checked
                    }
                    Button {
                        objectName: "pauseButton"
                        text: page.session.frames.paused ? "Resume (" + page.session.frames.pending + " new)" : "Pause"
                        onClicked: page.session.frames.paused = !page.session.frames.paused
                    }
                    CheckBox {
                        id: followBox
                        objectName: "followBox"
                        text: "follow"
                        checked: true
                    }
                }
                Rectangle {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    color: Theme.surface
                    border.color: Theme.border
                    radius: Theme.radius

                    ListView {
                        id: frameList
                        objectName: "frameList"
                        anchors.fill: parent
                        anchors.margins: 4
                        clip: true
                        model: page.session.frames
                        reuseItems: true
                        currentIndex: -1
                        ScrollBar.vertical: ScrollBar {}
                        // After the batch is laid out: to the end, while following.
                        onCountChanged: if (followBox.checked) frameFollow.restart()
                        Timer {
                            id: frameFollow
                            interval: 0
                            onTriggered: frameList.positionViewAtEnd()
                        }
                        delegate: Rectangle {
                            id: frameRow
                            required property int index
                            required property var sequence
                            required property var connection
                            required property string time
                            required property string direction
                            required property string kind
                            required property var size
                            required property string summary
                            required property bool problem
                            width: ListView.view.width
                            height: 20
                            color: page.session.detail.sequence === sequence ? Theme.border : index % 2 ? "transparent" : Qt.rgba(0.5, 0.5, 0.5, 0.06)
                            Row {
                                anchors.verticalCenter: parent.verticalCenter
                                spacing: 8
                                x: 4
                                Text { width: 86; text: frameRow.time; color: Theme.muted; font.family: "monospace"; font.pixelSize: 11 }
                                Text { width: 24; text: "#" + frameRow.connection; color: Theme.muted; font.pixelSize: 11 }
                                Text {
                                    width: 14
                                    text: frameRow.direction === "send" ? "↑" : "↓"
                                    color: frameRow.direction === "send" ? Theme.warn : Theme.accent
                                    font.bold: true
                                }
                                Text { width: 96; text: frameRow.kind; color: frameRow.problem ? Theme.bad : Theme.text; font.pixelSize: 11; elide: Text.ElideRight }
                                Text { width: 56; text: frameRow.size + " B"; color: Theme.muted; font.pixelSize: 11; horizontalAlignment: Text.AlignRight }
                                Text {
                                    width: frameRow.width - 340
                                    text: frameRow.summary
                                    color: frameRow.problem ? Theme.bad : Theme.text
                                    font.family: "monospace"
                                    font.pixelSize: 11
                                    elide: Text.ElideRight
                                }
                            }
                            TapHandler {
                                onTapped: {
                                    followBox.checked = false;
                                    page.session.detail.select(frameRow.sequence);
                                }
                            }
                        }
                    }
                }
            }

            // The selected frame.
            Rectangle {
                SplitView.preferredWidth: 470
                SplitView.minimumWidth: 300
                color: Theme.surface
                border.color: Theme.border
                radius: Theme.radius

                ScrollView {
                    anchors.fill: parent
                    anchors.margins: Theme.spacing / 2
                    clip: true
                    contentWidth: availableWidth

                    ColumnLayout {
                        width: parent.width
                        spacing: 6
                        Label {
                            Layout.fillWidth: true
                            text: page.session.detail.sequence > 0
                                  ? page.session.detail.kind + " · " + (page.session.detail.direction === "send" ? "client → server" : "server → client")
                                    + " · " + page.session.detail.size + " B"
                                  : "Select a frame"
                            font.bold: true
                            color: Theme.text
                        }
                        Label {
                            Layout.fillWidth: true
                            text: page.session.detail.summary
                            wrapMode: Text.WrapAnywhere
                            color: Theme.muted
                            font.family: "monospace"
                            font.pixelSize: 11
                        }
                        Repeater {
                            model: page.session.detail.fields
                            delegate: Column {
                                id: fieldRow
                                required property string name
                                required property string value
                                required property string meaning
                                required property string section
                                Layout.fillWidth: true
                                Text {
                                    width: parent.width
                                    wrapMode: Text.WrapAnywhere
                                    text: "<b>" + fieldRow.name + "</b>  " + fieldRow.value.replace(/&/g, "&amp;").replace(/</g, "&lt;")
                                    textFormat: Text.StyledText
                                    color: fieldRow.value.startsWith("WRONG") || fieldRow.meaning.startsWith("VIOLATION") ? Theme.bad : Theme.text
                                    font.pixelSize: 12
                                }
                                Text {
                                    width: parent.width
                                    wrapMode: Text.WordWrap
                                    text: fieldRow.meaning + (fieldRow.section !== "" ? "  [" + fieldRow.section + "]" : "")
                                    color: Theme.muted
                                    font.pixelSize: 11
                                    bottomPadding: 3
                                }
                            }
                        }
                        Label {
                            visible: page.session.detail.sequence > 0
                            text: "Bytes" + (page.session.detail.headerSize > 0 ? " (header in colour: " + page.session.detail.headerSize + " B)" : "")
                            font.bold: true
                            color: Theme.text
                            topPadding: 6
                        }
                        Text {
                            objectName: "hexView"
                            Layout.fillWidth: true
                            text: page.session.detail.hex
                            textFormat: Text.RichText
                            color: Theme.text
                            font.family: "monospace"
                            font.pixelSize: 10
                        }
                        Label {
                            visible: page.session.detail.payloadText !== ""
                            text: "Payload (decoded)"
                            font.bold: true
                            color: Theme.text
                            topPadding: 6
                        }
                        Text {
                            Layout.fillWidth: true
                            text: page.session.detail.payloadText
                            wrapMode: Text.WrapAnywhere
                            color: Theme.text
                            font.family: "monospace"
                            font.pixelSize: 11
                        }
                    }
                }
            }
        }

        // The timeline.
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 170
            color: Theme.surface
            border.color: Theme.border
            radius: Theme.radius

            ListView {
                id: timelineList
                objectName: "timelineList"
                anchors.fill: parent
                anchors.margins: Theme.spacing / 2
                clip: true
                model: page.session.timeline
                ScrollBar.vertical: ScrollBar {}
                onCountChanged: timelineFollow.restart()
                Timer {
                    id: timelineFollow
                    interval: 0
                    onTriggered: timelineList.positionViewAtEnd()
                }
                header: Label {
                    text: "Timeline: connects, reconnects (delay against retry), Last-Event-ID, replay, gaps, faults"
                    font.bold: true
                    color: Theme.text
                    bottomPadding: 4
                }
                delegate: Row {
                    id: timelineRow
                    required property string time
                    required property var connection
                    required property string kind
                    required property string text
                    required property var sequence
                    spacing: 8
                    Text { width: 86; text: timelineRow.time; color: Theme.muted; font.family: "monospace"; font.pixelSize: 11 }
                    Text { width: 24; text: timelineRow.connection > 0 ? "#" + timelineRow.connection : ""; color: Theme.muted; font.pixelSize: 11 }
                    Rectangle {
                        width: 72
                        height: 16
                        radius: 3
                        color: timelineRow.kind === "gap" || timelineRow.kind === "reset" || timelineRow.kind === "fault" ? Theme.bad
                             : timelineRow.kind === "reconnect" || timelineRow.kind === "replay" ? Theme.warn
                             : timelineRow.kind === "open" ? Theme.ok : Theme.muted
                        Text {
                            anchors.centerIn: parent
                            text: timelineRow.kind
                            color: "white"
                            font.pixelSize: 10
                            font.bold: true
                        }
                    }
                    Text {
                        text: timelineRow.text
                        color: Theme.text
                        font.pixelSize: 12
                        TapHandler {
                            onTapped: if (timelineRow.sequence > 0) page.session.detail.select(timelineRow.sequence)
                        }
                    }
                }
            }
        }
    }
}
