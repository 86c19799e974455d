#include "protocol/httphead.h"

#include <QTest>

using namespace Pushboard;

/// parseHttpHead(): request and response heads as peers send them, every prefix of a head
/// still waiting for more, and what is not a head named as such.
class tst_HttpHead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void complete_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("request");
        QTest::addColumn<QByteArray>("startLine");
        QTest::addColumn<int>("headers");
        QTest::addColumn<int>("size");
        const QByteArray sse
            = "GET /events?topics=a HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 42\r\n\r\n";
        QTest::newRow("request") << sse + "rest" << true
                                 << QByteArray("GET /events?topics=a HTTP/1.1") << 2
                                 << int(sse.size());
        QTest::newRow("request, bare LF") << QByteArray("GET / HTTP/1.0\nHost: x\n\n") << true
                                          << QByteArray("GET / HTTP/1.0") << 1 << 24;
        QTest::newRow("leading empty line") << QByteArray("\r\nGET / HTTP/1.1\r\n\r\n") << true
                                            << QByteArray("GET / HTTP/1.1") << 0 << 20;
        QTest::newRow("response") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n")
                                  << false << QByteArray("HTTP/1.1 200 OK") << 1 << 52;
        QTest::newRow("response, no reason")
            << QByteArray("HTTP/1.1 204\r\n\r\n") << false << QByteArray("HTTP/1.1 204") << 0 << 16;
        QTest::newRow("101") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
                                           "websocket\r\nConnection: Upgrade\r\n\r\n\x81\x00")
                             << false << QByteArray("HTTP/1.1 101 Switching Protocols") << 2 << 77;
        QTest::newRow("empty value") << QByteArray("HTTP/1.1 200 OK\r\nX-Empty:\r\n\r\n") << false
                                     << QByteArray("HTTP/1.1 200 OK") << 1 << 29;
    }
    void complete()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, request);
        QFETCH(QByteArray, startLine);
        QFETCH(int, headers);
        QFETCH(int, size);
        const HttpHeadResult r = parseHttpHead(bytes, request, 1024);
        QCOMPARE(r.status, HttpHeadResult::Status::Complete);
        QCOMPARE(r.head.startLine(), startLine);
        QCOMPARE(r.head.headers.size(), headers);
        QCOMPARE(r.head.size, size);
        // Every shorter prefix needs more bytes: the decoder may be called on each read.
        for (int k = 0; k < size; ++k)
            QCOMPARE(parseHttpHead(QByteArrayView(bytes).first(k), request, 1024).status,
                HttpHeadResult::Status::NeedMore);
    }

    void fields()
    {
        const HttpHeadResult r = parseHttpHead(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept:  abc= \r\n\r\n",
            false, 1024);
        QCOMPARE(r.status, HttpHeadResult::Status::Complete);
        QCOMPARE(r.head.status, 101);
        QCOMPARE(r.head.reasonPhrase, QByteArray("Switching Protocols"));
        QCOMPARE(r.head.value("sec-websocket-accept"), QByteArray("abc="));
        QVERIFY(r.head.hasToken("connection", "UPGRADE"));
        QVERIFY(!r.head.hasToken("connection", "close"));
        QVERIFY(r.head.has("Upgrade"));
        QVERIFY(!r.head.has("Content-Length"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("request");
        QTest::newRow("no target") << QByteArray("GET HTTP/1.1\r\n\r\n") << true;
        QTest::newRow("bad version") << QByteArray("GET / HTTX/1.1\r\n\r\n") << true;
        QTest::newRow("method not a token") << QByteArray("G(T / HTTP/1.1\r\n\r\n") << true;
        QTest::newRow("status not digits") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << false;
        QTest::newRow("status four digits") << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << false;
        QTest::newRow("tls hello to a client")
            << QByteArray("\x16\x03\x01\x02\x00\x01", 6) << false;
        QTest::newRow("header without colon")
            << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << true;
        QTest::newRow("space before colon")
            << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << true;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n") << true;
        QTest::newRow("too long") << QByteArray("GET / HTTP/1.1\r\nA: ") + QByteArray(2000, 'x')
                                  << true;
        QTest::newRow("too long, one line") << QByteArray(2000, 'G') << true;
    }
    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, request);
        const HttpHeadResult r = parseHttpHead(bytes, request, 1024);
        QCOMPARE(r.status, HttpHeadResult::Status::Malformed);
        QVERIFY(!r.error.isEmpty());
    }
};

QTEST_APPLESS_MAIN(tst_HttpHead)
#include "tst_httphead.moc"
