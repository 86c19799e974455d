#include "lablanemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Pushboard::Lab;

namespace {

LaneFigures lane(const QString &name, qint64 events)
{
    LaneFigures f;
    f.name = name;
    f.events = events;
    f.bytesToClient = 300 * events;
    f.payloadBytes = 100 * events;
    f.latencyMs = Percentiles::of({1, 2, 3});
    return f;
}

} // namespace

/// LabLaneModel under QAbstractItemModelTester: lanes of the same run change in place
/// (dataChanged, no reset), new lanes are inserted, another run's lanes replace the rows.
class tst_LabLaneModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void updatesInPlaceAndAppends()
    {
        LabLaneModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        model.update({lane(QStringLiteral("poll"), 1), lane(QStringLiteral("sse"), 1)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.size(), 1);
        model.update({lane(QStringLiteral("poll"), 4), lane(QStringLiteral("sse"), 5)});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(reset.size(), 0);
        const QModelIndex sse = model.index(1);
        QCOMPARE(sse.data(LabLaneModel::EventsRole).toLongLong(), 5);
        QCOMPARE(sse.data(LabLaneModel::WirePerEventRole).toDouble(), 300.0);
        QCOMPARE(sse.data(LabLaneModel::PayloadPerEventRole).toDouble(), 100.0);
        QCOMPARE(sse.data(LabLaneModel::OverheadPerEventRole).toDouble(), 200.0);
        QCOMPARE(sse.data(LabLaneModel::P99Role).toDouble(), 3.0);
        QCOMPARE(sse.data(LabLaneModel::LabelRole).toString(), QStringLiteral("sse"));
        QVERIFY(sse.data(LabLaneModel::ColorRole).value<QColor>().isValid());

        // A lane that appears later (a storm's second round) is inserted.
        model.update({lane(QStringLiteral("poll"), 4), lane(QStringLiteral("sse"), 5),
            lane(QStringLiteral("ws"), 0)});
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(model.index(2).data(LabLaneModel::WirePerEventRole).toDouble(), -1.0);

        // Another scenario's lanes.
        model.update({lane(QStringLiteral("fixed"), 0)});
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.roleNames().value(LabLaneModel::NoteRole).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_LabLaneModel)
#include "tst_lablanemodel.moc"
