#include "protocol/httprequestparser.h"

#include <QTest>

using namespace Pushboard;

/// HTTP/1.x requests (RFC 9112) as the server parses them: each input fed whole, one byte at a
/// time and in chunks of 7 bytes; the result is the requests it yields (method, path, body) and,
/// last, the error status if it failed.
class tst_HttpRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("expected");
        const auto list = [](std::initializer_list<const char *> items) {
            QStringList out;
            for (const char *item : items)
                out.append(QString::fromUtf8(item));
            return out;
        };
        QTest::newRow("get") << QByteArray("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                             << list({"GET /a keep"});
        QTest::newRow("content-length body")
            << QByteArray("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            << list({"POST /p keep abc"});
        QTest::newRow("chunked with extension and trailer") << QByteArray(
            "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2 ; a=b\r\nab\r\n1\r\nc\r\n0\r\nT: 1\r\n\r\n") << list({"POST /p keep abc"});
        QTest::newRow("pipelined")
            << QByteArray("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: "
                          "x\r\nContent-Length: 1\r\n\r\nzGET /3 HTTP/1.0\r\n\r\n")
            << list({"GET /1 keep", "POST /2 keep z", "GET /3 close"});
        QTest::newRow("1.0 keep-alive")
            << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            << list({"GET / keep"});
        QTest::newRow("1.1 close")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            << list({"GET / close"});
        QTest::newRow("absolute-form")
            << QByteArray("GET http://h:1/p?q HTTP/1.1\r\nHost: h\r\n\r\n")
            << list({"GET /p keep"});
        QTest::newRow("asterisk OPTIONS")
            << QByteArray("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") << list({"OPTIONS / keep"});
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << list({"error 400"});
        QTest::newRow("te and cl") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                                 "1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                   << list({"error 400"});
        QTest::newRow("chunked in 1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")
            << list({"error 400"});
        QTest::newRow("decoded size over limit") << QByteArray(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n"
            + QByteArray(64, 'a') + "\r\n41\r\n") << list({"error 413"});
        QTest::newRow("huge chunk size") << QByteArray(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "ffffffffffffffffff\r\n") << list({"error 400"});
        QTest::newRow("head too long")
            << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(300, 'a')) << list({"error 431"});
        QTest::newRow("good then bad")
            << QByteArray("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/3.0\r\n\r\n")
            << list({"GET /ok keep", "error 505"});
        QTest::newRow("unknown method")
            << QByteArray("BREW / HTTP/1.1\r\nHost: x\r\n\r\n") << list({"error 501"});
        QTest::newRow("target with space byte")
            << QByteArray("GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n") << list({"error 400"});
    }
    void parse()
    {
        QFETCH(QByteArray, input);
        QFETCH(QStringList, expected);
        for (const int chunk : {int(input.size()), 1, 7}) {
            HttpRequestParser parser({256, 128});
            QStringList got;
            bool failed = false;
            for (qsizetype i = 0; i < input.size() && !failed; i += chunk) {
                parser.feed(
                    QByteArrayView(input).sliced(i, qMin<qsizetype>(chunk, input.size() - i)));
                for (;;) {
                    const auto status = parser.parse();
                    if (status == HttpRequestParser::Status::Complete) {
                        const HttpRequest r = parser.takeRequest();
                        QString line = QString::fromLatin1(r.method()) + QLatin1Char(' ')
                            + r.url().path()
                            + (r.keepAlive() ? QStringLiteral(" keep") : QStringLiteral(" close"));
                        if (!r.body().isEmpty())
                            line += QLatin1Char(' ') + QString::fromLatin1(r.body());
                        got.append(line);
                        continue;
                    }
                    if (status == HttpRequestParser::Status::Failed) {
                        got.append(QStringLiteral("error %1").arg(parser.error().status));
                        failed = true;
                    }
                    break;
                }
            }
            QCOMPARE(got, expected);
        }
    }

    void bufferedBytesAfterAnUpgradeAreKept()
    {
        HttpRequestParser parser;
        parser.feed("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, "
                    "Upgrade\r\n\r\n\x81\x80");
        QCOMPARE(parser.parse(), HttpRequestParser::Status::Complete);
        QVERIFY(parser.takeRequest().isWebSocketUpgrade());
        QCOMPARE(parser.takeBuffered(), QByteArray("\x81\x80"));
    }
};

QTEST_GUILESS_MAIN(tst_HttpRequestParser)
#include "tst_httprequestparser.moc"
