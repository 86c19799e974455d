import QtQuick
import QtTest
import QtCharts
import Pushboard.Client
import Pushboard.Ui
import PushboardTest

// The dashboard's pages against the test server (main.cpp), over real sockets.
Item {
    id: root
    width: 1280
    height: 800

    Component {
        id: tileComponent
        Tile { label: "Disk"; value: "R 1.15 MiB/s"; detail: "W 0 B/s"; height: 96 }
    }
    Component {
        id: barComponent
        Item {
            property alias source: barSource
            width: 1200
            height: 60
            DashboardSource { id: barSource; url: Server.url }
            ConnectionBar { source: barSource; width: parent.width }
        }
    }
    Component {
        id: chartComponent
        Item {
            property alias source: chartSource
            width: 500
            height: 300
            DashboardSource { id: chartSource; url: Server.url }
            MetricChart {
                objectName: "chart"
                anchors.fill: parent
                source: chartSource
                title: "CPU"
                keys: ["cpu.total"]
                prefix: "cpu."
                fixedMax: 100
                emptyText: "no line yet"
            }
            MetricChart {
                objectName: "emptyChart"
                width: 300; height: 200
                source: chartSource
                title: "Nothing"
                prefix: "nothing."
                emptyText: "No network interface besides loopback"
            }
        }
    }
    Component {
        id: publishedComponent
        Item {
            property alias source: publishedSource
            width: 400
            height: 400
            DashboardSource { id: publishedSource; url: Server.url }
            MetricChart {
                objectName: "chart"
                anchors.fill: parent
                source: publishedSource
                title: "Published numbers"
                prefix: "topic."
                note: publishedSource.removedSeries > 0 ? publishedSource.removedSeries + " idle removed" : ""
            }
        }
    }
    Component {
        id: sourceComponent
        DashboardSource { url: Server.url }
    }
    Component {
        id: mainComponent
        Main { }
    }

    TestCase {
        name: "Dashboard"
        when: windowShown

        function test_tileValueShrinksInsteadOfBeingCut_data() {
            return [{ tag: "wide", width: 200 }, { tag: "narrow", width: 110 }, { tag: "minimum", width: 96 }];
        }
        function test_tileValueShrinksInsteadOfBeingCut(data) {
            const tile = createTemporaryObject(tileComponent, root, { width: data.width });
            const value = findChild(tile, "value");
            verify(value);
            compare(value.text, "R 1.15 MiB/s");
            compare(value.truncated, false);
            verify(value.contentWidth <= value.width);
        }
        function test_connectionBarShowsTheStream() {
            const page = createTemporaryObject(barComponent, root);
            verify(page);
            tryCompare(page.source, "state", "open", 10000);
            const label = findChild(page, "stateLabel");
            verify(label);
            tryCompare(label, "text", "open");
            tryVerify(() => Number(page.source.lastEventId) > 0, 10000);
            tryVerify(() => page.source.eventRate > 0, 10000);
            const transportBox = findChild(page, "transportBox");
            compare(transportBox.currentValue, "sse");
        }

        function test_cpuChartGrowsALinePerCore() {
            const page = createTemporaryObject(chartComponent, root);
            const chart = findChild(page, "chart");
            verify(chart);
            let view = null;
            for (let i = 0; i < chart.children.length; ++i)
                if (chart.children[i].count !== undefined && chart.children[i].axisX !== undefined)
                    view = chart.children[i];
            verify(view);
            // total plus at least one core, once samples arrive, each with points
            tryVerify(() => view.count >= 2, 10000);
            tryVerify(() => view.series(0).count > 0 && view.series(1).count > 0, 10000);
            // A chart with lines hides its empty text; one whose prefix matches nothing shows it.
            compare(findChild(chart, "chartEmpty").visible, false);
            const empty = findChild(page, "emptyChart");
            compare(chartView(empty).count, 0);
            const emptyText = findChild(empty, "chartEmpty");
            compare(emptyText.visible, true);
            compare(emptyText.text, "No network interface besides loopback");
        }

        function chartView(chart) {
            for (let i = 0; i < chart.children.length; ++i)
                if (chart.children[i].count !== undefined && chart.children[i].axisX !== undefined)
                    return chart.children[i];
            return null;
        }

        function test_publishedNumbersStayCapped() {
            const page = createTemporaryObject(publishedComponent, root);
            tryCompare(page.source, "state", "open", 10000);
            const chart = findChild(page, "chart");
            const view = chartView(chart);
            verify(view);
            const fields = page.source.maxTopicSeries + 3;
            for (let i = 0; i < fields; ++i)
                Server.publish("qml.cap", "{\"f" + i + "\":" + i + "}");
            tryCompare(page.source, "removedSeries", 3, 10000);
            // The chart dropped the removed lines with the source, and says so.
            compare(view.count, page.source.maxTopicSeries);
            const note = findChild(chart, "chartNote");
            verify(note.visible);
            compare(note.text, "3 idle removed");
        }

        function test_noticeInTheConnectionBar() {
            const quiet = createTemporaryObject(mainComponent, root,
                { serverUrl: Server.url, token: "", transport: "sse", windowMinutes: 1 });
            verify(!findChild(quiet, "noticeLabel").visible);
            quiet.close();
            const watching = createTemporaryObject(mainComponent, root,
                { serverUrl: Server.url, token: "", transport: "sse", windowMinutes: 1,
                  notice: "Port 8765 is taken: watching the server already running there" });
            const label = findChild(watching, "noticeLabel");
            verify(label.visible);
            compare(label.text, "Port 8765 is taken: watching the server already running there");
            watching.close();
        }

        function test_transportSwitchKeepsStreaming() {
            const source = createTemporaryObject(sourceComponent, root);
            tryCompare(source, "state", "open", 10000);
            for (const transport of ["ws", "longpoll", "poll", "sse"]) {
                const before = source.recentEvents.rowCount();
                source.transport = transport;
                Server.publish("qml.test", "{\"transport\":\"" + transport + "\"}");
                tryCompare(source, "state", "open", 10000);
                tryVerify(() => source.recentEvents.rowCount() === before + 1, 10000);
            }
        }

        function test_mainWindowLoads() {
            const window = createTemporaryObject(mainComponent, root,
                { serverUrl: Server.url, token: "", transport: "ws", windowMinutes: 1, themeOverride: "dark" });
            verify(window);
            const source = findChild(window, "source");
            verify(source);
            compare(source.transport, "ws");
            compare(source.windowMinutes, 1);
            tryCompare(source, "state", "open", 10000);
            tryVerify(() => source.current.cpu !== undefined, 10000);
            verify(findChild(window, "windowBox"));
            window.close();
        }
    }
}
