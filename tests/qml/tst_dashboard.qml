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
