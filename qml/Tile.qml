pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

// One current figure: a label, a big value, an optional detail line.
Rectangle {
    id: tile

    required property string label
    required property string value
    property string detail: ""

    Layout.fillWidth: true
    Layout.minimumWidth: 96
    Layout.preferredWidth: 150
    Layout.preferredHeight: 96
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border

    Column {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: 2
        Text { text: tile.label; color: Theme.muted; font.pixelSize: 13 }
        Text { text: tile.value; color: Theme.text; font.pixelSize: tile.width < 140 ? 17 : 22; font.bold: true; elide: Text.ElideRight; width: parent.width }
        Text { text: tile.detail; color: Theme.muted; font.pixelSize: 12; visible: text.length > 0; width: parent.width
               wrapMode: Text.WordWrap; maximumLineCount: 2; elide: Text.ElideRight }
    }
}
