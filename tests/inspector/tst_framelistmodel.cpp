#include "framelistmodel.h"
#include "wire/capturelog.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Pushboard;

namespace {

/// A WebSocket connection with `n` server text frames ("event 0", "event 1", ...) after the
/// handshake.
void webSocket(CaptureLog &log, quint64 id, int n, qint64 t = 1'000'000)
{
    log.wireOpened(id, {QStringLiteral("127.0.0.1"), 40000, QStringLiteral("127.0.0.1"), 8765}, t);
    log.wireBytes(id, WireDirection::ToServer,
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        t);
    log.wireBytes(id, WireDirection::ToClient,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Accept: "
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        t);
    for (int i = 0; i < n; ++i) {
        const QByteArray text = "event " + QByteArray::number(i);
        log.wireBytes(id, WireDirection::ToClient,
            QByteArray(QByteArray(1, '\x81') + char(text.size()) + text), t + i);
    }
}

QStringList summaries(const FrameListModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.data(model.index(row), FrameListModel::SummaryRole).toString());
    return out;
}

} // namespace

/// FrameListModel under QAbstractItemModelTester: batched appends (one insert per update
/// however many items came), rows dropped with the log's oldest items, every filter, pause.
class tst_FrameListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesAppends()
    {
        CaptureLog log;
        FrameListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        webSocket(log, 1, 1000);
        QCOMPARE(model.rowCount(), 0); // Nothing until the update...
        QTRY_COMPARE(model.rowCount(), 1002); // ...which the model's timer runs,
        QCOMPARE(inserted.size(), 1); // in one insert.
        QCOMPARE(model.data(model.index(2), FrameListModel::KindRole).toString(),
            QStringLiteral("ws text"));
        QCOMPARE(model.data(model.index(2), FrameListModel::DirectionRole).toString(),
            QStringLiteral("receive"));
        QCOMPARE(model.data(model.index(2), FrameListModel::SizeRole).toLongLong(), 9);
        QCOMPARE(model.data(model.index(2), FrameListModel::ProblemRole).toBool(), false);
        QVERIFY(model.data(model.index(2), FrameListModel::SummaryRole)
                    .toString()
                    .contains(u"event 0"));
        QCOMPARE(model.sequenceAt(0), 1);
        QCOMPARE(model.sequenceAt(5000), 0);
    }

    void dropsWhatTheLogDropped()
    {
        CaptureLog::Limits limits;
        limits.maxItems = 100;
        CaptureLog log(limits);
        FrameListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        webSocket(log, 1, 50);
        model.update();
        QCOMPARE(model.rowCount(), 52);
        webSocket(log, 2, 200, 2'000'000);
        model.update();
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(log.droppedItems(), 154); // 52 + 202 items, 100 kept
        QCOMPARE(model.sequenceAt(0), log.firstSequence());
    }

    void filters_data()
    {
        QTest::addColumn<QString>("direction");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("regex");
        QTest::addColumn<int>("connection");
        QTest::addColumn<int>("rows");
        QTest::newRow("all") << QString() << QString() << QString() << false << 0 << 24;
        QTest::newRow("send") << QStringLiteral("send") << QString() << QString() << false << 0
                              << 2;
        QTest::newRow("family ws")
            << QString() << QStringLiteral("ws") << QString() << false << 0 << 20;
        QTest::newRow("one kind") << QString() << QStringLiteral("http response") << QString()
                                  << false << 0 << 2;
        QTest::newRow("no such kind")
            << QString() << QStringLiteral("w") << QString() << false << 0 << 0;
        QTest::newRow("text, any case")
            << QString() << QString() << QStringLiteral("EVENT 1") << false << 0 << 2;
        QTest::newRow("regex") << QString() << QString() << QStringLiteral("event [2-4]$") << true
                               << 0 << 6;
        QTest::newRow("bad regex")
            << QString() << QString() << QStringLiteral("event [") << true << 0 << 0;
        QTest::newRow("connection") << QString() << QString() << QString() << false << 2 << 12;
        QTest::newRow("combined") << QStringLiteral("receive") << QStringLiteral("ws text")
                                  << QStringLiteral("9") << false << 1 << 1;
    }
    void filters()
    {
        QFETCH(QString, direction);
        QFETCH(QString, kind);
        QFETCH(QString, text);
        QFETCH(bool, regex);
        QFETCH(int, connection);
        QFETCH(int, rows);
        CaptureLog log;
        FrameListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        webSocket(log, 1, 10);
        webSocket(log, 2, 10);
        model.update();
        model.setDirection(direction);
        model.setKind(kind);
        model.setRegex(regex);
        model.setText(text);
        model.setConnection(connection);
        QCOMPARE(model.rowCount(), rows);
        QCOMPARE(model.isRegexValid(), !(regex && text == u"event ["));
        // New items pass the same filter.
        webSocket(log, 3, 10);
        model.update();
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(model.accepts(*log.item(model.sequenceAt(row))));
    }

    void pauseHoldsTheRows()
    {
        CaptureLog log;
        FrameListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        webSocket(log, 1, 3);
        model.update();
        model.setPaused(true);
        const QStringList before = summaries(model);
        webSocket(log, 2, 5);
        model.update();
        QCOMPARE(summaries(model), before);
        QCOMPARE(model.pending(), 7);
        model.setPaused(false);
        QCOMPARE(model.rowCount(), 5 + 7);
        QCOMPARE(model.pending(), 0);
    }

    void clearEmpties()
    {
        CaptureLog log;
        FrameListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        webSocket(log, 1, 3);
        model.update();
        log.clear();
        QCOMPARE(model.rowCount(), 0);
        log.wireBytes(1, WireDirection::ToClient, "\x81\x01x", 5);
        model.update();
        QCOMPARE(model.rowCount(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_FrameListModel)
#include "tst_framelistmodel.moc"
