pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pushboard.Client

// Where the stream comes from, over which transport, and how it is doing.
Rectangle {
    id: bar

    required property DashboardSource source
    /// A sentence about where the stream comes from (e.g. another Pushboard's port was taken).
    property string notice: ""

    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    color: Theme.surface
    border.color: Theme.border

    readonly property color stateColor: source.state === "open" ? Theme.ok
                                      : source.state === "error" || source.state === "closed" ? Theme.bad : Theme.warn
    readonly property string stateText: {
        if (source.state === "reconnecting")
            return "reconnecting in " + (source.reconnectInMs / 1000).toFixed(1) + " s";
        return source.state;
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Label { text: "Pushboard"; font.bold: true; font.pixelSize: 18; color: Theme.text }
        Label { text: "Source"; color: Theme.muted }
        TextField {
            id: urlField
            objectName: "urlField"
            Layout.preferredWidth: 260
            text: bar.source.url
            selectByMouse: true
            onAccepted: bar.source.url = text
        }
        Label { text: "Transport"; color: Theme.muted }
        ComboBox {
            id: transportBox
            objectName: "transportBox"
            model: [{ value: "sse", text: "SSE" }, { value: "ws", text: "WebSocket" },
                    { value: "poll", text: "Polling" }, { value: "longpoll", text: "Long polling" }]
            textRole: "text"
            valueRole: "value"
            Component.onCompleted: currentIndex = indexOfValue(bar.source.transport)
            onActivated: bar.source.transport = currentValue
        }
        Rectangle { width: 12; height: 12; radius: 6; color: bar.stateColor }
        Label {
            objectName: "stateLabel"
            text: bar.stateText
            color: Theme.text
            font.bold: true
        }
        Label {
            objectName: "protocolLabel"
            visible: bar.source.protocol.length > 0
            // Which HTTP carries the stream, and whether it is encrypted.
            text: (bar.source.protocol === "h2" ? "HTTP/2" : "HTTP/1.1")
                  + (/^(https|wss):/i.test(bar.source.url) ? " + TLS" : "")
            color: Theme.muted
        }
        Label {
            objectName: "noticeLabel"
            visible: bar.notice.length > 0
            Layout.maximumWidth: 420
            text: bar.notice
            color: Theme.accent
            elide: Text.ElideRight
        }
        Label {
            Layout.fillWidth: true
            text: bar.source.reason.length > 0 && bar.source.state !== "open" ? bar.source.reason : ""
            color: Theme.muted
            elide: Text.ElideRight
        }
        Label { text: "last id " + (bar.source.lastEventId || "-"); color: Theme.muted }
        Label { text: bar.source.eventRate.toFixed(1) + " events/s"; color: Theme.muted }
    }
}
