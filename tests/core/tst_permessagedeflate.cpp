#include "protocol/permessagedeflate.h"

#include <QTest>

#include <zlib.h>

using namespace Pushboard;

namespace {

/// What a permessage-deflate sender puts in a frame: raw DEFLATE, sync-flushed, without the
/// final 00 00 ff ff (RFC 7692 7.2.1).
QByteArray deflateMessage(z_stream &z, const QByteArray &message)
{
    QByteArray out(int(message.size() + 64), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(message.data()));
    z.avail_in = uInt(message.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_SYNC_FLUSH);
    out.resize(out.size() - int(z.avail_out));
    Q_ASSERT(out.endsWith(QByteArray("\x00\x00\xff\xff", 4)));
    out.chop(4);
    return out;
}

} // namespace

/// MessageInflater and the negotiated parameters: RFC 7692's own examples, context takeover
/// across messages, a zip bomb held to the cap, and bytes that are not DEFLATE.
class tst_PerMessageDeflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcExamples()
    {
        // RFC 7692 7.2.3.1 and 7.2.3.2: "Hello" twice with context takeover; the second one
        // refers back to the first.
        MessageInflater inflater(false, 1024);
        QByteArray out;
        QVERIFY(inflater.inflate(QByteArray::fromHex("f248cdc9c90700"), out));
        QCOMPARE(out, QByteArray("Hello"));
        out.clear();
        QVERIFY(inflater.inflate(QByteArray::fromHex("f200110000"), out));
        QCOMPARE(out, QByteArray("Hello"));
        // 7.2.3.3: a message with no compression (BTYPE 00), and 7.2.3.4 with BFINAL set.
        MessageInflater plain(false, 1024);
        out.clear();
        QVERIFY(plain.inflate(QByteArray::fromHex("000500faff48656c6c6f00"), out));
        QCOMPARE(out, QByteArray("Hello"));
        MessageInflater fin(false, 1024);
        out.clear();
        QVERIFY(fin.inflate(QByteArray::fromHex("f348cdc9c9070000"), out));
        QCOMPARE(out, QByteArray("Hello"));
    }

    void contextTakeover_data()
    {
        QTest::addColumn<bool>("noContextTakeover");
        QTest::newRow("takeover") << false;
        QTest::newRow("no takeover") << true;
    }
    void contextTakeover()
    {
        QFETCH(bool, noContextTakeover);
        z_stream z {};
        QCOMPARE(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        MessageInflater inflater(noContextTakeover, 1 << 20);
        for (int i = 0; i < 5; ++i) {
            const QByteArray message = "{\"op\":\"event\",\"id\":\"" + QByteArray::number(i)
                + "\",\"topic\":\"system.cpu\",\"data\":{\"total\":12.5}}";
            const QByteArray compressed = deflateMessage(z, message);
            if (noContextTakeover)
                deflateReset(&z);
            QByteArray out;
            QVERIFY(inflater.inflate(compressed, out));
            QCOMPARE(out, message);
        }
        deflateEnd(&z);
    }

    void bombIsCapped()
    {
        z_stream z {};
        QCOMPARE(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        const QByteArray compressed = deflateMessage(z, QByteArray(4 * 1024 * 1024, '\0'));
        deflateEnd(&z);
        QVERIFY(compressed.size() < 8 * 1024);
        MessageInflater inflater(false, 1024 * 1024);
        QByteArray out;
        QVERIFY(!inflater.inflate(compressed, out));
        QVERIFY(inflater.errorString().contains(u"more than"));
        QVERIFY(out.size() <= 1024 * 1024);
    }

    void notDeflate()
    {
        MessageInflater inflater(false, 1024);
        QByteArray out;
        QVERIFY(!inflater.inflate(QByteArray::fromHex("ffffffffffff"), out));
        QVERIFY(!inflater.errorString().isEmpty());
        QVERIFY(!inflater.inflate(QByteArray::fromHex("f248cdc9c90700"), out)); // Stays failed.
    }

    void params_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<bool>("serverNoTakeover");
        QTest::addColumn<bool>("clientNoTakeover");
        QTest::addColumn<int>("clientBits");
        QTest::newRow("none") << QByteArray() << false << false << false << 15;
        QTest::newRow("other extension")
            << QByteArray("x-webkit-deflate-frame") << false << false << false << 15;
        QTest::newRow("plain") << QByteArray("permessage-deflate") << true << false << false << 15;
        QTest::newRow("parameters") << QByteArray(
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=10")
                                    << true << true << false << 10;
        QTest::newRow("quoted, second") << QByteArray(
            "foo, Permessage-Deflate;client_no_context_takeover;client_max_window_bits=\"9\"")
                                        << true << false << true << 9;
    }
    void params()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, accepted);
        QFETCH(bool, serverNoTakeover);
        QFETCH(bool, clientNoTakeover);
        QFETCH(int, clientBits);
        const auto params = PerMessageDeflateParams::fromResponse(header);
        QCOMPARE(params.has_value(), accepted);
        if (!params)
            return;
        QCOMPARE(params->serverNoContextTakeover, serverNoTakeover);
        QCOMPARE(params->clientNoContextTakeover, clientNoTakeover);
        QCOMPARE(params->clientMaxWindowBits, clientBits);
    }
};

QTEST_APPLESS_MAIN(tst_PerMessageDeflate)
#include "tst_permessagedeflate.moc"
