// Arbitrary bytes as one connection seen by the inspector: no crash, no item over the raw cap,
// and the same items whatever the split (where decoding stops may cut a read differently, so the
// bytes shown raw after a malformed point are only checked against the input's size).
// The first byte picks a preamble that brings the decoder to the state worth fuzzing (none: HTTP
// both ways; an SSE response, chunked or not; a WebSocket after its handshake, with or without
// permessage-deflate; joined mid-stream as SSE or WebSocket, as server capture does) and the
// read size; the rest is split between the directions at every 0xff byte.
#include "wire/wireconversation.h"

#include <cstdint>
#include <cstdlib>

using namespace Pushboard;

namespace {

QStringList run(const QList<std::pair<WireDirection, QByteArray>> &parts, qsizetype chunk,
    WireConversation::Transport joined)
{
    WireConversation::Limits limits;
    limits.maxHeadBytes = 4096;
    limits.maxFramePayload = 1 << 20;
    limits.maxSseBlock = 1 << 16;
    limits.maxRawPerItem = 1024;
    WireConversation conversation(limits);
    if (joined != WireConversation::Transport::Unknown)
        conversation.joinMidStream(joined);
    QStringList out;
    qint64 opaqueBytes = 0; // Undecodable bytes come as one item per read.
    auto take = [&out, &limits, &opaqueBytes](const QList<WireItem> &items) {
        for (const WireItem &item : items) {
            if (item.raw.size()
                > qMax(limits.maxRawPerItem + 14, limits.maxHeadBytes)) // heads: whole
                abort();
            if (item.kind == WireItem::Kind::Bytes || item.kind == WireItem::Kind::Malformed)
                opaqueBytes += item.wireSize;
            if (item.kind != WireItem::Kind::Bytes)
                out.append(item.kindName() + u' ' + item.summary);
        }
    };
    for (const auto &[direction, bytes] : parts) {
        for (qsizetype i = 0; i < bytes.size(); i += chunk)
            take(conversation.feed(
                direction, QByteArrayView(bytes).sliced(i, qMin(chunk, bytes.size() - i)), 1));
    }
    take(conversation.finish(2));
    qint64 total = 0;
    for (const auto &part : parts)
        total += part.second.size();
    if (opaqueBytes > total)
        abort();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const QByteArray wsRequest
        = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    static const QByteArray wsResponse
        = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    QList<std::pair<WireDirection, QByteArray>> parts;
    WireConversation::Transport joined = WireConversation::Transport::Unknown;
    switch (data[0] % 7) {
    case 1:
        parts = {{WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"},
            {WireDirection::ToClient,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"}};
        break;
    case 2:
        parts = {{WireDirection::ToServer, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"},
            {WireDirection::ToClient,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
                "chunked\r\n\r\n"}};
        break;
    case 3:
        parts = {
            {WireDirection::ToServer, wsRequest}, {WireDirection::ToClient, wsResponse + "\r\n"}};
        break;
    case 4:
        parts = {{WireDirection::ToServer, wsRequest},
            {WireDirection::ToClient,
                wsResponse + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"}};
        break;
    case 5:
        joined = WireConversation::Transport::Sse; // Server capture switched on mid-stream.
        break;
    case 6:
        joined = WireConversation::Transport::WebSocket;
        break;
    default:
        break;
    }
    const bool toServerFirst = data[0] % 7 == 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    int index = 0;
    for (const QByteArrayView part : input.toByteArray().split('\xff')) {
        const bool toServer = (index++ % 2 == 0) == toServerFirst;
        parts.append(
            {toServer ? WireDirection::ToServer : WireDirection::ToClient, part.toByteArray()});
    }
    const QStringList whole = run(parts, 1 << 30, joined);
    const QStringList split = run(parts, 1 + (data[0] >> 3) % 7, joined);
    if (whole != split)
        abort();
    return 0;
}
