pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pushboard.Client

// The check: `pushboard check` on the stream the dashboard watches (or any SSE or WebSocket
// URL typed in), one verdict per item with the evidence seen on the wire and, when it did not
// pass, why it matters.
Item {
    id: page

    /// The server the dashboard watches, and how: the check's default endpoint is its stream.
    required property string serverUrl
    required property string transport
    readonly property string sourceEndpoint: runner.endpointFor(serverUrl, transport)
    required property string token
    property string caFile: ""
    property string pin: ""

    CheckRunner {
        id: runner
        objectName: "checkRunner"
        token: page.token
        caFile: page.caFile
        pin: page.pin
        url: page.sourceEndpoint
    }

    /// Checks the dashboard's own stream.
    function run() {
        runner.url = page.sourceEndpoint;
        runner.start();
    }

    function badgeColor(verdict) {
        return verdict === "pass" ? Theme.ok : verdict === "warn" ? Theme.warn : verdict === "fail" ? Theme.bad : Theme.muted;
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: controls.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: controls
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing / 2

                RowLayout {
                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    TextField {
                        id: urlField
                        objectName: "checkUrl"
                        Layout.fillWidth: true
                        text: runner.url
                        placeholderText: "http(s)://… an SSE stream, or ws(s)://… a WebSocket"
                        enabled: !runner.running
                        selectByMouse: true
                        onEditingFinished: runner.url = text
                        // Typing breaks the binding above: follow the runner's URL again when
                        // it changes (the button below, a new source).
                        Connections {
                            target: runner
                            function onUrlChanged() { urlField.text = runner.url; }
                        }
                    }
                    Button {
                        text: "This dashboard's stream"
                        enabled: !runner.running && runner.url !== page.sourceEndpoint
                        onClicked: runner.url = page.sourceEndpoint
                    }
                    Label { text: "probe for (s)"; color: Theme.muted }
                    SpinBox {
                        implicitWidth: 110
                        from: 1
                        to: 600
                        editable: true
                        value: runner.durationS
                        enabled: !runner.running
                        onValueModified: runner.durationS = value
                    }
                    Label { text: "proxy idle time-out (s)"; color: Theme.muted }
                    SpinBox {
                        implicitWidth: 110
                        from: 0
                        to: 600
                        editable: true
                        value: runner.idleS
                        enabled: !runner.running
                        onValueModified: runner.idleS = value
                    }
                    Button {
                        objectName: "checkButton"
                        text: runner.running ? "Stop" : "Check"
                        highlighted: !runner.running
                        onClicked: {
                            if (runner.running) {
                                runner.stop();
                            } else {
                                runner.url = urlField.text;
                                runner.start();
                            }
                        }
                    }
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    color: Theme.muted
                    text: "Probes the endpoint the way a careful engineer would — resumes with Last-Event-ID, an unknown and a very old id, "
                          + "keepalives and buffering, pings, close codes, a foreign Origin — on connections of its own. "
                          + "The same check as 'pushboard check URL'; it runs at least as long as the idle time-out (0 skips those items)."
                }
                RowLayout {
                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    ProgressBar {
                        Layout.preferredWidth: 240
                        visible: runner.running
                        value: runner.progress
                    }
                    Label {
                        objectName: "checkSummary"
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        font.bold: !runner.running
                        color: runner.running ? Theme.muted
                             : runner.exitCode === 0 ? Theme.ok
                             : runner.exitCode === 1 ? Theme.warn
                             : runner.exitCode >= 2 ? Theme.bad : Theme.muted
                        text: runner.running
                              ? "probing " + runner.url + " … " + runner.elapsedS.toFixed(0) + " s"
                              : runner.summary === "" ? "Not checked yet."
                              : runner.checkedUrl + " — " + runner.summary
                                + (runner.exitCode >= 0 ? " (exit code " + runner.exitCode + ", " + runner.elapsedS.toFixed(1) + " s)" : "")
                    }
                }
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            ListView {
                id: list
                objectName: "checkItems"
                anchors.fill: parent
                anchors.margins: Theme.spacing
                clip: true
                spacing: 6
                model: runner.items
                ScrollBar.vertical: ScrollBar {}

                delegate: RowLayout {
                    id: row
                    required property string title
                    required property string verdict
                    required property string evidence
                    required property string why
                    width: ListView.view.width - 12
                    spacing: Theme.spacing

                    Rectangle {
                        Layout.alignment: Qt.AlignTop
                        implicitWidth: 52
                        implicitHeight: 22
                        radius: 4
                        color: page.badgeColor(row.verdict)
                        opacity: row.verdict === "skip" ? 0.45 : 1
                        Label {
                            anchors.centerIn: parent
                            text: row.verdict.toUpperCase()
                            font.bold: true
                            font.pixelSize: 11
                            color: Theme.dark ? "#16181d" : "#ffffff"
                        }
                    }
                    Label {
                        Layout.alignment: Qt.AlignTop
                        Layout.preferredWidth: 220
                        topPadding: 3 // level with the badge's text
                        text: row.title
                        font.bold: true
                        color: Theme.text
                        elide: Text.ElideRight
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.alignment: Qt.AlignTop
                        Layout.topMargin: 3
                        spacing: 2
                        Label {
                            Layout.fillWidth: true
                            text: row.evidence
                            wrapMode: Text.WrapAnywhere
                            color: Theme.text
                        }
                        Label {
                            Layout.fillWidth: true
                            visible: row.verdict === "warn" || row.verdict === "fail"
                            text: row.why
                            wrapMode: Text.WordWrap
                            color: Theme.muted
                            font.italic: true
                        }
                    }
                }

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    color: Theme.muted
                    text: runner.running ? "The verdicts come when the probes are done." : "Press Check to probe the endpoint."
                }
            }
        }
    }
}
