#include "servercapture.h"
#include "testserver.h"
#include "wire/capturelog.h"
#include "wirecapture.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

/// Server-side capture end to end: a real server on 127.0.0.1, the inspector's ServerCapture
/// reading /api/inspect/stream into a CaptureLog, and raw clients (SSE, polling, WebSocket)
/// whose bytes must arrive there decoded; nothing captured while nobody watches; a stream
/// already open when capture starts decoded from the middle; the watcher never captures itself.
class tst_ServerCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
        m_capture = m_server->host->wireCapture();
    }
    void cleanup() { m_server.reset(); }

    void capturesEveryTransport()
    {
        CaptureLog log;
        ServerCapture capture(&log);
        capture.start(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port())), {});
        QTRY_COMPARE_WITH_TIMEOUT(m_capture->subscribers(), 1, 10'000); // Watching from here.
        QVERIFY(m_capture->captureAll());
        m_server->append(2, QStringLiteral("a"));
        QTcpSocket sse;
        sse.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(sse.waitForConnected(10'000));
        sse.write("GET /events?topics=a HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 0\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            std::count_if(log.items().begin(), log.items().end(),
                [](const WireItem &i) { return i.kind == WireItem::Kind::SseEvent; })
                == 2,
            10'000);

        QTcpSocket poll;
        poll.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(poll.waitForConnected(10'000));
        poll.write("GET /api/events?after=0&topics=a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTcpSocket ws;
        ws.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(ws.waitForConnected(10'000));
        ws.write(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QTRY_VERIFY(ws.bytesAvailable() > 0);
        const QByteArray hello = "{\"op\":\"subscribe\",\"topics\":[\"a\"],\"after\":\"0\"}";
        QByteArray frame("\x81", 1);
        frame += char(0x80 | hello.size());
        const QByteArray key("\x01\x02\x03\x04", 4);
        frame += key;
        for (int i = 0; i < hello.size(); ++i)
            frame += char(hello.at(i) ^ key.at(i % 4));
        ws.write(frame);

        const auto has = [&log](WireItem::Kind kind, const QString &text) {
            return std::any_of(log.items().begin(), log.items().end(),
                [&](const WireItem &i) { return i.kind == kind && i.summary.contains(text); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(has(WireItem::Kind::Body, QStringLiteral("\"events\"")), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            has(WireItem::Kind::WsFrame, QStringLiteral("masked  {\"op\":\"subscribe\"")), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            has(WireItem::Kind::WsFrame, QStringLiteral("\"op\":\"event\"")), 10'000);
        QVERIFY(has(WireItem::Kind::RequestHead, QStringLiteral("Last-Event-ID: 0")));
        QVERIFY(has(WireItem::Kind::SseEvent, QStringLiteral("a id 1")));
        QVERIFY(has(WireItem::Kind::ResponseHead, QStringLiteral("101 Switching Protocols")));
        // The accept the server sent is checked like any other.
        for (const WireItem &item : log.items()) {
            if (item.kind == WireItem::Kind::ResponseHead && item.head->status == 101) {
                QVERIFY(std::any_of(item.fields.begin(), item.fields.end(), [](const WireField &f) {
                    return f.name == u"accept check" && f.value == u"matches the key";
                }));
            }
            QVERIFY2(item.kind != WireItem::Kind::Malformed, qPrintable(item.summary));
            QVERIFY(!item.summary.contains(u"/api/inspect/stream")); // The watcher's own bytes.
        }
        // Closing shows as a close.
        poll.disconnectFromHost();
        const auto closedPoll = [&log] {
            const QList<const WireConnection *> connections = log.connections();
            return std::any_of(connections.begin(), connections.end(), [](const WireConnection *c) {
                return !c->isOpen() && c->transport == WireConversation::Transport::Poll;
            });
        };
        QTRY_VERIFY(closedPoll());
    }

    void nothingWhileNobodyWatches()
    {
        QVERIFY(m_capture);
        QSignalSpy bytes(m_capture, &WireCapture::bytes);
        m_capture->setCaptureAll(true); // On, but no watcher.
        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/health").arg(m_server->port()))));
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(bytes.size(), 0);
        reply->deleteLater();
    }

    void joinsAStreamMidway()
    {
        m_server->append(1, QStringLiteral("a"));
        QTcpSocket sse;
        sse.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(sse.waitForConnected(10'000));
        sse.write("GET /events?topics=a HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 0\r\n\r\n");
        QByteArray got;
        QTRY_VERIFY2((got += sse.readAll()).contains("id: 1"),
            got.constData()); // Replayed before anyone watches.

        CaptureLog log;
        ServerCapture capture(&log);
        capture.start(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port())), {});
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(log.marks().begin(), log.marks().end(),
                [](const WireMark &m) { return m.text.contains(u"mid-stream (sse)"); }),
            10'000);
        m_server->append(1, QStringLiteral("a"));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(log.items().begin(), log.items().end(),
                                     [](const WireItem &i) {
                                         return i.kind == WireItem::Kind::SseEvent
                                             && i.event->lastEventId == u"2";
                                     }),
            10'000);
        for (const WireItem &item : log.items())
            QVERIFY2(item.kind != WireItem::Kind::Malformed, qPrintable(item.summary));
    }

    void badControlIsRefused()
    {
        QNetworkAccessManager nam;
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/inspect").arg(m_server->port())));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        for (const QByteArray &body : {QByteArray("nope"), QByteArray("{\"capture\":\"some\"}"),
                 QByteArray("{\"connection\":99999,\"capture\":true}")}) {
            QNetworkReply *reply = nam.post(request, body);
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 400);
            QVERIFY(reply->readAll().contains("\"error\""));
            reply->deleteLater();
        }
    }

private:
    std::unique_ptr<TestServer> m_server;
    WireCapture *m_capture = nullptr;
};

QTEST_GUILESS_MAIN(tst_ServerCapture)
#include "tst_servercapture.moc"
