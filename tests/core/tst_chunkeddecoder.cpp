#include "protocol/chunkeddecoder.h"

#include <QTest>

using namespace Pushboard;

/// ChunkedDecoder: bodies in the chunked coding (RFC 9112 7.1), whole and split at every byte,
/// with extensions and trailers skipped, the bytes after the body left alone, and bad framing.
class tst_ChunkedDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decode_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("chunks");
        QTest::newRow("one chunk")
            << QByteArray("5\r\nhello\r\n0\r\n\r\n") << QByteArray("hello") << 1;
        QTest::newRow("two chunks, hex sizes")
            << QByteArray("A\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n")
            << QByteArray("0123456789abcdefghijklmnopqrstuvwxyz") << 2;
        QTest::newRow("extension and trailer")
            << QByteArray("3;name=value\r\nabc\r\n0;last\r\nX-Trailer: 1\r\n\r\n")
            << QByteArray("abc") << 1;
        QTest::newRow("bare LF") << QByteArray("2\nhi\n0\n\n") << QByteArray("hi") << 1;
        QTest::newRow("empty body") << QByteArray("0\r\n\r\n") << QByteArray() << 0;
        QTest::newRow("CRLF inside data")
            << QByteArray("4\r\n\r\n\r\n\r\n0\r\n\r\n") << QByteArray("\r\n\r\n") << 1;
    }
    void decode()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QByteArray, body);
        QFETCH(int, chunks);
        const QByteArray next = "GET / HTTP/1.1\r\n";
        const QByteArray all = wire + next;
        for (int split = 0; split <= all.size(); ++split) {
            ChunkedDecoder decoder;
            QByteArray out;
            qsizetype used = decoder.feed(QByteArrayView(all).first(split), out);
            if (!decoder.isDone())
                used += decoder.feed(QByteArrayView(all).sliced(split), out);
            QVERIFY2(decoder.isDone(), qPrintable(QString::number(split)));
            QCOMPARE(out, body);
            QCOMPARE(decoder.chunks(), chunks);
            QCOMPARE(used, wire.size()); // The next message's bytes are not the body's.
            QCOMPARE(decoder.framingBytes(), wire.size() - body.size());
        }
        // And one byte at a time.
        ChunkedDecoder decoder;
        QByteArray out;
        for (const char c : wire)
            QCOMPARE(decoder.feed(QByteArrayView(&c, 1), out), 1);
        QVERIFY(decoder.isDone());
        QCOMPARE(out, body);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("size not hex") << QByteArray("zz\r\n");
        QTest::newRow("empty size") << QByteArray("\r\n");
        QTest::newRow("no CRLF after data") << QByteArray("2\r\nhiX\r\n");
        QTest::newRow("size overflows") << QByteArray("fffffffffffffffffff\r\n");
        QTest::newRow("endless size line") << QByteArray(2000, '1');
    }
    void errors()
    {
        QFETCH(QByteArray, wire);
        ChunkedDecoder decoder;
        QByteArray out;
        decoder.feed(wire, out);
        QVERIFY(decoder.hasFailed());
        QVERIFY(!decoder.errorString().isEmpty());
        QVERIFY(!decoder.isDone());
        QCOMPARE(decoder.feed("0\r\n\r\n", out), 0); // Failed stays failed.
    }
};

QTEST_APPLESS_MAIN(tst_ChunkedDecoder)
#include "tst_chunkeddecoder.moc"
