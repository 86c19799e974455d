#include "captureexport.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>
#include <QtEndian>

#include <algorithm>
#include <map>

namespace Pushboard::CaptureExport {

namespace {

QString isoTime(qint64 timeUs)
{
    return QDateTime::fromMSecsSinceEpoch(timeUs / 1000, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString kindOfMark(WireMark::Kind kind)
{
    switch (kind) {
    case WireMark::Kind::Opened:
        return QStringLiteral("opened");
    case WireMark::Kind::Closed:
        return QStringLiteral("closed");
    case WireMark::Kind::Fault:
        return QStringLiteral("fault");
    }
    return {};
}

QJsonObject endpointJson(const QString &address, quint16 port)
{
    return {{QStringLiteral("address"), address}, {QStringLiteral("port"), port}};
}

QJsonObject connectionJson(const WireConnection &c)
{
    QJsonObject o {{QStringLiteral("id"), qint64(c.id)},
        {QStringLiteral("client"), endpointJson(c.endpoints.clientAddress, c.endpoints.clientPort)},
        {QStringLiteral("server"), endpointJson(c.endpoints.serverAddress, c.endpoints.serverPort)},
        {QStringLiteral("transport"), WireConversation::transportName(c.transport)},
        {QStringLiteral("target"), QString::fromLatin1(c.target)},
        {QStringLiteral("openedUs"), c.openedUs},
        {QStringLiteral("bytes"),
            QJsonObject {
                {QStringLiteral("send"), c.bytes[0]}, {QStringLiteral("receive"), c.bytes[1]}}},
        {QStringLiteral("items"),
            QJsonObject {
                {QStringLiteral("send"), c.items[0]}, {QStringLiteral("receive"), c.items[1]}}}};
    if (!c.isOpen()) {
        o.insert(QStringLiteral("closedUs"), c.closedUs);
        o.insert(QStringLiteral("closeReason"), c.closeReason);
    }
    return o;
}

} // namespace

QJsonObject itemJson(const WireItem &item)
{
    QJsonObject o {{QStringLiteral("seq"), item.sequence},
        {QStringLiteral("connection"), qint64(item.connection)},
        {QStringLiteral("timeUs"), item.timeUs}, {QStringLiteral("time"), isoTime(item.timeUs)},
        {QStringLiteral("direction"), WireItem::directionName(item.direction)},
        {QStringLiteral("kind"), item.kindName()}, {QStringLiteral("summary"), item.summary},
        {QStringLiteral("size"), item.wireSize}, {QStringLiteral("headerSize"), item.headerSize},
        {QStringLiteral("offset"), qint64(item.offset)},
        {QStringLiteral("raw"), QString::fromLatin1(item.raw.toBase64())}};
    if (item.raw.size() < item.wireSize)
        o.insert(QStringLiteral("rawTruncated"), true);
    QJsonArray fields;
    for (const WireField &f : item.fields) {
        QJsonObject field {{QStringLiteral("name"), f.name}, {QStringLiteral("value"), f.value},
            {QStringLiteral("meaning"), f.meaning}};
        if (!f.section.isEmpty())
            field.insert(QStringLiteral("section"), f.section);
        fields.append(field);
    }
    o.insert(QStringLiteral("fields"), fields);
    if (item.event) {
        o.insert(QStringLiteral("event"),
            QJsonObject {{QStringLiteral("type"), item.event->type},
                {QStringLiteral("data"), item.event->data},
                {QStringLiteral("lastEventId"), item.event->lastEventId},
                {QStringLiteral("ownId"), item.event->ownId}});
    }
    if (item.retryMs)
        o.insert(QStringLiteral("retryMs"), *item.retryMs);
    if (item.frame) {
        const WsFrame &f = *item.frame;
        QJsonObject ws {{QStringLiteral("fin"), f.fin}, {QStringLiteral("rsv1"), f.rsv1},
            {QStringLiteral("rsv2"), f.rsv2}, {QStringLiteral("rsv3"), f.rsv3},
            {QStringLiteral("opcode"), int(f.opcode)}, {QStringLiteral("masked"), f.masked},
            {QStringLiteral("length"), qint64(f.length)}};
        if (f.masked)
            ws.insert(QStringLiteral("maskingKey"), QString::fromLatin1(f.maskingKey.toHex()));
        if (item.closeCode)
            ws.insert(QStringLiteral("closeCode"), item.closeCode);
        if (item.completesMessage)
            ws.insert(QStringLiteral("message"), QString::fromLatin1(item.payload.toBase64()));
        if (item.compressed)
            ws.insert(QStringLiteral("compressed"), true);
        o.insert(QStringLiteral("ws"), ws);
    }
    return o;
}

QByteArray toJson(const CaptureLog &log)
{
    QJsonArray connections;
    for (const WireConnection *c : log.connections())
        connections.append(connectionJson(*c));
    QJsonArray items;
    for (const WireItem &item : log.items())
        items.append(itemJson(item));
    QJsonArray marks;
    for (const WireMark &m : log.marks()) {
        marks.append(QJsonObject {{QStringLiteral("connection"), qint64(m.connection)},
            {QStringLiteral("timeUs"), m.timeUs}, {QStringLiteral("kind"), kindOfMark(m.kind)},
            {QStringLiteral("text"), m.text}});
    }
    const QJsonObject root {{QStringLiteral("format"), QStringLiteral("pushboard-capture")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("creator"), QStringLiteral("pushboard " PUSHBOARD_VERSION)},
        {QStringLiteral("droppedItems"), log.droppedItems()},
        {QStringLiteral("droppedChunks"), log.droppedChunks()},
        {QStringLiteral("connections"), connections}, {QStringLiteral("items"), items},
        {QStringLiteral("marks"), marks}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

// ---------------------------------------------------------------------------------------------
// HAR

namespace {

QJsonArray harHeaders(const HttpHead &head)
{
    QJsonArray headers;
    for (const auto &[name, value] : head.headers)
        headers.append(QJsonObject {{QStringLiteral("name"), QString::fromLatin1(name)},
            {QStringLiteral("value"), QString::fromLatin1(value)}});
    return headers;
}

struct HarEntry
{
    const WireConnection *connection = nullptr;
    const WireItem *request = nullptr;
    const WireItem *response = nullptr;
    const WireItem *requestBody = nullptr;
    const WireItem *responseBody = nullptr;
    qint64 lastUs = 0;
    QJsonArray wsMessages;
    QJsonArray sseMessages;
};

QJsonObject harEntry(const HarEntry &e)
{
    const HttpHead &rq = *e.request->head;
    QString host = QString::fromLatin1(rq.value("Host"));
    if (host.isEmpty() && e.connection)
        host = e.connection->endpoints.serverAddress + u':'
            + QString::number(e.connection->endpoints.serverPort);
    const QString target = QString::fromLatin1(rq.target);
    const QUrl url = target.startsWith(u"http") ? QUrl(target)
                                                : QUrl(QStringLiteral("http://") + host + target);
    QJsonArray query;
    for (const auto &[name, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        query.append(
            QJsonObject {{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    QJsonObject request {{QStringLiteral("method"), QString::fromLatin1(rq.method)},
        {QStringLiteral("url"), url.toString(QUrl::FullyEncoded)},
        {QStringLiteral("httpVersion"), QString::fromLatin1(rq.version)},
        {QStringLiteral("cookies"), QJsonArray()}, {QStringLiteral("headers"), harHeaders(rq)},
        {QStringLiteral("queryString"), query}, {QStringLiteral("headersSize"), rq.size},
        {QStringLiteral("bodySize"), e.requestBody ? e.requestBody->wireSize : 0}};
    if (e.requestBody) {
        request.insert(QStringLiteral("postData"),
            QJsonObject {
                {QStringLiteral("mimeType"), QString::fromLatin1(rq.value("Content-Type"))},
                {QStringLiteral("params"), QJsonArray()},
                {QStringLiteral("text"), QString::fromUtf8(e.requestBody->payload)}});
    }
    QJsonObject response;
    const qint64 start = e.request->timeUs;
    qint64 wait = 0;
    qint64 receive = 0;
    if (e.response) {
        const HttpHead &rs = *e.response->head;
        QJsonObject content {
            {QStringLiteral("size"), e.responseBody ? e.responseBody->wireSize : 0},
            {QStringLiteral("mimeType"), QString::fromLatin1(rs.value("Content-Type"))}};
        if (e.responseBody)
            content.insert(QStringLiteral("text"), QString::fromUtf8(e.responseBody->payload));
        response = {{QStringLiteral("status"), rs.status},
            {QStringLiteral("statusText"), QString::fromLatin1(rs.reasonPhrase)},
            {QStringLiteral("httpVersion"), QString::fromLatin1(rs.version)},
            {QStringLiteral("cookies"), QJsonArray()}, {QStringLiteral("headers"), harHeaders(rs)},
            {QStringLiteral("content"), content},
            {QStringLiteral("redirectURL"), QString::fromLatin1(rs.value("Location"))},
            {QStringLiteral("headersSize"), rs.size},
            {QStringLiteral("bodySize"),
                e.responseBody ? e.responseBody->wireSize : (e.sseMessages.isEmpty() ? 0 : -1)}};
        wait = (e.response->timeUs - start) / 1000;
        receive = qMax<qint64>(0, (e.lastUs - e.response->timeUs) / 1000);
    } else {
        // No answer was captured: HAR asks for a response object all the same.
        response = {{QStringLiteral("status"), 0}, {QStringLiteral("statusText"), QString()},
            {QStringLiteral("httpVersion"), QString()}, {QStringLiteral("cookies"), QJsonArray()},
            {QStringLiteral("headers"), QJsonArray()},
            {QStringLiteral("content"),
                QJsonObject {{QStringLiteral("size"), 0}, {QStringLiteral("mimeType"), QString()}}},
            {QStringLiteral("redirectURL"), QString()}, {QStringLiteral("headersSize"), -1},
            {QStringLiteral("bodySize"), -1}};
        wait = qMax<qint64>(0, (e.lastUs - start) / 1000);
    }
    QJsonObject entry {{QStringLiteral("startedDateTime"), isoTime(start)},
        {QStringLiteral("time"), double(wait + receive)}, {QStringLiteral("request"), request},
        {QStringLiteral("response"), response}, {QStringLiteral("cache"), QJsonObject()},
        {QStringLiteral("timings"),
            QJsonObject {{QStringLiteral("send"), 0}, {QStringLiteral("wait"), double(wait)},
                {QStringLiteral("receive"), double(receive)}}}};
    if (e.connection) {
        entry.insert(QStringLiteral("connection"), QString::number(e.connection->id));
        entry.insert(QStringLiteral("serverIPAddress"), e.connection->endpoints.serverAddress);
    }
    if (!e.wsMessages.isEmpty() || (e.response && e.response->head->status == 101)) {
        entry.insert(QStringLiteral("_resourceType"), QStringLiteral("websocket"));
        entry.insert(QStringLiteral("_webSocketMessages"), e.wsMessages);
    }
    if (!e.sseMessages.isEmpty()) {
        entry.insert(QStringLiteral("_resourceType"), QStringLiteral("eventsource"));
        entry.insert(QStringLiteral("_eventSourceMessages"), e.sseMessages);
    }
    return entry;
}

} // namespace

QByteArray toHar(const CaptureLog &log)
{
    // Entries in the order their requests were sent; per connection, responses answer requests
    // in order (HTTP/1.1 has no other way).
    std::vector<HarEntry> entries;
    std::map<quint64, std::deque<size_t>> unanswered; // connection -> entries awaiting a response
    std::map<quint64, size_t> current[2]; // connection, direction -> entry the next body joins
    std::map<quint64, int> messageOpcode[2];
    for (const WireItem &item : log.items()) {
        const int d = int(item.direction);
        switch (item.kind) {
        case WireItem::Kind::RequestHead: {
            HarEntry e;
            e.connection = log.connection(item.connection);
            e.request = &item;
            e.lastUs = item.timeUs;
            entries.push_back(e);
            unanswered[item.connection].push_back(entries.size() - 1);
            current[d][item.connection] = entries.size() - 1;
            break;
        }
        case WireItem::Kind::ResponseHead: {
            auto &queue = unanswered[item.connection];
            if (queue.empty())
                break; // A response to a request the capture does not hold.
            const size_t index = queue.front();
            if (item.head->status >= 200 || item.head->status == 101)
                queue.pop_front();
            if (item.head->status >= 100 && item.head->status < 200 && item.head->status != 101)
                break; // Interim.
            entries[index].response = &item;
            entries[index].lastUs = item.timeUs;
            current[d][item.connection] = index;
            break;
        }
        default: {
            const auto it = current[d].find(item.connection);
            if (it == current[d].end())
                break;
            HarEntry &e = entries[it->second];
            e.lastUs = qMax(e.lastUs, item.timeUs);
            if (item.kind == WireItem::Kind::Body) {
                (d == 0 ? e.requestBody : e.responseBody) = &item;
            } else if (item.kind == WireItem::Kind::SseEvent) {
                e.sseMessages.append(
                    QJsonObject {{QStringLiteral("time"), double(item.timeUs) / 1e6},
                        {QStringLiteral("type"), item.event->type},
                        {QStringLiteral("id"), item.event->lastEventId},
                        {QStringLiteral("data"), item.event->data}});
            } else if (item.kind == WireItem::Kind::WsFrame && item.frame) {
                const int opcode = item.frame->opcode;
                if (opcode == WsFrame::Text || opcode == WsFrame::Binary)
                    messageOpcode[d][item.connection] = opcode;
                if (!item.completesMessage)
                    break;
                const int messageOp = messageOpcode[d][item.connection];
                e.wsMessages.append(
                    QJsonObject {{QStringLiteral("type"), WireItem::directionName(item.direction)},
                        {QStringLiteral("time"), double(item.timeUs) / 1e6},
                        {QStringLiteral("opcode"), messageOp},
                        {QStringLiteral("data"),
                            messageOp == WsFrame::Text
                                ? QString::fromUtf8(item.payload)
                                : QString::fromLatin1(item.payload.toBase64())}});
            }
            break;
        }
        }
    }
    QJsonArray harEntries;
    for (const HarEntry &e : entries)
        harEntries.append(harEntry(e));
    const QJsonObject root {{QStringLiteral("log"),
        QJsonObject {{QStringLiteral("version"), QStringLiteral("1.2")},
            {QStringLiteral("creator"),
                QJsonObject {{QStringLiteral("name"), QStringLiteral("pushboard")},
                    {QStringLiteral("version"), QStringLiteral(PUSHBOARD_VERSION)}}},
            {QStringLiteral("entries"), harEntries}}}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

// ---------------------------------------------------------------------------------------------
// pcapng

namespace {

constexpr quint8 TcpFin = 0x01;
constexpr quint8 TcpSyn = 0x02;
constexpr quint8 TcpPsh = 0x08;
constexpr quint8 TcpAck = 0x10;
constexpr qsizetype MaxSegment = 32 * 1024;

void put16(QByteArray &out, quint16 v)
{
    const quint16 be = qToBigEndian(v);
    out.append(reinterpret_cast<const char *>(&be), 2);
}

void put32(QByteArray &out, quint32 v)
{
    const quint32 be = qToBigEndian(v);
    out.append(reinterpret_cast<const char *>(&be), 4);
}

quint32 sum16(QByteArrayView bytes, quint32 sum = 0)
{
    for (qsizetype i = 0; i + 1 < bytes.size(); i += 2)
        sum += (quint8(bytes[i]) << 8) | quint8(bytes[i + 1]);
    if (bytes.size() % 2)
        sum += quint8(bytes.back()) << 8;
    return sum;
}

quint16 fold(quint32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum);
}

quint32 ipv4(const QString &address, quint32 fallback)
{
    QHostAddress a(address);
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok); // Also for ::ffff:a.b.c.d.
    if (ok)
        return v4;
    return fallback; // A name, ::1 or another IPv6 address: loopback stands in.
}

/// One Ethernet + IPv4 + TCP packet.
QByteArray packet(bool fromClient, quint32 src, quint32 dst, quint16 sport, quint16 dport,
    quint32 seq, quint32 ack, quint8 flags, QByteArrayView payload, quint16 ipId)
{
    QByteArray tcp;
    put16(tcp, sport);
    put16(tcp, dport);
    put32(tcp, seq);
    put32(tcp, ack);
    tcp.append(char(5 << 4));
    tcp.append(char(flags));
    put16(tcp, 65535); // window
    put16(tcp, 0); // checksum, below
    put16(tcp, 0);
    tcp.append(payload);
    QByteArray pseudo;
    put32(pseudo, src);
    put32(pseudo, dst);
    put16(pseudo, 6);
    put16(pseudo, quint16(tcp.size()));
    const quint16 tcpSum = fold(sum16(tcp, sum16(pseudo)));
    tcp[16] = char(tcpSum >> 8);
    tcp[17] = char(tcpSum & 0xff);

    QByteArray ip;
    ip.append(char(0x45));
    ip.append(char(0));
    put16(ip, quint16(20 + tcp.size()));
    put16(ip, ipId);
    put16(ip, 0x4000); // don't fragment
    ip.append(char(64));
    ip.append(char(6));
    put16(ip, 0);
    put32(ip, src);
    put32(ip, dst);
    const quint16 ipSum = fold(sum16(ip));
    ip[10] = char(ipSum >> 8);
    ip[11] = char(ipSum & 0xff);

    // Made-up, locally administered MAC addresses: ...:01 is the client, ...:02 the server.
    const QByteArray ethernet = fromClient ? QByteArray::fromHex("0200000000020200000000010800")
                                           : QByteArray::fromHex("0200000000010200000000020800");
    return ethernet + ip + tcp;
}

QByteArray block(quint32 type, const QByteArray &body)
{
    QByteArray padded = body;
    while (padded.size() % 4)
        padded.append('\0');
    const quint32 length = quint32(12 + padded.size());
    QByteArray out;
    out.append(reinterpret_cast<const char *>(&type), 4); // pcapng is written in host order,
    out.append(reinterpret_cast<const char *>(&length), 4); // the byte-order magic says which.
    out += padded;
    out.append(reinterpret_cast<const char *>(&length), 4);
    return out;
}

template<typename T> void putHost(QByteArray &out, T v)
{
    out.append(reinterpret_cast<const char *>(&v), sizeof v);
}

QByteArray option(quint16 code, const QByteArray &value)
{
    QByteArray out;
    putHost(out, code);
    putHost(out, quint16(value.size()));
    out += value;
    while (out.size() % 4)
        out.append('\0');
    return out;
}

struct Flow
{
    quint32 address[2]; ///< Client, server.
    quint16 port[2];
    quint32 next[2]; ///< Next sequence number sent by the client, by the server.
    bool started = false;
};

} // namespace

QByteArray toPcapng(const CaptureLog &log)
{
    struct Packet
    {
        qint64 timeUs;
        QByteArray bytes;
    };
    std::vector<Packet> packets;
    std::map<quint64, Flow> flows;
    std::map<quint64, qint64> kept[2];
    for (const WireChunk &chunk : log.chunks())
        kept[int(chunk.direction)][chunk.connection] += chunk.bytes.size();
    quint16 ipId = 1;
    QStringList ports;

    auto flowOf = [&](quint64 id, qint64 timeUs) -> Flow & {
        Flow &f = flows[id];
        if (f.started)
            return f;
        f.started = true;
        const WireConnection *c = log.connection(id);
        const quint32 loopback = 0x7f000001;
        f.address[0] = c ? ipv4(c->endpoints.clientAddress, loopback) : loopback;
        f.address[1] = c ? ipv4(c->endpoints.serverAddress, loopback) : loopback;
        f.port[0]
            = c && c->endpoints.clientPort ? c->endpoints.clientPort : quint16(40000 + id % 20000);
        f.port[1] = c && c->endpoints.serverPort ? c->endpoints.serverPort : 80;
        if (!ports.contains(QString::number(f.port[1])))
            ports.append(QString::number(f.port[1]));
        const quint32 isn[2]
            = {quint32(0x1000000 * (id % 200) + 1), quint32(0x2000000 + 0x10000 * (id % 200) + 1)};
        // Bytes dropped by the cap before the first kept chunk: the sequence numbers skip them.
        for (int d : {0, 1}) {
            const qint64 total = c ? c->bytes[d] : kept[d][id];
            f.next[d] = isn[d] + 1 + quint32(qMax<qint64>(0, total - kept[d][id]));
        }
        const qint64 synTime = c && c->openedUs ? qMin(c->openedUs, timeUs) : timeUs;
        packets.push_back({synTime,
            packet(true, f.address[0], f.address[1], f.port[0], f.port[1], isn[0], 0, TcpSyn, {},
                ipId++)});
        packets.push_back({synTime,
            packet(false, f.address[1], f.address[0], f.port[1], f.port[0], isn[1], isn[0] + 1,
                TcpSyn | TcpAck, {}, ipId++)});
        packets.push_back({synTime,
            packet(true, f.address[0], f.address[1], f.port[0], f.port[1], isn[0] + 1, isn[1] + 1,
                TcpAck, {}, ipId++)});
        return f;
    };

    for (const WireChunk &chunk : log.chunks()) {
        Flow &f = flowOf(chunk.connection, chunk.timeUs);
        const int s = int(chunk.direction);
        const int r = 1 - s;
        for (qsizetype at = 0; at < chunk.bytes.size(); at += MaxSegment) {
            const QByteArrayView part
                = QByteArrayView(chunk.bytes).sliced(at, qMin(MaxSegment, chunk.bytes.size() - at));
            packets.push_back({chunk.timeUs,
                packet(s == 0, f.address[s], f.address[r], f.port[s], f.port[r], f.next[s],
                    f.next[r], TcpPsh | TcpAck, part, ipId++)});
            f.next[s] += quint32(part.size());
        }
    }
    for (const WireConnection *c : log.connections()) {
        if (c->isOpen() || !flows.count(c->id))
            continue;
        Flow &f = flows.at(c->id);
        packets.push_back({c->closedUs,
            packet(true, f.address[0], f.address[1], f.port[0], f.port[1], f.next[0], f.next[1],
                TcpFin | TcpAck, {}, ipId++)});
        packets.push_back({c->closedUs,
            packet(false, f.address[1], f.address[0], f.port[1], f.port[0], f.next[1],
                f.next[0] + 1, TcpFin | TcpAck, {}, ipId++)});
        packets.push_back({c->closedUs,
            packet(true, f.address[0], f.address[1], f.port[0], f.port[1], f.next[0] + 1,
                f.next[1] + 1, TcpAck, {}, ipId++)});
    }
    std::stable_sort(packets.begin(), packets.end(),
        [](const Packet &a, const Packet &b) { return a.timeUs < b.timeUs; });

    QByteArray out;
    // Section Header Block, with a comment saying how to read the ports as HTTP.
    QByteArray shb;
    putHost(shb, quint32(0x1A2B3C4D));
    putHost(shb, quint16(1));
    putHost(shb, quint16(0));
    putHost(shb, qint64(-1));
    shb += option(1,
        "Recorded by pushboard " PUSHBOARD_VERSION ". In Wireshark: Decode As HTTP for tcp.port "
            + ports.join(QStringLiteral(", ")).toLatin1());
    shb += option(0, {});
    out += block(0x0A0D0D0A, shb);
    // Interface Description Block: Ethernet, no snap length limit, microsecond timestamps.
    QByteArray idb;
    putHost(idb, quint16(1));
    putHost(idb, quint16(0));
    putHost(idb, quint32(0));
    idb += option(2, "pushboard");
    idb += option(0, {});
    out += block(1, idb);
    for (const Packet &p : packets) {
        QByteArray epb;
        putHost(epb, quint32(0));
        const quint64 ts = quint64(p.timeUs);
        putHost(epb, quint32(ts >> 32));
        putHost(epb, quint32(ts & 0xffffffff));
        putHost(epb, quint32(p.bytes.size()));
        putHost(epb, quint32(p.bytes.size()));
        epb += p.bytes;
        while (epb.size() % 4)
            epb.append('\0');
        out += block(6, epb);
    }
    return out;
}

} // namespace Pushboard::CaptureExport
