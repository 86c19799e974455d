import QtQuick
import QtTest
import Pushboard.Lab
import Pushboard.Ui

// The Lab page: a scenario chosen and run from the page (the head-of-line simulation, which
// finishes at once), its two lanes in the table, points on the chart, and the run's texts.
Item {
    id: root
    width: 1400
    height: 900

    Component {
        id: pageComponent
        LabPage {
            anchors.fill: parent
            exportDirectory: "/tmp"
        }
    }

    TestCase {
        name: "LabPage"
        when: windowShown

        function test_runFromThePage() {
            const page = createTemporaryObject(pageComponent, root);
            verify(page);
            const lab = findChild(page, "lab");
            verify(lab);
            compare(lab.scenarios.length, 8);
            page.run("head-of-line");
            tryVerify(() => !lab.running && lab.lanes.count === 2, 10000);
            verify(lab.simulation);
            verify(lab.status.startsWith("finished"));
            const chart = findChild(page, "labChart");
            // One series of points and one of ringed points per lane, each fed.
            tryCompare(page, "seriesLanes", 2);
            compare(page.mainSeries.length, 2);
            verify(page.mainSeries[0].count > 100);
            verify(page.markedSeries[0].count > 0); // held back by another stream's loss (TCP)
            compare(page.markedSeries[1].count, 0); // never over QUIC
            verify(chart.axisX(page.mainSeries[0]).max >= 30);
            // Another scenario's text, without running it.
            const box = findChild(page, "scenarioBox");
            box.currentIndex = box.indexOfValue("storm");
            box.activated(box.currentIndex);
            compare(lab.scenario, "storm");
            verify(lab.watch.indexOf("WHATWG HTML 9.2.3") >= 0);
        }
    }
}
