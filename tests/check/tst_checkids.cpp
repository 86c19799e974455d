#include "checkids.h"

#include <QTest>

using namespace Pushboard;

/// How the check makes ids in a stream's own format, and orders them.
class TestCheckIds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shifted_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<qint64>("delta");
        QTest::addColumn<QString>("shifted");
        QTest::newRow("numeric, later") << "41" << qint64(1000000000) << "1000000041";
        QTest::newRow("numeric, earlier stops at 1") << "41" << qint64(-1000000000) << "1";
        QTest::newRow("nchan") << "1796106906:0" << qint64(-1000000000) << "796106906:0";
        QTest::newRow("redis stream")
            << "1700000000000-3" << qint64(1000000000) << "1701000000000-3";
        QTest::newRow("prefix kept") << "evt-0042" << qint64(10) << "evt-52";
        QTest::newRow("no digits") << "abcdef" << qint64(10) << "";
        QTest::newRow("too long to count") << "123456789012345678" << qint64(1) << "";
    }
    void shifted()
    {
        QFETCH(QString, id);
        QFETCH(qint64, delta);
        QFETCH(QString, shifted);
        QCOMPARE(shiftedId(id, delta), shifted);
    }

    void order_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("less");
        QTest::newRow("9 < 10") << "9"
                                << "10" << true;
        QTest::newRow("10 !< 9") << "10"
                                 << "9" << false;
        QTest::newRow("equal") << "7"
                               << "7" << false;
        QTest::newRow("1:9 < 1:10") << "1:9"
                                    << "1:10" << true;
        QTest::newRow("2:0 !< 1:10") << "2:0"
                                     << "1:10" << false;
        QTest::newRow("leading zeros") << "007"
                                       << "8" << true;
        QTest::newRow("text") << "a"
                              << "b" << true;
        QTest::newRow("prefix first") << "1"
                                      << "1:0" << true;
    }
    void order()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, less);
        QCOMPARE(naturalIdLess(a, b), less);
    }
};

QTEST_GUILESS_MAIN(TestCheckIds)
#include "tst_checkids.moc"
