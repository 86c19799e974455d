#include "checkrunner.h"
#include "testserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Pushboard;

/// The dashboard's check: the same check as `pushboard check`, on a real server, its verdicts
/// in a model that keeps its contract.
class tst_CheckRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void endpointFor_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("transport");
        QTest::addColumn<QString>("endpoint");
        QTest::newRow("sse") << "http://127.0.0.1:8765"
                             << "sse"
                             << "http://127.0.0.1:8765/events";
        QTest::newRow("poll reads SSE") << "http://127.0.0.1:8765/"
                                        << "poll"
                                        << "http://127.0.0.1:8765/events";
        QTest::newRow("ws") << "http://127.0.0.1:8765"
                            << "ws"
                            << "ws://127.0.0.1:8765/ws";
        QTest::newRow("wss, behind a path") << "https://example.org/pushboard/"
                                            << "ws"
                                            << "wss://example.org/pushboard/ws";
    }
    void endpointFor()
    {
        QFETCH(QString, server);
        QFETCH(QString, transport);
        QFETCH(QString, endpoint);
        CheckRunner runner;
        QCOMPARE(runner.endpointFor(server, transport), endpoint);
    }

    void runsTheCheck()
    {
        TestServer server;
        server.config.keepaliveS = 1;
        QVERIFY(server.start());
        server.append(5, QStringLiteral("check.history"));
        QTimer publish;
        connect(&publish, &QTimer::timeout, this,
            [&server] { server.append(1, QStringLiteral("check.live")); });
        publish.start(200);

        CheckRunner runner;
        QAbstractItemModelTester tester(
            runner.items(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        runner.setUrl(runner.endpointFor(
            QStringLiteral("http://127.0.0.1:%1").arg(server.port()), QStringLiteral("sse")));
        runner.setProperty("durationS", 3);
        runner.setProperty("idleS", 0);
        QSignalSpy finished(&runner, &CheckRunner::finished);
        QCOMPARE(runner.exitCode(), -1);
        QVERIFY(runner.start());
        QVERIFY(runner.isRunning());
        QVERIFY(!runner.start()); // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), 60 * 1000);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(runner.progress(), 1.0);
        // Clear text: HTTP/2 warns (browsers use HTTP/1.1); everything else passes or cannot
        // be measured on a server that never closes.
        QCOMPARE(runner.exitCode(), 1);
        QCOMPARE(runner.items()->rowCount(), 17);
        const QModelIndex first = runner.items()->index(0);
        QCOMPARE(first.data(CheckItemModel::ItemIdRole).toString(), QStringLiteral("sse.status"));
        QCOMPARE(first.data(CheckItemModel::VerdictRole).toString(), QStringLiteral("pass"));
        QVERIFY(first.data(CheckItemModel::EvidenceRole).toString().contains(QLatin1String("200")));
        QVERIFY(!first.data(CheckItemModel::WhyRole).toString().isEmpty());
        QCOMPARE(runner.summary(),
            QStringLiteral("13 passed, 1 warned, 0 failed, 3 skipped")); // --idle 0 skips one

        // Again: the old rows go, the new ones come (the tester watches both).
        QVERIFY(runner.start());
        QCOMPARE(runner.items()->rowCount(), 0);
        QTRY_VERIFY(runner.elapsedS() >= 2); // the server has answered: stop with verdicts
        runner.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), 10 * 1000);
        QCOMPARE(finished.size(), 2);
        QCOMPARE(runner.items()->rowCount(), 17);
    }

    void refusesWhatItCannotCheck()
    {
        CheckRunner runner;
        QSignalSpy finished(&runner, &CheckRunner::finished);
        runner.setUrl(QStringLiteral("ftp://127.0.0.1/x"));
        QVERIFY(!runner.start());
        QVERIFY(!runner.isRunning());
        QCOMPARE(finished.size(), 1);
        QVERIFY(runner.summary().contains(QLatin1String("neither http(s)://")));
        runner.setUrl(QStringLiteral("https://127.0.0.1:1/events"));
        runner.setProperty("pin", QStringLiteral("not a pin"));
        QVERIFY(!runner.start());
        QVERIFY(runner.summary().contains(QLatin1String("64 hex digits")));
    }
};

QTEST_GUILESS_MAIN(tst_CheckRunner)
#include "tst_checkrunner.moc"
