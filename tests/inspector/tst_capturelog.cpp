#include "wire/capturelog.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pushboard;

/// CaptureLog: sequences over its life, the caps on items, bytes and connections with the
/// oldest dropped first and counted, marks, mid-stream joins, and clear().
class tst_CaptureLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsAndNumbers()
    {
        CaptureLog log;
        QSignalSpy added(&log, &CaptureLog::itemsAdded);
        log.wireOpened(7, {QStringLiteral("127.0.0.1"), 4000, QStringLiteral("127.0.0.1"), 80}, 1);
        log.wireBytes(7, WireDirection::ToServer, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2);
        log.wireBytes(
            7, WireDirection::ToClient, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 3);
        log.wireClosed(7, QStringLiteral("the client closed"), 4);
        QCOMPARE(log.items().size(), size_t(3));
        QCOMPARE(log.firstSequence(), 1);
        QCOMPARE(log.nextSequence(), 4);
        QCOMPARE(log.item(2)->kind, WireItem::Kind::ResponseHead);
        QCOMPARE(log.item(2)->connection, 7u);
        QVERIFY(!log.item(4));
        QCOMPARE(added.size(), 2);
        const WireConnection *c = log.connection(7);
        QCOMPARE(c->bytes[0], 27);
        QCOMPARE(c->items[1], 2);
        QCOMPARE(c->closeReason, QStringLiteral("the client closed"));
        QCOMPARE(c->transport, WireConversation::Transport::Http);
        QCOMPARE(log.chunks().size(), size_t(2));
        QCOMPARE(log.marks().size(), size_t(2)); // opened, closed
        QCOMPARE(log.totals().bytes[0], 27);
        QCOMPARE(log.totals().bytes[1], 40);
        QCOMPARE(log.totals().requests, 1);
        QCOMPARE(log.totals().connections, 1);
        // Bytes of a connection never announced open one.
        log.wireBytes(8, WireDirection::ToClient, "\x81\x00", 5);
        QVERIFY(log.connection(8));
    }

    void capsDropOldestFirst_data()
    {
        QTest::addColumn<int>("maxItems");
        QTest::addColumn<int>("maxBytes");
        QTest::newRow("items") << 10 << 64 * 1024 * 1024;
        QTest::newRow("bytes") << 100000 << 8 * 1024;
    }
    void capsDropOldestFirst()
    {
        QFETCH(int, maxItems);
        QFETCH(int, maxBytes);
        CaptureLog::Limits limits;
        limits.maxItems = maxItems;
        limits.maxBytes = maxBytes;
        CaptureLog log(limits);
        log.wireOpened(1, {}, 1);
        log.wireBytes(1, WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", 1);
        log.wireBytes(1, WireDirection::ToClient,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n", 2);
        for (int i = 0; i < 200; ++i)
            log.wireBytes(1, WireDirection::ToClient,
                QByteArray("data: " + QByteArray(100, 'x') + "\n\n"), 3 + i);
        QVERIFY(qsizetype(log.items().size()) <= maxItems);
        QVERIFY(log.storedBytes() <= maxBytes);
        QCOMPARE(log.droppedItems() + qint64(log.items().size()), 202);
        QVERIFY(log.droppedChunks() > 0);
        QCOMPARE(log.items().back().sequence, 202); // The newest stay.
        QCOMPARE(log.firstSequence(), 203 - qint64(log.items().size()));
        // Totals count what was trimmed too.
        QCOMPARE(log.totals().items[1], 201);
        QCOMPARE(log.totals().requests, 1);
        QCOMPARE(log.totals().bytes[1], 52 + 200 * 108);
        log.clear();
        QCOMPARE(log.totals().bytes[1], 0);
    }

    void closedConnectionsAreForgottenPastTheCap()
    {
        CaptureLog::Limits limits;
        limits.maxConnections = 3;
        CaptureLog log(limits);
        for (quint64 id = 1; id <= 5; ++id) {
            log.wireOpened(id, {}, qint64(id));
            if (id != 2)
                log.wireClosed(id, {}, qint64(id));
        }
        QCOMPARE(log.connections().size(), 3);
        QVERIFY(log.connection(2)); // Open ones stay.
        QVERIFY(!log.connection(1));
        QVERIFY(log.connection(5));
    }

    void joinedMidStream()
    {
        CaptureLog log;
        log.wireJoined(3, {}, WireConversation::Transport::Sse, 1);
        log.wireBytes(3, WireDirection::ToClient, "id: 9\ndata: x\n\n", 2);
        QCOMPARE(log.items().size(), size_t(1));
        QCOMPARE(log.items().front().kind, WireItem::Kind::SseEvent);
        QVERIFY(log.marks().back().text.contains(u"mid-stream"));
    }

    void clearKeepsOpenConnections()
    {
        CaptureLog log;
        QSignalSpy cleared(&log, &CaptureLog::cleared);
        log.wireOpened(1, {}, 1);
        log.wireBytes(1, WireDirection::ToServer, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2);
        log.wireOpened(2, {}, 1);
        log.wireClosed(2, {}, 3);
        log.clear();
        QCOMPARE(cleared.size(), 1);
        QVERIFY(log.items().empty());
        QVERIFY(log.connection(1));
        QVERIFY(!log.connection(2));
        QCOMPARE(log.nextSequence(), 2); // Sequences go on.
        log.wireBytes(1, WireDirection::ToClient, "HTTP/1.1 204 No Content\r\n\r\n", 4);
        QCOMPARE(log.items().front().sequence, 2);
    }
};

QTEST_GUILESS_MAIN(tst_CaptureLog)
#include "tst_capturelog.moc"
