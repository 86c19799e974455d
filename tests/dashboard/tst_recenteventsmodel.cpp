#include "recenteventsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Pushboard;

class tst_RecentEventsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newestFirstBoundedAndPreciseSignals()
    {
        RecentEventsModel model(3);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        for (int i = 1; i <= 5; ++i)
            model.prepend(
                QString::number(i), QStringLiteral("t"), 1000 * i, QString::number(i * 10));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 5);
        QCOMPARE(removed.count(), 2); // the oldest row, once the capacity is reached
        QCOMPARE(reset.count(), 0); // never a reset for an append
        QCOMPARE(inserted.constLast().at(1).toInt(), 0);
        QCOMPARE(model.index(0).data(RecentEventsModel::IdRole).toString(), QStringLiteral("5"));
        QCOMPARE(model.index(2).data(RecentEventsModel::IdRole).toString(), QStringLiteral("3"));
        QCOMPARE(model.index(0).data(RecentEventsModel::DataRole).toString(), QStringLiteral("50"));
        QCOMPARE(model.index(0).data(RecentEventsModel::TimeRole).toDateTime().toMSecsSinceEpoch(),
            5000);
        QCOMPARE(model.index(0).data(RecentEventsModel::TopicRole).toString(), QStringLiteral("t"));
        QVERIFY(!model.index(0).data(Qt::UserRole + 99).isValid());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void roleNames()
    {
        RecentEventsModel model;
        const auto roles = model.roleNames();
        QCOMPARE(roles.value(RecentEventsModel::IdRole), QByteArray("eventId"));
        QCOMPARE(roles.value(RecentEventsModel::TopicRole), QByteArray("topic"));
        QCOMPARE(roles.value(RecentEventsModel::TimeRole), QByteArray("time"));
        QCOMPARE(roles.value(RecentEventsModel::DataRole), QByteArray("payload"));
    }
};

QTEST_GUILESS_MAIN(tst_RecentEventsModel)
#include "tst_recenteventsmodel.moc"
