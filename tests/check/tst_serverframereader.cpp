#include "protocol/wsframe.h"
#include "serverframereader.h"

#include <QTest>

#include <zlib.h>

using namespace Pushboard;
using Kind = ServerFrameReader::Item::Kind;

namespace {

/// A frame with the first byte as given (FIN, RSV, opcode), unmasked unless `mask`.
QByteArray frame(quint8 first, const QByteArray &payload, bool mask = false)
{
    QByteArray bytes;
    bytes.append(char(first));
    const char maskBit = mask ? char(0x80) : char(0);
    if (payload.size() < 126) {
        bytes.append(char(maskBit | char(payload.size())));
    } else {
        bytes.append(char(maskBit | 126));
        bytes.append(char(payload.size() >> 8));
        bytes.append(char(payload.size() & 0xff));
    }
    if (!mask)
        return bytes + payload;
    const char key[4] = {1, 2, 3, 4};
    bytes.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        bytes.append(char(payload.at(i) ^ key[i % 4]));
    return bytes;
}

/// A message compressed as permessage-deflate sends it (RFC 7692 7.2.1): raw DEFLATE, flushed,
/// without the final 00 00 ff ff.
QByteArray deflated(const QByteArray &text)
{
    z_stream z {};
    deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(text.size() + 64, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
    z.avail_in = uInt(text.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_SYNC_FLUSH);
    out.truncate(out.size() - qsizetype(z.avail_out));
    deflateEnd(&z);
    return out.chopped(4);
}

} // namespace

/// What the check reads from a WebSocket server: each RFC 6455 rule a frame can break, counted,
/// and the frames that break none.
class TestServerFrameReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void frames_data();
    void frames();
    void unreadable();
};

void TestServerFrameReader::frames_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<QString>("rule"); // empty: no rule broken
    QTest::addColumn<int>("items");

    const QByteArray text = WsFrame::serverText("hello");
    QTest::newRow("text") << text << false << QString() << 1;
    QTest::newRow("fragmented text")
        << frame(0x01, "hel") + frame(0x80, "lo") << false << QString() << 1;
    QTest::newRow("ping inside a fragmented message")
        << frame(0x01, "hel") + frame(0x89, "p") + frame(0x80, "lo") << false << QString() << 2;
    QTest::newRow("close 1000") << WsFrame::serverFrame(
        WsFrame::Close, WsFrame::closePayload(1000, QStringLiteral("bye")))
                                << false << QString() << 1;
    QTest::newRow("compressed, deflate accepted")
        << frame(0xc1, deflated("hello hello hello")) << true << QString() << 1;
    QTest::newRow("masked") << frame(0x81, "hello", true) << false << QStringLiteral("masked") << 1;
    QTest::newRow("RSV1 without deflate")
        << frame(0xc1, "hello") << false << QStringLiteral("reserved bit") << 1;
    QTest::newRow("RSV1 on a continuation") << frame(0x41, deflated("ab")) + frame(0xc0, "x")
                                            << true << QStringLiteral("reserved bit") << 0;
    QTest::newRow("RSV2") << frame(0xa1, "hello") << false << QStringLiteral("reserved bit") << 1;
    QTest::newRow("reserved opcode")
        << frame(0x83, "x") << false << QStringLiteral("reserved opcode") << 0;
    QTest::newRow("ping over 125 bytes")
        << frame(0x89, QByteArray(126, 'p')) << false << QStringLiteral("control frame") << 1;
    QTest::newRow("fragmented ping")
        << frame(0x09, "p") << false << QStringLiteral("control frame") << 1;
    QTest::newRow("continuation first")
        << frame(0x80, "x") << false << QStringLiteral("continuation") << 0;
    QTest::newRow("message inside a message") << frame(0x01, "a") + frame(0x81, "b") << false
                                              << QStringLiteral("inside a fragmented") << 1;
    QTest::newRow("text not UTF-8")
        << frame(0x81, "\xc3\x28") << false << QStringLiteral("not UTF-8") << 1;
    QTest::newRow("close of one byte")
        << frame(0x88, "\x03") << false << QStringLiteral("one byte") << 1;
    QTest::newRow("close 1005 on the wire") << frame(0x88, QByteArray::fromHex("03ed")) << false
                                            << QStringLiteral("close code 1005") << 1;
    QTest::newRow("close reason not UTF-8") << frame(0x88, QByteArray::fromHex("03e8ff")) << false
                                            << QStringLiteral("reason that is not UTF-8") << 1;
    QTest::newRow("a frame after the close")
        << WsFrame::serverFrame(WsFrame::Close, {}) + text << false
        << QStringLiteral("after the server's Close") << 2;
    QTest::newRow("compressed garbage")
        << frame(0xc1, "\xff\xff\xff\xff") << true << QStringLiteral("does not inflate") << 0;
}

void TestServerFrameReader::frames()
{
    QFETCH(QByteArray, wire);
    QFETCH(bool, deflate);
    QFETCH(QString, rule);
    QFETCH(int, items);
    for (const int step : {int(wire.size()), 1}) {
        ServerFrameReader reader(
            deflate ? std::optional(PerMessageDeflateParams {}) : std::nullopt);
        QList<ServerFrameReader::Item> got;
        for (qsizetype at = 0; at < wire.size(); at += step)
            got += reader.feed(
                QByteArrayView(wire).sliced(at, qMin<qsizetype>(step, wire.size() - at)));
        QVERIFY(!reader.isBroken());
        QCOMPARE(got.size(), items);
        if (rule.isEmpty()) {
            QCOMPARE(reader.violationCount(), 0);
        } else {
            QVERIFY(reader.violationCount() >= 1);
            QVERIFY2(reader.violations().constFirst().rule.contains(rule),
                qPrintable(reader.violations().constFirst().rule));
            QVERIFY(
                reader.violations().constFirst().firstFrame.startsWith(QLatin1String("frame ")));
        }
    }
    ServerFrameReader reader(deflate ? std::optional(PerMessageDeflateParams {}) : std::nullopt);
    const auto got = reader.feed(wire);
    if (rule.isEmpty() && !got.isEmpty() && got.constFirst().kind == Kind::Message)
        QVERIFY(got.constFirst().payload.startsWith("hel"));
}

void TestServerFrameReader::unreadable()
{
    // A frame that declares 4 GiB: decided from the header, nothing buffered, nothing more read.
    ServerFrameReader reader;
    const QByteArray header = QByteArray::fromHex("827f0000000100000000");
    QVERIFY(reader.feed(QByteArray(header + "payload")).isEmpty());
    QVERIFY(reader.isBroken());
    QVERIFY(reader.violations().constFirst().rule.contains(QLatin1String("over 32 MiB")));
    QVERIFY(reader.feed(WsFrame::serverText("later")).isEmpty());
}

QTEST_GUILESS_MAIN(TestServerFrameReader)
#include "tst_serverframereader.moc"
