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
        // A long figure ("R 1.15 MiB/s" in a narrow tile) shrinks rather than being cut.
        Text { objectName: "value"; text: tile.value; color: Theme.text; font.pixelSize: 22; font.bold: true
               fontSizeMode: Text.HorizontalFit; minimumPixelSize: 9; elide: Text.ElideRight; width: parent.width }
        Text { text: tile.detail; color: Theme.muted; font.pixelSize: 12; visible: text.length > 0; width: parent.width
               wrapMode: Text.WordWrap; maximumLineCount: 2; elide: Text.ElideRight }
    }
}
