#include "connectionlistmodel.h"
#include "itemdetail.h"
#include "wire/capturelog.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Pushboard;

/// ConnectionListModel and the detail pane's FieldListModel under QAbstractItemModelTester:
/// rows for connections as they open, counters, reconnect attempts, forgotten connections; the
/// selected item's fields and its hex dump with the header marked.
class tst_ConnectionListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connections()
    {
        CaptureLog::Limits limits;
        limits.maxConnections = 2;
        CaptureLog log(limits);
        ConnectionListModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const WireEndpoints ends {
            QStringLiteral("127.0.0.1"), 4000, QStringLiteral("127.0.0.1"), 80};
        log.wireOpened(1, ends, 1);
        log.wireBytes(1, WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", 2);
        log.wireBytes(1, WireDirection::ToClient,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n", 3);
        QTRY_COMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), ConnectionListModel::TransportRole).toString(),
            QStringLiteral("sse"));
        QCOMPARE(model.data(model.index(0), ConnectionListModel::PeerRole).toString(),
            QStringLiteral("127.0.0.1:4000"));
        QCOMPARE(model.data(model.index(0), ConnectionListModel::TargetRole).toString(),
            QStringLiteral("/events"));
        QCOMPARE(model.data(model.index(0), ConnectionListModel::StateRole).toString(),
            QStringLiteral("open"));
        QCOMPARE(
            model.data(model.index(0), ConnectionListModel::FramesReceivedRole).toLongLong(), 2);
        log.wireClosed(1, QStringLiteral("dropped by the relay"), 4);
        log.wireOpened(2, ends, 5);
        log.wireBytes(2, WireDirection::ToServer,
            "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n", 6);
        model.update();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0), ConnectionListModel::StateRole).toString(),
            QStringLiteral("closed: dropped by the relay"));
        QCOMPARE(model.data(model.index(1), ConnectionListModel::AttemptRole).toInt(), 2);
        // A third connection: the first, closed, is forgotten (the cap is 2).
        log.wireOpened(3, ends, 7);
        model.update();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0), ConnectionListModel::IdRole).toLongLong(), 2);
    }

    void detail()
    {
        CaptureLog log;
        ItemDetail detail(&log);
        QAbstractItemModelTester tester(
            detail.fields(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        log.wireBytes(1, WireDirection::ToServer, QByteArray::fromHex("818537fa213d7f9f4d5158"), 1);
        // Not a head: shown as malformed; then a WebSocket connection proper.
        log.wireJoined(2, {}, WireConversation::Transport::WebSocket, 1);
        log.wireBytes(2, WireDirection::ToServer, QByteArray::fromHex("818537fa213d7f9f4d5158"), 2);
        const qint64 sequence = log.items().back().sequence;
        detail.select(sequence);
        QCOMPARE(detail.kind(), QStringLiteral("ws text"));
        QCOMPARE(detail.headerSize(), 6);
        QCOMPARE(detail.size(), 11);
        QCOMPARE(detail.payloadText(), QStringLiteral("Hello"));
        QVERIFY(detail.hex().contains(u"<font color=\"#c0392b\">81</font>"));
        QVERIFY(detail.hex().contains(u"7f&nbsp;9f")); // Payload bytes, as sent (masked), unmarked.
        FieldListModel *fields = detail.fields();
        QStringList names;
        for (int row = 0; row < fields->rowCount(); ++row)
            names.append(fields->data(fields->index(row), FieldListModel::NameRole).toString());
        QVERIFY(names.contains(QStringLiteral("masking key")));
        const int key = int(names.indexOf(QStringLiteral("masking key")));
        QCOMPARE(fields->data(fields->index(key), FieldListModel::ValueRole).toString(),
            QStringLiteral("37 fa 21 3d"));
        QCOMPARE(fields->data(fields->index(key), FieldListModel::SectionRole).toString(),
            QStringLiteral("RFC 6455 5.3"));
        detail.select(qint64(999));
        QCOMPARE(detail.sequence(), 0);
        QCOMPARE(fields->rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_ConnectionListModel)
#include "tst_connectionlistmodel.moc"
