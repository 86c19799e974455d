#include "httpanswerreader.h"

#include <QTest>

#include <zlib.h>

using namespace Pushboard;

namespace {

QByteArray gzip(const QByteArray &text, int windowBits)
{
    z_stream z {};
    deflateInit2(&z, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&z, uLong(text.size()))) + 64, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
    z.avail_in = uInt(text.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.truncate(out.size() - qsizetype(z.avail_out));
    deflateEnd(&z);
    return out;
}

QByteArray chunked(const QByteArray &body)
{
    return QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
}

struct Read
{
    bool head = false;
    QByteArray body;
    QByteArray upgraded;
    bool ended = false;
};

/// Feeds `wire` to a reader in pieces of `step` bytes.
Read readAll(HttpAnswerReader &reader, const QByteArray &wire, int step)
{
    Read read;
    for (qsizetype at = 0; at < wire.size(); at += step) {
        const auto out
            = reader.feed(QByteArrayView(wire).sliced(at, qMin<qsizetype>(step, wire.size() - at)));
        read.head = read.head || out.headCompleted;
        read.body += out.body;
        read.upgraded += out.upgraded;
        read.ended = read.ended || out.bodyEnded;
    }
    return read;
}

} // namespace

/// The check's reader of HTTP/1.1 answers: framing, codings, upgrades and hostile answers, each
/// whole and split at every byte.
class TestHttpAnswerReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answers_data();
    void answers();
    void bounds_data();
    void bounds();
};

void TestHttpAnswerReader::answers_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("upgraded");
    QTest::addColumn<bool>("ended");
    QTest::addColumn<bool>("closeEnds");

    const QByteArray stream = "retry: 1000\n\nid: 1\ndata: x\n\n";
    QTest::newRow("chunked") << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(stream) << 200
                             << stream << QByteArray() << true << true;
    QTest::newRow("chunked, unfinished")
        << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(stream).chopped(5)
        << 200 << stream << QByteArray() << false << false;
    QTest::newRow("content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA") << 200
        << QByteArray("hello") << QByteArray() << true << true;
    QTest::newRow("until close") << "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
            + stream << 200 << stream
                                 << QByteArray() << false << true;
    QTest::newRow("204 has no body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << 204
                                     << QByteArray() << QByteArray() << true << true;
    QTest::newRow("101, then frames")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi")
        << 101 << QByteArray() << QByteArray("\x81\x02hi") << false << true;
    QTest::newRow("bare LF line ends") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
                                       << 200 << QByteArray("ok") << QByteArray() << true << true;
    QTest::newRow("gzip, chunked")
        << "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(gzip(stream, 15 + 16))
        << 200 << stream << QByteArray() << true << true;
    QTest::newRow("deflate (zlib)")
        << "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + gzip(stream, 15) << 200
        << stream << QByteArray() << false << true;
    const QByteArray large(200 * 1024, 'e'); // more than one 16 KiB inflate round
    QTest::newRow("gzip, larger than one round")
        << "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gzip(large, 15 + 16) << 200
        << large << QByteArray() << false << true;
}

void TestHttpAnswerReader::answers()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, upgraded);
    QFETCH(bool, ended);
    QFETCH(bool, closeEnds);
    for (const int step : {int(wire.size()), 7, 1}) {
        HttpAnswerReader reader;
        const Read read = readAll(reader, wire, step);
        QVERIFY2(!reader.hasFailed(), qPrintable(reader.errorString()));
        QVERIFY(read.head);
        QCOMPARE(reader.head().status, status);
        QCOMPARE(read.body, body);
        QCOMPARE(read.upgraded, upgraded);
        QCOMPARE(read.ended, ended);
        QCOMPARE(reader.closeEndsBody(), closeEnds);
    }
}

void TestHttpAnswerReader::bounds_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("error");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n")
                              << QStringLiteral("not an HTTP/1.1 answer");
    QTest::newRow("endless head") << "HTTP/1.1 200 OK\r\nX: " + QByteArray(70 * 1024, 'a')
                                  << QStringLiteral("not an HTTP/1.1 answer");
    QTest::newRow("bad chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        << QStringLiteral("bad chunked framing");
    QTest::newRow("bad content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n")
        << QStringLiteral("bad Content-Length");
    QTest::newRow("br") << QByteArray("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx")
                        << QStringLiteral("unsupported Content-Encoding 'br'");
    QTest::newRow("not gzip") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip at all")
                              << QStringLiteral("does not inflate");
    // 64 MiB of zeros compress to about 64 KiB: one read may not inflate past 16 MiB.
    QTest::newRow("gzip bomb") << "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n"
            + gzip(QByteArray(64 * 1024 * 1024, '\0'), 15 + 16)
                               << QStringLiteral("inflates past 16 MiB");
}

void TestHttpAnswerReader::bounds()
{
    QFETCH(QByteArray, wire);
    QFETCH(QString, error);
    HttpAnswerReader reader;
    const auto out = reader.feed(wire);
    QVERIFY(reader.hasFailed());
    QVERIFY2(reader.errorString().contains(error), qPrintable(reader.errorString()));
    QVERIFY(out.body.size() <= HttpAnswerReader::MaxInflatedBytes + 16 * 1024);
    // Nothing more is read after an error.
    QVERIFY(reader.feed("more").body.isEmpty());
}

QTEST_GUILESS_MAIN(TestHttpAnswerReader)
#include "tst_httpanswerreader.moc"
