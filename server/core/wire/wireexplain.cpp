#include "wireexplain.h"

#include "protocol/wshandshake.h"

namespace Pushboard::WireExplain {

namespace {

struct HeaderDoc
{
    const char *name;
    const char *meaning;
    const char *section;
};

// The headers the push transports use, and what each says on the wire.
constexpr HeaderDoc headerDocs[] = {
    {"Host", "the authority the client wants; a server checks it against its own names",
        "RFC 9110 7.2"},
    {"Connection", "options for this hop only: keep-alive, close, or upgrade", "RFC 9110 7.6.1"},
    {"Upgrade", "the protocol the client asks to switch to (or the server switches to)",
        "RFC 9110 7.8"},
    {"Content-Type", "the media type of the body; text/event-stream makes it an SSE stream",
        "RFC 9110 8.3"},
    {"Content-Length", "the body's size in bytes: the body ends after exactly that many",
        "RFC 9112 6.3"},
    {"Transfer-Encoding", "chunked: the body comes in size-prefixed chunks until a zero chunk",
        "RFC 9112 6.1"},
    {"Cache-Control", "no-cache on a stream: no cache may store or replay it", "RFC 9111 5.2"},
    {"Accept", "the media types the client takes; EventSource sends text/event-stream",
        "RFC 9110 12.5.1"},
    {"Last-Event-ID", "the id of the last event the client saw: the server replays what came after",
        "WHATWG HTML 9.2.4"},
    {"Origin", "the page that opened the connection; a server may refuse foreign origins",
        "RFC 6454 7"},
    {"Sec-WebSocket-Key",
        "16 random bytes in base64; the server proves it read the request by "
        "hashing it into Sec-WebSocket-Accept",
        "RFC 6455 4.1"},
    {"Sec-WebSocket-Version", "the WebSocket protocol version; 13 is the only one", "RFC 6455 4.1"},
    {"Sec-WebSocket-Accept", "base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))",
        "RFC 6455 4.2.2"},
    {"Sec-WebSocket-Extensions", "extensions offered or accepted, e.g. permessage-deflate",
        "RFC 6455 9.1"},
    {"Sec-WebSocket-Protocol", "subprotocols offered, or the one the server chose", "RFC 6455 4.1"},
    {"Authorization", "credentials (here a bearer token)", "RFC 9110 11.6.2"},
    {"Retry-After", "how long to wait before trying again", "RFC 9110 10.2.3"},
    {"X-Accel-Buffering", "no: tells nginx not to buffer this response (a stream must not wait)",
        "nginx"},
    {"Keep-Alive", "HTTP/1.0 persistent connection parameters", "RFC 9112 9.3"},
    {"User-Agent", "the client software", "RFC 9110 10.1.5"},
    {"Server", "the server software", "RFC 9110 10.2.4"},
    {"Date", "when the message was sent", "RFC 9110 6.6.1"},
    {"Access-Control-Allow-Origin", "which origins' pages may read this response (CORS)",
        "Fetch 3.2.3"},
};

QString latin(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.data(), bytes.size());
}

} // namespace

QString preview(QByteArrayView bytes, int max)
{
    QString text = QString::fromUtf8(bytes.first(qMin<qsizetype>(bytes.size(), max * 4)));
    QString out;
    out.reserve(qMin<qsizetype>(text.size(), max) + 1);
    for (const QChar c : std::as_const(text)) {
        if (out.size() >= max) {
            out += u'…';
            break;
        }
        if (c == u'\n')
            out += QStringLiteral("\\n");
        else if (c == u'\r')
            out += QStringLiteral("\\r");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += u'·';
        else
            out += c;
    }
    return out;
}

WireField headerField(const QByteArray &name, const QByteArray &value)
{
    WireField field {latin(name), latin(value), QString(), QString()};
    for (const HeaderDoc &doc : headerDocs) {
        if (QByteArrayView(name).compare(QByteArrayView(doc.name), Qt::CaseInsensitive) == 0) {
            field.meaning = QString::fromUtf8(doc.meaning);
            field.section = QString::fromUtf8(doc.section);
            break;
        }
    }
    if (field.meaning.isEmpty())
        field.meaning = QStringLiteral("a header field the inspector does not explain");
    return field;
}

QList<WireField> headFields(const HttpHead &head, const HttpHead *request)
{
    QList<WireField> fields;
    if (head.isRequest) {
        fields.append({QStringLiteral("method"), latin(head.method),
            QStringLiteral("what the client asks the server to do"), QStringLiteral("RFC 9110 9")});
        fields.append({QStringLiteral("target"), latin(head.target),
            QStringLiteral("the resource: path and query"), QStringLiteral("RFC 9112 3.2")});
    }
    fields.append({QStringLiteral("version"), latin(head.version),
        QStringLiteral("HTTP/1.1 keeps the connection open unless told otherwise"),
        QStringLiteral("RFC 9112 2.3")});
    if (!head.isRequest) {
        QString meaning = QStringLiteral("the outcome of the request");
        if (head.status == 101)
            meaning = QStringLiteral("switching protocols: from the next byte on, both sides "
                                     "speak WebSocket frames");
        else if (head.status == 204)
            meaning = QStringLiteral("no content; to an EventSource: stop reconnecting");
        else if (head.status >= 500)
            meaning = QStringLiteral("a server error; an EventSource fails and reconnects later");
        fields.append({QStringLiteral("status"),
            QString::number(head.status) + u' ' + latin(head.reasonPhrase), meaning,
            QStringLiteral("RFC 9110 15")});
    }
    for (const auto &[name, value] : head.headers)
        fields.append(headerField(name, value));
    if (!head.isRequest && head.status == 101 && request && request->has("Sec-WebSocket-Key")) {
        const QByteArray expected = webSocketAccept(request->value("Sec-WebSocket-Key"));
        const QByteArray got = head.value("Sec-WebSocket-Accept");
        fields.append({QStringLiteral("accept check"),
            got == expected ? QStringLiteral("matches the key")
                            : QStringLiteral("WRONG: expected %1").arg(latin(expected)),
            QStringLiteral("a client MUST fail the connection when the accept value is not the "
                           "hash of its key"),
            QStringLiteral("RFC 6455 4.1")});
    }
    return fields;
}

QString opcodeName(quint8 opcode)
{
    switch (opcode) {
    case WsFrame::Continuation:
        return QStringLiteral("continuation");
    case WsFrame::Text:
        return QStringLiteral("text");
    case WsFrame::Binary:
        return QStringLiteral("binary");
    case WsFrame::Close:
        return QStringLiteral("close");
    case WsFrame::Ping:
        return QStringLiteral("ping");
    case WsFrame::Pong:
        return QStringLiteral("pong");
    default:
        return QStringLiteral("reserved 0x%1").arg(opcode, 0, 16);
    }
}

QString closeCodeMeaning(quint16 code)
{
    switch (code) {
    case 1000:
        return QStringLiteral("normal closure");
    case 1001:
        return QStringLiteral("going away (server shutting down, page left)");
    case 1002:
        return QStringLiteral("protocol error");
    case 1003:
        return QStringLiteral("unsupported data");
    case 1005:
        return QStringLiteral("no status given (never sent on the wire)");
    case 1006:
        return QStringLiteral("closed abnormally (never sent on the wire)");
    case 1007:
        return QStringLiteral("invalid payload data (e.g. text that is not UTF-8)");
    case 1008:
        return QStringLiteral("policy violation");
    case 1009:
        return QStringLiteral("message too big");
    case 1010:
        return QStringLiteral("an extension the client needs was not negotiated");
    case 1011:
        return QStringLiteral("internal server error");
    case 1012:
        return QStringLiteral("service restart");
    case 1013:
        return QStringLiteral("try again later");
    case 1014:
        return QStringLiteral("bad gateway");
    case 1015:
        return QStringLiteral("TLS handshake failure (never sent on the wire)");
    default:
        if (code >= 3000 && code <= 4999)
            return QStringLiteral("application-defined");
        return QStringLiteral("not a valid close code");
    }
}

QList<WireField> frameFields(const WsFrame &frame, WireDirection direction)
{
    const QString s52 = QStringLiteral("RFC 6455 5.2");
    auto bit = [](bool b) { return b ? QStringLiteral("1") : QStringLiteral("0"); };
    QList<WireField> fields;
    fields.append({QStringLiteral("FIN"), bit(frame.fin),
        frame.fin ? QStringLiteral("the final fragment of a message")
                  : QStringLiteral("more fragments of this message follow"),
        s52});
    fields.append({QStringLiteral("RSV1"), bit(frame.rsv1),
        frame.rsv1 ? QStringLiteral("set: the message is compressed (permessage-deflate)")
                   : QStringLiteral("0 unless an extension gives it a meaning"),
        frame.rsv1 ? QStringLiteral("RFC 7692 6") : s52});
    fields.append({QStringLiteral("RSV2"), bit(frame.rsv2),
        QStringLiteral("MUST be 0 unless an extension gives it a meaning"), s52});
    fields.append({QStringLiteral("RSV3"), bit(frame.rsv3),
        QStringLiteral("MUST be 0 unless an extension gives it a meaning"), s52});
    fields.append({QStringLiteral("opcode"),
        QStringLiteral("0x%1 %2").arg(frame.opcode, 0, 16).arg(opcodeName(frame.opcode)),
        frame.isControl() ? QStringLiteral("a control frame: at most 125 bytes, never fragmented")
                          : QStringLiteral("a data frame (0x0 continues the message before)"),
        frame.isControl() ? QStringLiteral("RFC 6455 5.5") : QStringLiteral("RFC 6455 5.6")});
    QString maskMeaning = frame.masked ? QStringLiteral("the payload is XORed with the masking key")
                                       : QStringLiteral("the payload is sent as is");
    if (direction == WireDirection::ToServer && !frame.masked)
        maskMeaning = QStringLiteral("VIOLATION: a client MUST mask every frame it sends");
    else if (direction == WireDirection::ToClient && frame.masked)
        maskMeaning = QStringLiteral("VIOLATION: a server MUST NOT mask the frames it sends");
    fields.append(
        {QStringLiteral("MASK"), bit(frame.masked), maskMeaning, QStringLiteral("RFC 6455 5.1")});
    const int lengthBytes = frame.headerSize - (frame.masked ? 4 : 0);
    fields.append({QStringLiteral("payload length"), QString::number(frame.length),
        lengthBytes == 2       ? QStringLiteral("in the 7-bit field (0 to 125)")
            : lengthBytes == 4 ? QStringLiteral("7-bit field 126, then a 16-bit length")
                               : QStringLiteral("7-bit field 127, then a 64-bit length"),
        s52});
    if (frame.masked) {
        fields.append(
            {QStringLiteral("masking key"), QString::fromLatin1(frame.maskingKey.toHex(' ')),
                QStringLiteral("4 random bytes chosen per frame so that a proxy cannot be fooled "
                               "by predictable bytes"),
                QStringLiteral("RFC 6455 5.3")});
    }
    if (frame.isControl() && (!frame.fin || frame.length > 125)) {
        fields.append({QStringLiteral("violation"),
            QStringLiteral("a control frame must be final and at most 125 bytes"), QString(),
            QStringLiteral("RFC 6455 5.5")});
    }
    return fields;
}

} // namespace Pushboard::WireExplain
