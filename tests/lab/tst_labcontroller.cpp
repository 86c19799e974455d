#include "labcontroller.h"

#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QLineSeries>

using namespace Pushboard::Lab;

/// LabController, what the Lab page binds to: the scenario list and texts, a run from start to
/// finished with its lanes in the model and its points fed to a chart series, and both exports.
class tst_LabController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scenarios()
    {
        LabController lab;
        QCOMPARE(lab.scenarios().size(), 8);
        QCOMPARE(lab.scenarioKey(), QStringLiteral("idle"));
        QSignalSpy changed(&lab, &LabController::scenarioChanged);
        lab.setScenarioKey(QStringLiteral("storm"));
        QCOMPARE(changed.size(), 1);
        QVERIFY(lab.watch().contains(u"WHATWG HTML 9.2.3"));
        QVERIFY(lab.sections().contains(u" · "));
        lab.setScenarioKey(QStringLiteral("no such"));
        QCOMPARE(lab.scenarioKey(), QStringLiteral("storm"));
        QVERIFY(!lab.exportCsv()); // nothing yet
        QVERIFY(lab.status().contains(u"nothing to export"));
    }

    void runFeedAndExport()
    {
        LabController lab;
        lab.setScenarioKey(QStringLiteral("head-of-line"));
        QVERIFY(lab.simulation());
        QSignalSpy running(&lab, &LabController::runningChanged);
        lab.start();
        QTRY_VERIFY(running.size() >= 2 && !lab.running());
        QCOMPARE(lab.lanes()->rowCount(), 2);
        QVERIFY(lab.status().startsWith(u"finished"));
        QVERIFY(lab.yMax() > 0);

        QLineSeries series;
        lab.feed(&series, 0, false);
        QVERIFY(series.count() > 0);
        QVERIFY(series.count() <= LabController::MaxPoints);
        lab.feed(&series, 7, false); // no such lane
        QCOMPARE(series.count(), 0);

        QTemporaryDir dir;
        QVERIFY(lab.exportCsv(dir.path()));
        QVERIFY(lab.exportPng(dir.path()));
        const QStringList files = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(files.size(), 2);
        QVERIFY(files.at(0).endsWith(u".csv"));
        QImage png(QDir(dir.path()).filePath(files.at(1)));
        QCOMPARE(png.size(), QSize(1200, 700));
        QVERIFY(!lab.exportCsv(QStringLiteral("/proc/no/such/dir")));
        QVERIFY(lab.status().startsWith(u"cannot write"));
    }
};

QTEST_MAIN(tst_LabController)
#include "tst_labcontroller.moc"
