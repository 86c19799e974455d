import QtQuick
import QtTest
import Pushboard.Ui

// The Check page: its endpoint follows the dashboard's source and transport, the button runs the
// check, and the verdicts and the summary appear (here for a port nothing listens on).
Item {
    id: root
    width: 1400
    height: 900

    Component {
        id: pageComponent
        CheckPage {
            anchors.fill: parent
            serverUrl: "http://127.0.0.1:1"
            transport: "sse"
            token: ""
        }
    }

    TestCase {
        name: "CheckPage"
        when: windowShown

        function test_endpointFollowsTheSource() {
            const page = createTemporaryObject(pageComponent, root);
            verify(page);
            compare(page.sourceEndpoint, "http://127.0.0.1:1/events");
            const runner = findChild(page, "checkRunner");
            compare(runner.url, "http://127.0.0.1:1/events");
            page.transport = "ws";
            compare(page.sourceEndpoint, "ws://127.0.0.1:1/ws");
            compare(runner.url, "ws://127.0.0.1:1/ws");
            // A URL typed in, then the dashboard's stream again from the button.
            const field = findChild(page, "checkUrl");
            field.text = "http://127.0.0.1:2/other";
            field.editingFinished();
            compare(runner.url, "http://127.0.0.1:2/other");
            runner.url = page.sourceEndpoint;
            compare(field.text, "ws://127.0.0.1:1/ws");
        }

        function test_runFromTheButton() {
            const page = createTemporaryObject(pageComponent, root);
            const runner = findChild(page, "checkRunner");
            const list = findChild(page, "checkItems");
            const summary = findChild(page, "checkSummary");
            compare(summary.text, "Not checked yet.");
            mouseClick(findChild(page, "checkButton"));
            tryVerify(() => runner.exitCode === 3, 15000);
            verify(!runner.running);
            compare(list.count, 1); // unreachable: one item, why
            verify(summary.text.indexOf("unreachable") >= 0);
            verify(summary.text.indexOf("exit code 3") >= 0);
            tryVerify(() => list.itemAtIndex(0) !== null);
            compare(list.itemAtIndex(0).title, "Reachable");
            compare(list.itemAtIndex(0).verdict, "fail");
            verify(list.itemAtIndex(0).evidence.indexOf("refused") >= 0);
        }
    }
}
