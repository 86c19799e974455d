pragma Singleton
import QtQuick

// Colours and sizes of the dashboard. Follows the system's light or dark palette unless `forced`
// is "light" or "dark" (the --theme option).
QtObject {
    id: theme

    property string forced: ""
    readonly property SystemPalette system: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool dark: forced === "dark" || (forced !== "light" && system.window.hslLightness < 0.5)

    readonly property color background: dark ? "#16181d" : "#f4f5f7"
    readonly property color surface: dark ? "#20232a" : "#ffffff"
    readonly property color border: dark ? "#343842" : "#dde1e6"
    readonly property color text: dark ? "#e6e8eb" : "#1d2129"
    readonly property color muted: dark ? "#9aa1ad" : "#5f6673"
    readonly property color accent: dark ? "#5aa9ff" : "#1f6fd1"
    readonly property color ok: dark ? "#4cc38a" : "#1e8e5a"
    readonly property color warn: dark ? "#f0b94a" : "#b7791f"
    readonly property color bad: dark ? "#ff6b6b" : "#c53030"
    readonly property var series: dark ? ["#5aa9ff", "#f0b94a", "#4cc38a", "#ff6b6b", "#b28dff", "#40c8c8", "#ff9f5a", "#e6e8eb"]
                                       : ["#1f6fd1", "#b7791f", "#1e8e5a", "#c53030", "#7a4cd9", "#138a8a", "#d9731f", "#3c4250"]

    readonly property int spacing: 12
    readonly property int radius: 8

    function bytes(value) {
        const units = ["B", "KiB", "MiB", "GiB", "TiB"];
        let v = Number(value) || 0, i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; ++i; }
        return (i === 0 || v >= 100 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + " " + units[i];
    }
    function rate(value) { return bytes(value) + "/s"; }
}
