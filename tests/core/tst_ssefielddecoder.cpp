#include "protocol/ssefielddecoder.h"

#include <QTest>

using namespace Pushboard;

namespace {

/// A block as text for comparing: the kinds and names of its lines, then what it dispatched.
QString describe(const SseBlock &block)
{
    QStringList parts;
    for (const SseLine &line : block.lines) {
        switch (line.kind) {
        case SseLine::Kind::Blank:
            parts.append(QStringLiteral("blank"));
            break;
        case SseLine::Kind::Comment:
            parts.append(u':' + line.value);
            break;
        case SseLine::Kind::Field:
            parts.append(line.name + u'=' + line.value);
            break;
        }
    }
    QString out = parts.join(u' ');
    if (block.event)
        out += QStringLiteral(" -> %1(%2) id=%3")
                   .arg(block.event->type, block.event->data, block.event->lastEventId);
    if (block.retry)
        out += QStringLiteral(" retry=%1").arg(*block.retry);
    if (block.truncated)
        out += QStringLiteral(" truncated");
    return out;
}

QStringList decodeSplit(const QByteArray &wire, qsizetype split, QByteArray *raw)
{
    SseFieldDecoder decoder;
    QList<SseBlock> blocks = decoder.feed(QByteArrayView(wire).first(split));
    blocks += decoder.feed(QByteArrayView(wire).sliced(split));
    if (std::optional<SseBlock> last = decoder.finish())
        blocks.append(*last);
    QStringList out;
    for (const SseBlock &block : std::as_const(blocks)) {
        out.append(describe(block));
        *raw += block.raw;
    }
    return out;
}

} // namespace

/// SseFieldDecoder: every line of a stream as sent, the blocks they make and the event each
/// dispatches by the WHATWG rules, the same however the bytes are split.
class tst_SseFieldDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blocks_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QStringList>("blocks");
        QTest::newRow("event")
            << QByteArray("id: 7\nevent: cpu\ndata: {\"a\":1}\n\n")
            << QStringList {
                   QStringLiteral("id=7 event=cpu data={\"a\":1} blank -> cpu({\"a\":1}) id=7")};
        QTest::newRow("two data lines, CRLF")
            << QByteArray("data: a\r\ndata:b\r\n\r\n")
            << QStringList {QStringLiteral("data=a data=b blank -> message(a\nb) id=")};
        QTest::newRow("CR line ends") << QByteArray(
            "data: x\r\r") << QStringList {QStringLiteral("data=x blank -> message(x) id=")};
        QTest::newRow("keepalive")
            << QByteArray(": keepalive\n\n") << QStringList {QStringLiteral(": keepalive blank")};
        QTest::newRow("retry and id, no data")
            << QByteArray("retry: 2000\nid: 5\n\n")
            << QStringList {QStringLiteral("retry=2000 id=5 blank retry=2000")};
        QTest::newRow("id carried to the next event")
            << QByteArray("id: 5\ndata: a\n\ndata: b\n\n")
            << QStringList {QStringLiteral("id=5 data=a blank -> message(a) id=5"),
                   QStringLiteral("data=b blank -> message(b) id=5")};
        QTest::newRow("retry not digits")
            << QByteArray("retry: 2s\n\n") << QStringList {QStringLiteral("retry=2s blank")};
        QTest::newRow("id with NULL ignored")
            << QByteArray("id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n", 32)
            << QStringList {QStringLiteral("id=1 data=a blank -> message(a) id=1"),
                   QStringLiteral("id=x%1y data=b blank -> message(b) id=1").arg(QChar(0))};
        QTest::newRow("BOM, no colon, unknown field")
            << QByteArray("\xEF\xBB\xBF"
                          "data\nfoo: bar\n\n")
            << QStringList {QStringLiteral("data= foo=bar blank -> message() id=")};
        QTest::newRow("unended block at the end")
            << QByteArray("data: a\n\ndata: never")
            << QStringList {QStringLiteral("data=a blank -> message(a) id="),
                   QStringLiteral("data=never truncated")};
        QTest::newRow("gap from the server")
            << QByteArray("event: gap\ndata: {\"from\":\"3\",\"to\":\"9\"}\n\n")
            << QStringList {QStringLiteral("event=gap data={\"from\":\"3\",\"to\":\"9\"} blank -> "
                                           "gap({\"from\":\"3\",\"to\":\"9\"}) id=")};
        QTest::newRow("utf-8") << QByteArray("data: \xC3\xA9t\xC3\xA9\n\n")
                               << QStringList {
                                      QStringLiteral("data=été blank -> message(été) id=")};
    }
    void blocks()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QStringList, blocks);
        for (qsizetype split = 0; split <= wire.size(); ++split) {
            QByteArray raw;
            QCOMPARE(decodeSplit(wire, split, &raw), blocks);
            QCOMPARE(raw, wire); // Every byte belongs to exactly one block, in order.
        }
    }

    void blockPassingTheCapFails()
    {
        SseFieldDecoder decoder(64);
        QVERIFY(decoder.feed(QByteArray("data: " + QByteArray(40, 'a') + "\n")).isEmpty());
        QVERIFY(!decoder.hasFailed());
        QVERIFY(decoder.feed(QByteArray("data: " + QByteArray(40, 'a'))).isEmpty());
        QVERIFY(decoder.hasFailed());
        QVERIFY(decoder.errorString().contains(u"64"));
        QCOMPARE(decoder.pendingBytes(), 0);
        QVERIFY(decoder.feed("\n\n").isEmpty());
    }
};

QTEST_APPLESS_MAIN(tst_SseFieldDecoder)
#include "tst_ssefielddecoder.moc"
