#include "protocol/utf8.h"
#include "protocol/wsreader.h"

#include <QTest>

using namespace Pushboard;
using Kind = WsReader::Item::Kind;

namespace {

/// A client frame: FIN/RSV/opcode byte, then the length in its 7, 16 or 64-bit form, then the
/// masking key and the masked payload (or no key and the payload as is).
QByteArray frame(quint8 first, const QByteArray &payload, bool masked = true, int lengthForm = 0)
{
    QByteArray out(1, char(first));
    const quint64 length = quint64(payload.size());
    const char mask = masked ? char(0x80) : 0;
    if (lengthForm == 64 || (lengthForm == 0 && length > 0xffff)) {
        out.append(char(mask | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((length >> shift) & 0xff));
    } else if (lengthForm == 16 || (lengthForm == 0 && length >= 126)) {
        out.append(char(mask | 126));
        out.append(char(length >> 8));
        out.append(char(length & 0xff));
    } else {
        out.append(char(mask | char(length)));
    }
    if (!masked)
        return out + payload;
    const QByteArray key = QByteArray::fromHex("37fa213d");
    QByteArray body = payload;
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(body[i] ^ key[i % 4]);
    return out + key + body;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xff) + reason;
}

QString describe(const WsReader::Item &item)
{
    static const char *names[] = {"text", "binary", "ping", "pong", "close", "fail"};
    QString text = QString::fromLatin1(names[int(item.kind)]);
    if (item.kind == Kind::Close || item.kind == Kind::Fail)
        return text + QLatin1Char(' ') + QString::number(item.code);
    return text + QLatin1Char(' ') + QString::fromUtf8(item.payload);
}

} // namespace

/// RFC 6455 as a server reads it: one row per rule, each fed whole, byte by byte and in chunks
/// of 5 bytes; the items are what the server acts on (messages, pings, the close or failure code).
class tst_WsReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void read_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("items");
        const auto rows = [](std::initializer_list<const char *> list) {
            QStringList out;
            for (const char *item : list)
                out.append(QString::fromUtf8(item));
            return out;
        };
        QTest::newRow("text") << frame(0x81, "hello") << rows({"text hello"});
        QTest::newRow("binary") << frame(0x82, "\x01\x02") << rows({"binary \x01\x02"});
        QTest::newRow("16-bit length") << frame(0x81,
            QByteArray(300, 'a')) << QStringList {QStringLiteral("text ") + QString(300, u'a')};
        QTest::newRow("64-bit length") << frame(0x81,
            QByteArray(70000, 'b')) << QStringList {QStringLiteral("text ") + QString(70000, u'b')};
        QTest::newRow("64-bit form of a short length")
            << frame(0x81, "x", true, 64) << rows({"text x"});
        QTest::newRow("fragmented with a ping between") << frame(0x01, "hel") + frame(0x89, "p")
                + frame(0x00, "l") + frame(0x80, "o") << rows({"ping p", "text hello"});
        QTest::newRow("pong") << frame(0x8a, "q") << rows({"pong q"});
        QTest::newRow("close with code and reason")
            << frame(0x88, closePayload(1000, "bye")) << rows({"close 1000"});
        QTest::newRow("close without payload") << frame(0x88, {}) << rows({"close 0"});
        QTest::newRow("nothing read after close")
            << frame(0x88, closePayload(1001)) + frame(0x81, "late") << rows({"close 1001"});
        QTest::newRow("close code 3000 is valid")
            << frame(0x88, closePayload(3000)) << rows({"close 3000"});
        // Failures: 5.1, 5.2, 5.4, 5.5, 7.4, 8.1.
        QTest::newRow("unmasked frame") << frame(0x81, "hi", false) << rows({"fail 1002"});
        QTest::newRow("unmasked after a good one")
            << frame(0x81, "a") + frame(0x81, "b", false) << rows({"text a", "fail 1002"});
        QTest::newRow("rsv1 without extension") << frame(0xc1, "hi") << rows({"fail 1002"});
        QTest::newRow("rsv2") << frame(0xa1, "hi") << rows({"fail 1002"});
        QTest::newRow("rsv3") << frame(0x91, "hi") << rows({"fail 1002"});
        QTest::newRow("reserved data opcode 3") << frame(0x83, "hi") << rows({"fail 1002"});
        QTest::newRow("reserved control opcode 11") << frame(0x8b, "hi") << rows({"fail 1002"});
        QTest::newRow("control frame over 125 bytes")
            << frame(0x89, QByteArray(126, 'p')) << rows({"fail 1002"});
        QTest::newRow("fragmented control frame") << frame(0x09, "p") << rows({"fail 1002"});
        QTest::newRow("continuation without a start") << frame(0x80, "x") << rows({"fail 1002"});
        QTest::newRow("new message inside a fragmented one")
            << frame(0x01, "a") + frame(0x81, "b") << rows({"fail 1002"});
        QTest::newRow("64-bit length with the top bit set")
            << QByteArray::fromHex("81ff8000000000000001") + QByteArray(4, 'k')
            << rows({"fail 1002"});
        QTest::newRow("invalid utf-8 text") << frame(0x81, "a\xc3(") << rows({"fail 1007"});
        QTest::newRow("utf-8 split across fragments is fine")
            << frame(0x01, "caf\xc3") + frame(0x80, "\xa9") << rows({"text caf\u00e9"});
        QTest::newRow("truncated utf-8 at message end")
            << frame(0x81, "caf\xc3") << rows({"fail 1007"});
        QTest::newRow("surrogate in text") << frame(0x81, "\xed\xa0\x80") << rows({"fail 1007"});
        QTest::newRow("binary needs no utf-8") << frame(0x82, "\xff") << rows({"binary \xff"});
        QTest::newRow("close payload of one byte")
            << frame(0x88, QByteArray(1, 'x')) << rows({"fail 1002"});
        QTest::newRow("close code 1005 is reserved")
            << frame(0x88, closePayload(1005)) << rows({"fail 1002"});
        QTest::newRow("close code 999") << frame(0x88, closePayload(999)) << rows({"fail 1002"});
        QTest::newRow("close code 2000 unassigned")
            << frame(0x88, closePayload(2000)) << rows({"fail 1002"});
        QTest::newRow("close code 5000") << frame(0x88, closePayload(5000)) << rows({"fail 1002"});
        QTest::newRow("close reason not utf-8")
            << frame(0x88, closePayload(1000, "\xff")) << rows({"fail 1007"});
        QTest::newRow("frame over the limit, decided from the header")
            << QByteArray::fromHex("81ff0000000000100001") << rows({"fail 1009"});
        QTest::newRow("fragments adding up over the limit") << frame(0x01, QByteArray(60000, 'a'))
                + frame(0x80, QByteArray(50000, 'a')) << rows({"fail 1009"});
    }
    void read()
    {
        QFETCH(QByteArray, input);
        QFETCH(QStringList, items);
        for (const int chunk : {int(input.size()), 1, 5}) {
            WsReader reader(100000);
            QStringList got;
            for (qsizetype i = 0; i < input.size(); i += chunk) {
                reader.feed(
                    QByteArrayView(input).sliced(i, qMin<qsizetype>(chunk, input.size() - i)));
                while (const auto item = reader.next())
                    got.append(describe(*item));
            }
            QCOMPARE(got, items);
        }
    }

    void utf8Validity_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ascii") << QByteArray("abc") << true;
        QTest::newRow("2, 3 and 4 bytes")
            << QByteArray("\xc3\xa9\xe2\x98\x95\xf0\x9f\x98\x80") << true;
        QTest::newRow("max code point") << QByteArray("\xf4\x8f\xbf\xbf") << true;
        QTest::newRow("above max") << QByteArray("\xf4\x90\x80\x80") << false;
        QTest::newRow("overlong 2") << QByteArray("\xc0\xaf") << false;
        QTest::newRow("overlong 3") << QByteArray("\xe0\x80\xaf") << false;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
        QTest::newRow("lone continuation") << QByteArray("\x80") << false;
        QTest::newRow("truncated") << QByteArray("\xe2\x82") << false;
        QTest::newRow("f5") << QByteArray("\xf5\x80\x80\x80") << false;
    }
    void utf8Validity()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(isValidUtf8(bytes), valid);
        // The decoder agrees: no replacement exactly when valid.
        Utf8Decoder decoder;
        QString text;
        decoder.decode(bytes, text);
        decoder.finish(text);
        QCOMPARE(decoder.hadErrors(), !valid);
    }
};

QTEST_GUILESS_MAIN(tst_WsReader)
#include "tst_wsreader.moc"
