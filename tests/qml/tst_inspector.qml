import QtQuick
import QtTest
import Pushboard.Client
import Pushboard.Inspector
import Pushboard.Ui
import PushboardTest

// The Inspector page against the test server (main.cpp): its relay started from the page, a
// stream through it, the frame list filled, a frame selected into the detail pane, the filter,
// pause, and watching the server's own connections.
Item {
    id: root
    width: 1400
    height: 900

    Component {
        id: pageComponent
        Item {
            property alias session: session
            property alias page: page
            property alias source: source
            anchors.fill: parent
            InspectorSession { id: session }
            DashboardSource { id: source; url: "" }
            InspectorPage {
                id: page
                anchors.fill: parent
                session: session
                serverUrl: Server.url
                exportDirectory: "/tmp"
                onDashboardThroughRelayChanged: source.url = dashboardThroughRelay ? session.relayUrl : ""
            }
        }
    }

    TestCase {
        name: "InspectorPage"
        when: windowShown

        function test_relayStreamAndDetail() {
            const item = createTemporaryObject(pageComponent, root);
            verify(item);
            const start = findChild(item.page, "startButton");
            mouseClick(start);
            tryVerify(() => item.session.listening, 5000);
            verify(item.session.relayUrl.startsWith("http://127.0.0.1:"));
            // The dashboard's own stream through the relay.
            mouseClick(findChild(item.page, "throughRelay"));
            compare(item.source.url, item.session.relayUrl);
            Server.publish("inspect.test", "{\"n\":1}");
            const frames = findChild(item.page, "frameList");
            tryVerify(() => frames.count > 3, 10000);
            tryVerify(() => findChild(item.page, "connectionList").count >= 1, 5000);
            // A click on the top visible frame selects it: the detail pane fills.
            mouseClick(findChild(item.page, "followBox")); // Stop following.
            const row = frames.itemAt(frames.contentX + 20, frames.contentY + 5);
            verify(row);
            mouseClick(row);
            compare(item.session.detail.sequence, row.sequence);
            verify(item.session.detail.kind !== "");
            // The first frame is the dashboard's request head.
            item.session.detail.select(item.session.frames.sequenceAt(0));
            compare(item.session.detail.kind, "http request");
            verify(item.session.detail.fields.rowCount() > 3);
            verify(findChild(item.page, "hexView").text.indexOf("0000") >= 0);
            // Filter to SSE events only.
            item.session.frames.kind = "sse event";
            tryVerify(() => frames.count > 0);
            for (let i = 0; i < frames.count; ++i)
                compare(item.session.frames.data(item.session.frames.index(i, 0), 261), "sse event"); // KindRole
            item.session.frames.kind = "";
            // Pause keeps the list still while events arrive.
            mouseClick(findChild(item.page, "pauseButton"));
            verify(item.session.frames.paused);
            const before = frames.count;
            Server.publish("inspect.test", "{\"n\":2}");
            tryVerify(() => item.session.frames.pending > 0, 10000);
            compare(frames.count, before);
            mouseClick(findChild(item.page, "pauseButton"));
            tryVerify(() => frames.count > before);
            // Faults for one connection only: the common ones stay, the timeline says which.
            const connections = findChild(item.page, "connectionList");
            // The ListView makes its delegates when it next lays out: on a busy machine, later.
            tryVerify(() => connections.itemAtIndex(0) !== null);
            const first = connections.itemAtIndex(0);
            mouseClick(first);
            compare(item.session.frames.connection, first.connectionId);
            mouseClick(findChild(item.page, "onlySelectedBox"));
            item.page.applyFaults(200, 0, false);
            compare(item.session.latencyMs, 0);
            const timeline = findChild(item.page, "timelineList");
            tryVerify(() => {
                for (let i = 0; i < item.session.timeline.rowCount(); ++i) {
                    if (String(item.session.timeline.data(item.session.timeline.index(i, 0), 260)).indexOf("relay faults: latency 200 ms") >= 0) // TextRole
                        return true;
                }
                return false;
            }, 5000);
            item.page.applyFaults(0, 0, false);
            mouseClick(findChild(item.page, "onlySelectedBox"));
            mouseClick(first); // Unselect: all connections again.
            compare(item.session.frames.connection, 0);
            // Stop: back to the server directly.
            mouseClick(findChild(item.page, "throughRelay"));
            mouseClick(start);
            tryVerify(() => !item.session.listening);
        }

        function test_watchServer() {
            const item = createTemporaryObject(pageComponent, root);
            mouseClick(findChild(item.page, "watchServerButton"));
            tryVerify(() => item.session.watchingServer, 5000);
            item.source.url = Server.url; // A client of the server, captured by the server.
            tryVerify(() => findChild(item.page, "connectionList").count >= 1, 10000);
            tryVerify(() => findChild(item.page, "frameList").count > 2, 10000);
            item.source.url = "";
            mouseClick(findChild(item.page, "watchServerButton"));
            tryVerify(() => !item.session.watchingServer);
        }
    }
}
