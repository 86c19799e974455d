#include "timelinemodel.h"
#include "wire/capturelog.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Pushboard;

namespace {

QStringList entries(const TimelineModel &model)
{
    QStringList out;
    for (const TimelineModel::Entry &e : model.entries())
        out.append(e.kind + QStringLiteral(": ") + e.text);
    return out;
}

QByteArray sseEvent(int id, qint64 timeMs)
{
    return "id: " + QByteArray::number(id)
        + "\nevent: a\ndata: {\"time\":" + QByteArray::number(timeMs) + ",\"data\":1}\n\n";
}

const QByteArray sseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
constexpr qint64 T = 1'796'000'000'000; // ms

} // namespace

/// TimelineModel on an SSE client's life: connect, retry, events, a drop, the reconnect with its
/// measured delay and Last-Event-ID, the replay told apart from live events, a gap, a fault.
class tst_TimelineModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reconnectReplayAndGap()
    {
        CaptureLog log;
        TimelineModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const WireEndpoints ends {
            QStringLiteral("127.0.0.1"), 40001, QStringLiteral("127.0.0.1"), 8765};
        log.wireOpened(1, ends, T * 1000);
        log.wireBytes(
            1, WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", T * 1000);
        log.wireBytes(1, WireDirection::ToClient,
            QByteArray(sseHead + "retry: 2000\n\n" + sseEvent(1, T + 10) + sseEvent(2, T + 20)),
            (T + 20) * 1000);
        log.mark(1, QStringLiteral("dropped by the relay"), (T + 30) * 1000);
        log.wireClosed(1, QStringLiteral("dropped by the relay"), (T + 30) * 1000);
        // The client comes back 2.1 s later with the last id it saw; events 3 and 4 were
        // published meanwhile (replayed), then 5 is live, then the server reports a gap.
        log.wireOpened(2, {QStringLiteral("127.0.0.1"), 40002, QStringLiteral("127.0.0.1"), 8765},
            (T + 2130) * 1000);
        log.wireBytes(2, WireDirection::ToServer,
            "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 2\r\n\r\n", (T + 2130) * 1000);
        log.wireBytes(2, WireDirection::ToClient,
            QByteArray(
                sseHead + sseEvent(3, T + 500) + sseEvent(4, T + 900) + sseEvent(5, T + 2200)),
            (T + 2200) * 1000);
        log.wireBytes(2, WireDirection::ToClient,
            "event: gap\ndata: {\"from\":\"6\",\"to\":\"9\"}\n\n", (T + 2300) * 1000);
        model.update();
        QCOMPARE(entries(model),
            (QStringList {QStringLiteral("open: connected from 127.0.0.1:40001"),
                QStringLiteral(
                    "retry: retry: 2000 ms (the reconnection time the client should use)"),
                QStringLiteral("fault: dropped by the relay"),
                QStringLiteral("close: closed: dropped by the relay"),
                QStringLiteral("open: connected from 127.0.0.1:40002"),
                QStringLiteral("reconnect: reconnect after 2100 ms (the server asked retry: 2000 "
                               "ms), sent Last-Event-ID: 2"),
                QStringLiteral(
                    "replay: replayed 2 event(s), ids 3 to 4, for Last-Event-ID 2; live from here"),
                QStringLiteral("gap: gap: events the server no longer holds were skipped  "
                               "{\"from\":\"6\",\"to\":\"9\"}")}));
        QCOMPARE(model.data(model.index(5), TimelineModel::ConnectionRole).toLongLong(), 2);
        QVERIFY(model.data(model.index(5), TimelineModel::SequenceRole).toLongLong() > 0);
        QCOMPARE(model.data(model.index(0), TimelineModel::TimeRole).toString().size(), 12);
    }

    void batchedByTheTimer()
    {
        CaptureLog log;
        TimelineModel model(&log);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        log.wireOpened(1, {}, T * 1000);
        QCOMPARE(model.rowCount(), 0);
        QTRY_COMPARE(model.rowCount(), 1);
        log.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_TimelineModel)
#include "tst_timelinemodel.moc"
