pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pushboard.Client

// The server's controls (WebSocket `control` messages) and its state.
Rectangle {
    id: panel

    required property ControlClient controls
    /// The server's control state (ControlClient.state), named so as not to shadow Item.state.
    readonly property var serverState: controls.state

    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    implicitHeight: column.implicitHeight + 2 * Theme.spacing

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: 6

        Label { text: "Server controls"; font.bold: true; font.pixelSize: 15; color: Theme.text }
        Label {
            text: panel.controls.connected
                  ? "interval " + panel.serverState.interval + " ms · keepalive " + panel.serverState.keepalive + " s · latency "
                    + panel.serverState.latency + " ms" + (panel.serverState.paused ? " · paused" : "")
                    + (panel.serverState.stallRemaining > 0 ? " · stalled" : "")
                  : "not connected to /ws"
            color: Theme.muted
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            visible: panel.controls.connected && panel.serverState.connections !== undefined
            text: panel.serverState.connections ? "connections: SSE " + panel.serverState.connections.sse + " · WS "
                                            + panel.serverState.connections.ws + " · long poll " + panel.serverState.connections.longpoll : ""
            color: Theme.muted
        }
        GridLayout {
            columns: 2
            columnSpacing: 8
            rowSpacing: 4
            enabled: panel.controls.connected
            Layout.fillWidth: true

            Label { text: "Interval (ms)"; color: Theme.text }
            SpinBox { id: interval; from: 100; to: 60000; stepSize: 100; editable: true; value: panel.serverState.interval || 1000
                onValueModified: panel.controls.control("setInterval", { ms: value }) }
            Label { text: "Keepalive (s)"; color: Theme.text }
            SpinBox { from: 1; to: 3600; editable: true; value: panel.serverState.keepalive || 15
                onValueModified: panel.controls.control("setKeepalive", { s: value }) }
            Label { text: "Latency (ms)"; color: Theme.text }
            SpinBox { from: 0; to: 10000; stepSize: 50; editable: true; value: panel.serverState.latency || 0
                onValueModified: panel.controls.control("setLatency", { ms: value }) }
        }
        Flow {
            spacing: 6
            Layout.fillWidth: true
            enabled: panel.controls.connected
            Button { text: panel.serverState.paused ? "Resume sources" : "Pause sources"
                     onClicked: panel.controls.control(panel.serverState.paused ? "resumeSources" : "pauseSources") }
            Button { text: "Stall 5 s"; onClicked: panel.controls.control("stall", { ms: 5000 }) }
            Button { text: "Burst 100"; onClicked: panel.controls.control("burst", { topic: "demo.burst", count: 100 }) }
            Button { text: "Drop SSE"; onClicked: panel.controls.control("dropConnections", { transport: "sse" }) }
            Button { text: "Drop polls"; onClicked: panel.controls.control("dropConnections", { transport: "poll" }) }
            Button { text: "Drop all"; onClicked: panel.controls.control("dropConnections", { transport: "all" }) }
        }
        Label { text: panel.controls.lastError; color: Theme.bad; visible: text.length > 0; wrapMode: Text.Wrap; Layout.fillWidth: true }
    }
}
