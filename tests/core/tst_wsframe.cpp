#include "protocol/wsframe.h"
#include "protocol/wsframedecoder.h"

#include <QTest>

using namespace Pushboard;

/// The frames a server writes (RFC 6455 5.2): header bits, the three length encodings at their
/// edges, no mask, and the close payload; each frame read back with our own decoder too.
class tst_WsFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void header_data()
    {
        QTest::addColumn<int>("opcode");
        QTest::addColumn<int>("length");
        QTest::addColumn<QByteArray>("header");
        QTest::newRow("empty text") << int(WsFrame::Text) << 0 << QByteArray::fromHex("8100");
        QTest::newRow("125, 7-bit") << int(WsFrame::Text) << 125 << QByteArray::fromHex("817d");
        QTest::newRow("126, 16-bit")
            << int(WsFrame::Text) << 126 << QByteArray::fromHex("817e007e");
        QTest::newRow("65535, 16-bit")
            << int(WsFrame::Binary) << 65535 << QByteArray::fromHex("827effff");
        QTest::newRow("65536, 64-bit")
            << int(WsFrame::Binary) << 65536 << QByteArray::fromHex("827f0000000000010000");
        QTest::newRow("ping") << int(WsFrame::Ping) << 4 << QByteArray::fromHex("8904");
        QTest::newRow("close") << int(WsFrame::Close) << 2 << QByteArray::fromHex("8802");
    }
    void header()
    {
        QFETCH(int, opcode);
        QFETCH(int, length);
        QFETCH(QByteArray, header);
        const QByteArray payload(length, 'x');
        const QByteArray frame = WsFrame::serverFrame(quint8(opcode), payload);
        QCOMPARE(frame.left(header.size()).toHex(), header.toHex());
        QCOMPARE(frame.size(), header.size() + length);
        QVERIFY(frame.endsWith(payload)); // never masked: servers do not mask (5.1)

        WsFrameDecoder decoder(1024 * 1024);
        decoder.feed(frame);
        const std::optional<WsFrame> read = decoder.next();
        QVERIFY(read);
        QVERIFY(read->fin);
        QVERIFY(!read->masked);
        QCOMPARE(int(read->opcode), opcode);
        QCOMPARE(read->length, quint64(length));
        QCOMPARE(read->headerSize, header.size());
        QCOMPARE(read->payload, payload);
        QVERIFY(!decoder.next());
        QCOMPARE(decoder.error(), WsFrameDecoder::Error::None);
    }

    void serverTextIsTextFrame()
    {
        QCOMPARE(
            WsFrame::serverText("{\"op\":\"ack\"}"), QByteArray("\x81\x0c{\"op\":\"ack\"}", 14));
    }

    void isControl()
    {
        WsFrame frame;
        for (const quint8 opcode : {WsFrame::Close, WsFrame::Ping, WsFrame::Pong}) {
            frame.opcode = opcode;
            QVERIFY(frame.isControl());
        }
        for (const quint8 opcode : {WsFrame::Continuation, WsFrame::Text, WsFrame::Binary}) {
            frame.opcode = opcode;
            QVERIFY(!frame.isControl());
        }
    }

    void closePayload_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("normal") << 1000 << QString() << QByteArray::fromHex("03e8");
        QTest::newRow("going away") << 1001 << QStringLiteral("server stopping")
                                    << QByteArray::fromHex("03e9") + "server stopping";
        QTest::newRow("utf-8 reason")
            << 1008 << QStringLiteral("zu groß") << QByteArray::fromHex("03f0") + "zu gro\xc3\x9f";
    }
    void closePayload()
    {
        QFETCH(int, code);
        QFETCH(QString, reason);
        QFETCH(QByteArray, payload);
        QCOMPARE(WsFrame::closePayload(quint16(code), reason), payload);
    }

    void closePayloadFitsAControlFrame()
    {
        // A control frame carries at most 125 bytes (5.5): 2 for the code, 123 for the reason,
        // cut at a character boundary so that the reason stays UTF-8.
        const QByteArray payload = WsFrame::closePayload(1011, QString(200, QChar(0x00e9)));
        QVERIFY(payload.size() <= 125);
        QVERIFY(QString::fromUtf8(payload.mid(2)).toUtf8() == payload.mid(2));
        QVERIFY(!QString::fromUtf8(payload.mid(2)).contains(QChar::ReplacementCharacter));
    }
};

QTEST_GUILESS_MAIN(tst_WsFrame)
#include "tst_wsframe.moc"
