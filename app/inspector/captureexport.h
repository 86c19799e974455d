#pragma once

#include "wire/capturelog.h"

#include <QByteArray>
#include <QJsonObject>

namespace Pushboard::CaptureExport {

/// One item as JSON: sequence, connection, time (µs since the epoch and ISO 8601), direction
/// ("send" / "receive"), kind, summary, sizes, the raw bytes in base64, the decoded fields,
/// and the SSE event or WebSocket header when there is one. `pushboard inspect` prints these
/// as JSON lines.
[[nodiscard]] QJsonObject itemJson(const WireItem &item);

/// The whole capture as one JSON document: connections, every item, the timeline's marks,
/// and what the caps dropped.
[[nodiscard]] QByteArray toJson(const CaptureLog &log);

/// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): an entry per HTTP request with its
/// response; a WebSocket's messages in `_webSocketMessages` as Chrome writes them ({type
/// send|receive, time in s, opcode, data}); an SSE response's events in `_eventSourceMessages`
/// ({time, type, id, data}), which no browser exports.
[[nodiscard]] QByteArray toHar(const CaptureLog &log);

/// pcapng (IETF draft-ietf-opsawg-pcapng) that Wireshark and tshark open as is: each recorded
/// read or write becomes an Ethernet/IPv4/TCP segment with the connection's real addresses and
/// ports (IPv4 loopback for names and IPv6), sequence numbers that continue from one segment to
/// the next, and a synthesized handshake and FIN. Bytes a cap dropped show as a gap, as in any
/// capture that missed packets.
[[nodiscard]] QByteArray toPcapng(const CaptureLog &log);

} // namespace Pushboard::CaptureExport
