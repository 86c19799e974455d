#include "protocol/sseparser.h"

#include <QTest>

using namespace Pushboard;

Q_DECLARE_METATYPE(Pushboard::SseMessage)

namespace {

/// An event; by default its own block set the id exactly when the id is not empty.
SseMessage msg(const char *type, const QString &data, const char *id = "", int ownId = -1)
{
    const QString lastEventId = QString::fromUtf8(id);
    return SseMessage {QString::fromUtf8(type), data, lastEventId,
        ownId < 0 ? !lastEventId.isEmpty() : ownId == 1};
}

} // namespace

/// The WHATWG "Server-sent events" parsing rules, one row per rule, each input fed whole, one byte
/// at a time, and in chunks of three bytes (so that CRLF pairs and UTF-8 sequences are split).
class tst_SseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QList<SseMessage>>("expected");
        QTest::addColumn<QString>("lastEventId");
        QTest::addColumn<qint64>("retry"); // -1: none

        QTest::newRow("simple") << QByteArray("data: hello\n\n")
                                << QList<SseMessage> {msg("message", QStringLiteral("hello"))}
                                << QString() << qint64(-1);
        QTest::newRow("named event with id")
            << QByteArray("id: 7\nevent: tick\ndata: {}\n\n")
            << QList<SseMessage> {msg("tick", QStringLiteral("{}"), "7")} << QStringLiteral("7")
            << qint64(-1);
        QTest::newRow("CRLF line ends")
            << QByteArray("data: a\r\ndata: b\r\n\r\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a\nb"))} << QString()
            << qint64(-1);
        QTest::newRow("CR line ends") << QByteArray("data: a\rdata: b\r\r")
                                      << QList<SseMessage> {msg("message", QStringLiteral("a\nb"))}
                                      << QString() << qint64(-1);
        QTest::newRow("mixed line ends")
            << QByteArray("data: a\r\ndata: b\rdata: c\n\r\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a\nb\nc"))} << QString()
            << qint64(-1);
        QTest::newRow("data lines joined, last LF removed")
            << QByteArray("data: 1\ndata:\ndata: 3\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("1\n\n3"))} << QString()
            << qint64(-1);
        QTest::newRow("only one leading space stripped")
            << QByteArray("data:  two\ndata:none\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral(" two\nnone"))} << QString()
            << qint64(-1);
        QTest::newRow("field without colon")
            << QByteArray("data\n\n") << QList<SseMessage> {msg("message", QString())} << QString()
            << qint64(-1);
        QTest::newRow("field without colon then data")
            << QByteArray("data\ndata: x\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("\nx"))} << QString() << qint64(-1);
        QTest::newRow("empty data is not dispatched")
            << QByteArray("event: x\n\ndata: y\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("y"))} << QString() << qint64(-1);
        QTest::newRow("comments ignored")
            << QByteArray(": hi\n:\ndata: x\n: between\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("x"))} << QString() << qint64(-1);
        QTest::newRow("unknown fields ignored")
            << QByteArray("foo: bar\nData: no\ndata: yes\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("yes"))} << QString() << qint64(-1);
        QTest::newRow("id kept across events")
            << QByteArray("id: 1\ndata: a\n\ndata: b\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1"),
                   msg("message", QStringLiteral("b"), "1", false)}
            << QStringLiteral("1") << qint64(-1);
        QTest::newRow("events without id carry the last one, not as their own")
            << QByteArray("id: 1\ndata: a\n\ndata: b\n\nevent: x\ndata: c\n\nid: 2\ndata: d\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1"),
                   msg("message", QStringLiteral("b"), "1", false),
                   msg("x", QStringLiteral("c"), "1", false),
                   msg("message", QStringLiteral("d"), "2")}
            << QStringLiteral("2") << qint64(-1);
        QTest::newRow("empty id resets")
            << QByteArray("id: 1\ndata: a\n\nid\ndata: b\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1"),
                   msg("message", QStringLiteral("b"), "", true)}
            << QString() << qint64(-1);
        QTest::newRow("empty id value resets")
            << QByteArray("id: 1\ndata: a\n\nid:\ndata: b\n\ndata: c\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1"),
                   msg("message", QStringLiteral("b"), "", true),
                   msg("message", QStringLiteral("c"), "", false)}
            << QString() << qint64(-1);
        QTest::newRow("empty id without data resets")
            << QByteArray("id: 1\ndata: a\n\nid: \n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1")} << QString()
            << qint64(-1);
        QTest::newRow("id with NULL ignored")
            << (QByteArray("id: 1\ndata: a\n\nid: 2") + '\0' + QByteArray("3\ndata: b\n\n"))
            << QList<SseMessage> {msg("message", QStringLiteral("a"), "1"),
                   msg("message", QStringLiteral("b"), "1", false)}
            << QStringLiteral("1") << qint64(-1);
        QTest::newRow("id without data still sets lastEventId")
            << QByteArray("id: 9\n\n") << QList<SseMessage> {} << QStringLiteral("9") << qint64(-1);
        QTest::newRow("retry digits")
            << QByteArray("retry: 3500\n\n") << QList<SseMessage> {} << QString() << qint64(3500);
        QTest::newRow("retry not digits ignored")
            << QByteArray("retry: 1000\nretry: 12a\nretry: -5\nretry:\nretry: 2.5\n\n")
            << QList<SseMessage> {} << QString() << qint64(1000);
        QTest::newRow("retry too long for 64 bits saturates")
            << QByteArray("retry: 99999999999999999999999999\n\n") << QList<SseMessage> {}
            << QString() << std::numeric_limits<qint64>::max();
        QTest::newRow("event type reset after dispatch")
            << QByteArray("event: a\ndata: 1\n\ndata: 2\n\n")
            << QList<SseMessage> {msg("a", QStringLiteral("1")),
                   msg("message", QStringLiteral("2"))}
            << QString() << qint64(-1);
        QTest::newRow("unterminated last event dropped")
            << QByteArray("data: a\n\ndata: b\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a"))} << QString() << qint64(-1);
        QTest::newRow("leading BOM ignored")
            << QByteArray("\xef\xbb\xbf"
                          "data: x\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("x"))} << QString() << qint64(-1);
        QTest::newRow("second BOM kept") << QByteArray("\xef\xbb\xbf\xef\xbb\xbf"
                                                       "data: x\n\n")
                                         << QList<SseMessage> {} << QString() << qint64(-1);
        QTest::newRow("utf-8") << QByteArray("data: caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80\n\n")
                               << QList<SseMessage> {msg(
                                      "message", QStringLiteral("caf\u00e9 \u2615 \U0001F600"))}
                               << QString() << qint64(-1);
        QTest::newRow("invalid utf-8 replaced") << QByteArray(
            "data: a\xff"
            "b\xc3\n\n") << QList<SseMessage> {msg("message", QStringLiteral("a\ufffdb\ufffd"))}
                                                << QString() << qint64(-1);
        // The Encoding standard's decoder: one U+FFFD per maximal subpart of a bad sequence.
        QTest::newRow("truncated 3-byte sequence before LF")
            << QByteArray("data: \xe2\x82\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("\ufffd"))} << QString()
            << qint64(-1);
        QTest::newRow("truncated 4-byte sequence before CR")
            << QByteArray("data: a\xf0\x9f\x98\rdata: b\r\r")
            << QList<SseMessage> {msg("message", QStringLiteral("a\ufffd\nb"))} << QString()
            << qint64(-1);
        QTest::newRow("truncated sequence before ASCII")
            << QByteArray("data: \xe2\x82x\xc3y\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("\ufffdx\ufffdy"))} << QString()
            << qint64(-1);
        QTest::newRow("overlong and surrogate bytes one each")
            << QByteArray("data: \xc0\xaf|\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80\n\n")
            << QList<SseMessage> {msg("message",
                   QStringLiteral("\ufffd\ufffd|\ufffd\ufffd\ufffd|\ufffd\ufffd\ufffd|"
                                  "\ufffd\ufffd\ufffd\ufffd"))}
            << QString() << qint64(-1);
        QTest::newRow("lone continuation bytes")
            << QByteArray("data: \x80\xbf\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("\ufffd\ufffd"))} << QString()
            << qint64(-1);
        QTest::newRow("truncated sequence in an id")
            << QByteArray("id: \xe2\x82\ndata: x\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("x"), "\ufffd")}
            << QStringLiteral("\ufffd") << qint64(-1);
        QTest::newRow("colon in value kept")
            << QByteArray("data: a: b\n\n")
            << QList<SseMessage> {msg("message", QStringLiteral("a: b"))} << QString()
            << qint64(-1);
        QTest::newRow("pushboard event")
            << QByteArray("retry: 2000\n\nid: 5\nevent: system.load\ndata: "
                          "{\"time\":1,\"data\":{\"1m\":0.5}}\n\n")
            << QList<SseMessage> {msg(
                   "system.load", QStringLiteral("{\"time\":1,\"data\":{\"1m\":0.5}}"), "5")}
            << QStringLiteral("5") << qint64(2000);
    }
    void parse()
    {
        QFETCH(QByteArray, input);
        QFETCH(QList<SseMessage>, expected);
        QFETCH(QString, lastEventId);
        QFETCH(qint64, retry);
        // The "second BOM kept" row: the second BOM is part of the field name, so no data.
        for (const int chunk : {int(input.size()), 1, 3}) {
            SseParser parser;
            QList<SseMessage> got;
            for (qsizetype i = 0; i < input.size(); i += chunk)
                got += parser.feed(
                    QByteArrayView(input).sliced(i, qMin<qsizetype>(chunk, input.size() - i)));
            QCOMPARE(got.size(), expected.size());
            for (qsizetype i = 0; i < got.size(); ++i) {
                QCOMPARE(got.at(i).type, expected.at(i).type);
                QCOMPARE(got.at(i).data, expected.at(i).data);
                QCOMPARE(got.at(i).lastEventId, expected.at(i).lastEventId);
                QCOMPARE(got.at(i).ownId, expected.at(i).ownId);
            }
            QCOMPARE(parser.lastEventId(), lastEventId);
            QCOMPARE(parser.retry().value_or(-1), retry);
        }
    }

    void resetKeepsLastEventIdAndStripsTheNextBom()
    {
        SseParser parser;
        parser.feed("id: 3\ndata: a\n\ndata: half");
        parser.reset();
        QCOMPARE(parser.lastEventId(), QStringLiteral("3"));
        const auto events = parser.feed("\xef\xbb\xbf"
                                        "data: b\n\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).data, QStringLiteral("b")); // "half" was not joined in
        QCOMPARE(events.at(0).lastEventId, QStringLiteral("3"));
    }

    void bufferCap_data()
    {
        QTest::addColumn<QByteArray>("prefix");
        QTest::addColumn<QByteArray>("unit"); // repeated without end
        QTest::newRow("endless line") << QByteArray("data: ") << QByteArray("x");
        QTest::newRow("endless comment") << QByteArray(":") << QByteArray("x");
        QTest::newRow("endless data lines") << QByteArray() << QByteArray("data: 0123456789\n");
        QTest::newRow("endless field name") << QByteArray() << QByteArray("d");
    }
    void bufferCap()
    {
        QFETCH(QByteArray, prefix);
        QFETCH(QByteArray, unit);
        const qsizetype cap = 64 * 1024;
        SseParser parser(cap);
        QVERIFY(parser.feed(QByteArray("data: before\n\n" + prefix)).size() == 1);
        const QByteArray chunk = unit.repeated(1000);
        qsizetype fed = 0;
        while (!parser.hasFailed() && fed < 4 * cap) {
            QVERIFY(parser.feed(chunk).isEmpty());
            fed += chunk.size();
        }
        QVERIFY(parser.hasFailed());
        QVERIFY(fed <= 2 * cap + chunk.size()); // failed soon after the cap was passed
        QVERIFY(parser.errorString().contains(QStringLiteral("65536")));
        // Nothing more is parsed until reset() (a new connection).
        QVERIFY(parser.feed("\n\ndata: after\n\n").isEmpty());
        parser.reset();
        QVERIFY(!parser.hasFailed());
        QCOMPARE(parser.feed("data: after\n\n").size(), 1);
    }

    void severalMegabytesAreFine()
    {
        SseParser parser; // The default cap.
        const QByteArray big(5 * 1024 * 1024, 'y');
        const auto events = parser.feed(QByteArray("data: " + big + "\ndata: " + big + "\n\n"));
        QVERIFY(!parser.hasFailed());
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).data.size(), 2 * big.size() + 1);
    }

    void commentsCounted()
    {
        SseParser parser;
        parser.feed(": keepalive\n\n: keepalive\n\n");
        QCOMPARE(parser.comments(), 2);
    }
};

QTEST_GUILESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
