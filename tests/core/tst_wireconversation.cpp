#include "wire/wireconversation.h"

#include <QFile>
#include <QTest>

using namespace Pushboard;

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("data/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

/// Items as comparable text: direction, kind and summary; and the raw bytes per direction.
struct Decoded
{
    QStringList lines;
    QByteArray raw[2];
    QList<WireItem> items;
};

Decoded collect(const QList<WireItem> &items, Decoded decoded = {})
{
    for (const WireItem &item : items) {
        decoded.lines.append(
            QStringLiteral("%1 %2 %3")
                .arg(item.direction == WireDirection::ToServer ? QStringLiteral(">")
                                                               : QStringLiteral("<"))
                .arg(item.kindName(), item.summary));
        decoded.raw[int(item.direction)] += item.raw;
        decoded.items.append(item);
    }
    return decoded;
}

/// The request, then the response split in two at `split` (bytes of each direction in order,
/// the request first: a server answers what it read).
Decoded decode(const QByteArray &request, const QByteArray &response, qsizetype split,
    WireConversation::Transport *transport = nullptr)
{
    WireConversation conversation;
    Decoded d = collect(conversation.feed(WireDirection::ToServer, request, 1));
    d = collect(
        conversation.feed(WireDirection::ToClient, QByteArrayView(response).first(split), 2), d);
    d = collect(
        conversation.feed(WireDirection::ToClient, QByteArrayView(response).sliced(split), 3), d);
    d = collect(conversation.finish(4), d);
    if (transport)
        *transport = conversation.transport();
    return d;
}

const QByteArray handshake
    = "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const QByteArray accepted
    = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

QStringList strings(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

} // namespace

/// WireConversation on sessions captured from a real Pushboard server (SSE with replay, two
/// polls on one kept-alive connection, a WebSocket with fragments, a ping and a close), on
/// RFC 6455's and RFC 7692's examples, and on bytes that are not what they claim; every
/// session decoded the same however its bytes are split.
class tst_WireConversation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameAtEverySplit_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("sse") << QStringLiteral("sse-replay");
        QTest::newRow("poll") << QStringLiteral("poll-keepalive");
        QTest::newRow("ws") << QStringLiteral("ws-session");
    }
    void sameAtEverySplit()
    {
        QFETCH(QString, name);
        const QByteArray request = fixture(name + QStringLiteral(".request"));
        const QByteArray response = fixture(name + QStringLiteral(".response"));
        const Decoded whole = decode(request, response, 0);
        QVERIFY(whole.lines.size() > 2);
        for (qsizetype split = 1; split <= response.size(); ++split) {
            const Decoded part = decode(request, response, split);
            if (part.lines != whole.lines)
                QFAIL(qPrintable(QStringLiteral("split %1 differs").arg(split)));
        }
        // Splitting the request too (here one byte at a time) changes nothing either.
        WireConversation conversation;
        Decoded bytewise;
        for (const char c : request)
            bytewise = collect(
                conversation.feed(WireDirection::ToServer, QByteArrayView(&c, 1), 1), bytewise);
        bytewise = collect(conversation.feed(WireDirection::ToClient, response, 2), bytewise);
        bytewise = collect(conversation.finish(3), bytewise);
        QCOMPARE(bytewise.lines, whole.lines);
    }

    void sseReplay()
    {
        WireConversation::Transport transport;
        const QByteArray response = fixture(QStringLiteral("sse-replay.response"));
        const Decoded d
            = decode(fixture(QStringLiteral("sse-replay.request")), response, 0, &transport);
        QCOMPARE(transport, WireConversation::Transport::Sse);
        QCOMPARE(d.items.first().kind, WireItem::Kind::RequestHead);
        QVERIFY(d.items.first().summary.contains(u"Last-Event-ID: 3"));
        QCOMPARE(d.items.at(1).kind, WireItem::Kind::ResponseHead);
        QCOMPARE(d.items.at(2).kind, WireItem::Kind::SseFields);
        QCOMPARE(d.items.at(2).retryMs, 2000);
        const WireItem &first = d.items.at(3);
        QCOMPARE(first.kind, WireItem::Kind::SseEvent);
        QCOMPARE(first.event->type, QStringLiteral("system.load"));
        QCOMPARE(first.event->lastEventId, QStringLiteral("5"));
        QVERIFY(first.event->ownId);
        QVERIFY(first.payload.startsWith("{\"time\":"));
        // The SSE body's bytes are all accounted for, in order, after the head.
        const qsizetype headSize = d.items.at(1).raw.size();
        QCOMPARE(d.items.at(1).raw + d.raw[1].sliced(headSize), response);
        QCOMPARE(d.raw[1], response);
        // The capture ended inside an event: shown, but not dispatched.
        QVERIFY(d.items.last().summary.contains(u"not dispatched")
            || d.items.last().kind != WireItem::Kind::SseEvent);
    }

    void pollKeepAlive()
    {
        WireConversation::Transport transport;
        const Decoded d = decode(fixture(QStringLiteral("poll-keepalive.request")),
            fixture(QStringLiteral("poll-keepalive.response")), 0, &transport);
        QCOMPARE(transport, WireConversation::Transport::Poll);
        QStringList kinds;
        for (const WireItem &item : d.items)
            kinds.append(item.kindName());
        QCOMPARE(kinds,
            (strings({"http request", "http request", "http response", "http body", "http response",
                "http body"})));
        QVERIFY(d.items.at(3).payload.startsWith("{\"events\":[{\"id\":\"2\""));
        QCOMPARE(d.items.at(3).wireSize, 211);
    }

    void webSocketSession()
    {
        WireConversation::Transport transport;
        const Decoded d = decode(fixture(QStringLiteral("ws-session.request")),
            fixture(QStringLiteral("ws-session.response")), 0, &transport);
        QCOMPARE(transport, WireConversation::Transport::WebSocket);
        QStringList kinds;
        for (const WireItem &item : d.items)
            kinds.append(item.kindName());
        QCOMPARE(kinds.mid(0, 5),
            (strings({"http request", "http response", "ws text", "ws ping", "ws continuation"})));
        // The accept value is checked against the key the client sent.
        bool checked = false;
        for (const WireField &field : d.items.at(1).fields)
            checked
                = checked || (field.name == u"accept check" && field.value == u"matches the key");
        QVERIFY(checked);
        // The client's fragmented subscribe: masked, reassembled at FIN, a ping in between.
        const WireItem &fragment = d.items.at(2);
        QVERIFY(fragment.frame->masked);
        QVERIFY(!fragment.frame->fin);
        QCOMPARE(fragment.frame->maskingKey, QByteArray("\x37\xfa\x21\x3d", 4));
        const WireItem &last = d.items.at(4);
        QVERIFY(last.completesMessage);
        QVERIFY(last.payload.startsWith("{\"op\": \"subscribe\""));
        // The server's side: unmasked; a pong echoing "hi"; the close echoed with 1000.
        bool pong = false;
        bool closeSeen = false;
        for (const WireItem &item : d.items) {
            if (item.direction != WireDirection::ToClient || !item.frame)
                continue;
            QVERIFY(!item.frame->masked);
            pong = pong || (item.frame->opcode == WsFrame::Pong && item.payload == "hi");
            closeSeen
                = closeSeen || (item.frame->opcode == WsFrame::Close && item.closeCode == 1000);
        }
        QVERIFY(pong);
        QVERIFY(closeSeen);
        QCOMPARE(d.raw[0], fixture(QStringLiteral("ws-session.request")));
        QCOMPARE(d.raw[1], fixture(QStringLiteral("ws-session.response")));
    }

    void rfc6455Examples_data()
    {
        QTest::addColumn<QByteArray>("toServer");
        QTest::addColumn<QByteArray>("toClient");
        QTest::addColumn<QStringList>("summaries");
        // RFC 6455 5.7.
        QTest::newRow("unmasked text") << QByteArray() << QByteArray::fromHex("810548656c6c6f")
                                       << strings({"< ws text text 5 B  Hello"});
        QTest::newRow("masked text")
            << QByteArray::fromHex("818537fa213d7f9f4d5158") << QByteArray()
            << strings({"> ws text text 5 B masked  Hello"});
        QTest::newRow("fragmented") << QByteArray() << QByteArray::fromHex("010348656c80026c6f")
                                    << strings({"< ws text text 3 B (more follows)",
                                           "< ws continuation continuation 2 B  Hello"});
        QTest::newRow("ping and masked pong")
            << QByteArray::fromHex("8a8537fa213d7f9f4d5158")
            << QByteArray::fromHex("890548656c6c6f")
            << strings({"> ws pong pong 5 B masked  Hello", "< ws ping ping 5 B  Hello"});
        QTest::newRow("256 bytes, 16-bit length")
            << QByteArray() << QByteArray::fromHex("827e0100") + QByteArray(256, 'x')
            << strings({"< ws binary binary 256 B"});
        QTest::newRow("64 KiB, 64-bit length")
            << QByteArray() << QByteArray::fromHex("827f0000000000010000") + QByteArray(65536, 'x')
            << strings({"< ws binary binary 65536 B"});
        // RFC 7692 7.2.3.1: "Hello" compressed, on a connection that accepted the extension.
        QTest::newRow("deflated") << QByteArray() << QByteArray::fromHex("c107f248cdc9c90700")
                                  << strings(
                                         {"< ws text text 7 B (deflated, 5 B inflated)  Hello"});
        QTest::newRow("close with reason")
            << QByteArray() << QByteArray::fromHex("880603e9627965") + "!"
            << strings({"< ws close close 6 B: 1001 going away (server shutting down, page left) "
                        "\"bye!\""});
        QTest::newRow("64-bit length, top bit set")
            << QByteArray() << QByteArray::fromHex("827f8000000000000001")
            << strings({"< malformed malformed: a 64-bit payload length with its most significant "
                        "bit set (RFC 6455 5.2)"});
    }
    void rfc6455Examples()
    {
        QFETCH(QByteArray, toServer);
        QFETCH(QByteArray, toClient);
        QFETCH(QStringList, summaries);
        WireConversation conversation;
        conversation.feed(WireDirection::ToServer, handshake, 1);
        const QByteArray response = accepted
            + (QByteArray(QTest::currentDataTag()) == "deflated"
                    ? QByteArray("Sec-WebSocket-Extensions: permessage-deflate\r\n")
                    : QByteArray())
            + "\r\n";
        QCOMPARE(conversation.feed(WireDirection::ToClient, response, 2).size(), 1);
        Decoded d = collect(conversation.feed(WireDirection::ToServer, toServer, 3));
        // Byte by byte from the server: frames complete on their last byte.
        for (const char c : toClient)
            d = collect(conversation.feed(WireDirection::ToClient, QByteArrayView(&c, 1), 4), d);
        d = collect(conversation.finish(5), d);
        QCOMPARE(d.lines, summaries);
    }

    void wrongAcceptIsNamed()
    {
        WireConversation conversation;
        conversation.feed(WireDirection::ToServer, handshake, 1);
        const QList<WireItem> items = conversation.feed(WireDirection::ToClient,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
            "Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n",
            2);
        QCOMPARE(items.size(), 1);
        bool wrong = false;
        for (const WireField &field : items.first().fields)
            wrong = wrong
                || (field.name == u"accept check"
                    && field.value.startsWith(u"WRONG: expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        QVERIFY(wrong);
    }

    void refusedUpgradeStaysHttp()
    {
        WireConversation conversation;
        Decoded d = collect(conversation.feed(WireDirection::ToServer,
            QByteArray(handshake + "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"), 1));
        QCOMPARE(d.lines.size(), 1); // The second request waits: is it HTTP or a frame?
        d = collect(conversation.feed(WireDirection::ToClient,
                        "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\n{}", 2),
            d);
        QCOMPARE(d.lines.size(), 4);
        QCOMPARE(d.items.at(2).kind, WireItem::Kind::RequestHead);
        QCOMPARE(d.items.at(2).head->target, QByteArray("/api/health"));
    }

    void chunkedSse()
    {
        WireConversation conversation;
        conversation.feed(WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", 1);
        const QByteArray body = "id: 1\ndata: a\n\n: ka\n\n";
        QByteArray wire = "HTTP/1.1 200 OK\r\nContent-Type: "
                          "text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        wire += "7\r\nid: 1\nd\r\n";
        wire += QByteArray::number(body.size() - 7, 16) + "\r\n" + body.sliced(7) + "\r\n0\r\n\r\n";
        const Decoded d = collect(conversation.feed(WireDirection::ToClient, wire, 2));
        QCOMPARE(d.lines,
            (strings({"< http response HTTP/1.1 200 OK  text/event-stream",
                "< sse event message id 1: a", "< sse comment : ka"})));
    }

    void hostilePeers_data()
    {
        QTest::addColumn<QByteArray>("toServer");
        QTest::addColumn<QByteArray>("toClient");
        QTest::addColumn<QStringList>("kinds");
        QTest::newRow("tls to a plain server")
            << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << QByteArray()
            << strings({"malformed"});
        QTest::newRow("not http back")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            << QByteArray("SSH-2.0-OpenSSH_9.2\r\n") << strings({"http request", "malformed"});
        QTest::newRow("bad chunk")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nmore")
            << strings({"http request", "http response", "malformed"});
        QTest::newRow("endless head")
            << QByteArray("GET / HTTP/1.1\r\nX: ") + QByteArray(70 * 1024, 'a') << QByteArray()
            << strings({"malformed"});
        QTest::newRow("body cut by the close")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
            << strings({"http request", "http response", "http body"});
    }
    void hostilePeers()
    {
        QFETCH(QByteArray, toServer);
        QFETCH(QByteArray, toClient);
        QFETCH(QStringList, kinds);
        WireConversation conversation;
        Decoded d = collect(conversation.feed(WireDirection::ToServer, toServer, 1));
        d = collect(conversation.feed(WireDirection::ToClient, toClient, 2), d);
        d = collect(conversation.finish(4), d);
        QStringList got;
        for (const WireItem &item : std::as_const(d.items)) {
            if (item.kind != WireItem::Kind::Bytes)
                got.append(item.kindName());
        }
        QCOMPARE(got, kinds);
        for (const WireItem &item : std::as_const(d.items))
            QVERIFY(item.raw.size() <= 64 * 1024);
    }
};

QTEST_APPLESS_MAIN(tst_WireConversation)
#include "tst_wireconversation.moc"
