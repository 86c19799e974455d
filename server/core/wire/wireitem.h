#pragma once

#include "protocol/httphead.h"
#include "protocol/sseparser.h"
#include "protocol/wsframe.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Pushboard {

/// Which way bytes crossed a connection.
enum class WireDirection : quint8 {
    ToServer, ///< From the client (requests, masked WebSocket frames).
    ToClient, ///< From the server (responses, event streams, unmasked frames).
};

/// One decoded field of a wire item: its value, one line saying what it means, and the section
/// of the standard it comes from ("RFC 6455 5.2", "WHATWG HTML 9.2.6", "RFC 9112 7.1").
struct WireField
{
    QString name;
    QString value;
    QString meaning;
    QString section;
};

/// One thing the inspector shows in its frame list: an HTTP head, a body, an SSE block, a
/// WebSocket frame, or bytes it could not decode, with its raw bytes and decoded fields.
struct WireItem
{
    enum class Kind : quint8 {
        RequestHead,
        ResponseHead,
        Body, ///< A request or response body (a poll reply, a publish).
        SseEvent, ///< An SSE block that dispatched an event.
        SseFields, ///< An SSE block that dispatched nothing (only id or retry, no data).
        SseComment, ///< An SSE block of comments only (a keepalive).
        WsFrame,
        Malformed, ///< Where decoding stopped, and why (in `summary`).
        Bytes, ///< Bytes after a malformed point, shown raw.
    };

    quint64 connection = 0;
    qint64 sequence = 0; ///< Assigned by the CaptureLog: 1, 2, ... across all connections.
    Kind kind = Kind::Bytes;
    WireDirection direction = WireDirection::ToServer;
    qint64 timeUs = 0; ///< When the item's last byte was read, in µs since the epoch.
    quint64 offset = 0; ///< The direction's stream offset where the item started.
    QByteArray raw; ///< The item's bytes (SSE: after chunked decoding); capped, see wireSize.
    qint64 wireSize = 0; ///< Its full size (raw may be cut at the cap).
    int headerSize = 0; ///< Leading bytes of raw that are framing (frame header, chunk line).
    QString summary; ///< One line for the frame list.
    QList<WireField> fields;
    QByteArray payload; ///< Decoded content: unmasked and inflated message, SSE data, body.

    std::optional<HttpHead> head; ///< RequestHead, ResponseHead.
    std::optional<SseMessage> event; ///< SseEvent.
    std::optional<qint64> retryMs; ///< An SSE block with a valid `retry:` field.
    std::optional<WsFrame> frame; ///< WsFrame: the header fields (its payload left empty).
    bool completesMessage = false; ///< WsFrame: FIN of a data message; payload is the message.
    bool compressed = false; ///< WsFrame: the message was permessage-deflate compressed.
    quint16 closeCode = 0; ///< WsFrame Close: the code (0: none).

    /// "http request", "ws text", "sse event", ... (what the kind filter matches).
    [[nodiscard]] QString kindName() const;
    /// "send" (to the server) or "receive".
    [[nodiscard]] static QString directionName(WireDirection direction);
};

} // namespace Pushboard
