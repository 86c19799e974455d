#include "wireconversation.h"

#include "wireexplain.h"

#include <QUrlQuery>

#include <optional>

namespace Pushboard {

struct WireConversation::Side
{
    enum class Mode { Head, Body, WaitUpgrade, WebSocket, Opaque };
    enum class Framing { Length, Chunked, Close };

    explicit Side(WireDirection d)
        : direction(d)
    { }

    WireDirection direction;
    Mode mode = Mode::Head;
    QByteArray buffer; ///< Bytes not decoded yet.
    quint64 total = 0; ///< Bytes fed so far.

    // A body under way.
    Framing framing = Framing::Length;
    qint64 remaining = 0;
    std::optional<ChunkedDecoder> chunked;
    std::optional<SseFieldDecoder> sse;
    quint64 bodyStart = 0;
    qint64 bodySize = 0;
    qint64 sseOffset = 0; ///< Decoded body bytes already in SSE items.
    QByteArray body; ///< The first maxRawPerItem bytes.
    QByteArray contentType;

    // WebSocket.
    std::optional<WsFrameDecoder> frames;
    QByteArray frameBytes; ///< Raw bytes fed to the frame decoder and not yet in an item.
    std::unique_ptr<MessageInflater> inflater;
    bool inMessage = false;
    bool messageCompressed = false;
    quint8 messageOpcode = 0;
    QByteArray message;
};

namespace {

bool isEventStream(const HttpHead &head)
{
    return head.value("Content-Type").trimmed().toLower().startsWith("text/event-stream");
}

} // namespace

WireConversation::WireConversation(Limits limits)
    : m_limits(limits)
    , m_toServer(std::make_unique<Side>(WireDirection::ToServer))
    , m_toClient(std::make_unique<Side>(WireDirection::ToClient))
{ }

WireConversation::~WireConversation() = default;

QString WireConversation::transportName(Transport transport)
{
    switch (transport) {
    case Transport::Unknown:
        return QStringLiteral("unknown");
    case Transport::Http:
        return QStringLiteral("http");
    case Transport::Sse:
        return QStringLiteral("sse");
    case Transport::WebSocket:
        return QStringLiteral("ws");
    case Transport::Poll:
        return QStringLiteral("poll");
    case Transport::LongPoll:
        return QStringLiteral("longpoll");
    }
    return {};
}

QList<WireItem> WireConversation::feed(WireDirection direction, QByteArrayView bytes, qint64 timeUs)
{
    QList<WireItem> out;
    Side &side = direction == WireDirection::ToServer ? *m_toServer : *m_toClient;
    side.total += bytes.size();
    if (side.mode == Side::Mode::WebSocket) {
        side.frameBytes.append(bytes);
        side.frames->feed(bytes);
    } else {
        side.buffer.append(bytes);
    }
    process(side, timeUs, out);
    return out;
}

void WireConversation::joinMidStream(Transport transport)
{
    m_transport = transport;
    if (transport == Transport::WebSocket) {
        startWebSocket(HttpHead());
    } else if (transport == Transport::Sse) {
        HttpHead head;
        head.isRequest = false;
        head.headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "text/event-stream"));
        startBody(*m_toClient, head, true); // Framed by the close, as Pushboard's streams are.
    }
}

QList<WireItem> WireConversation::finish(qint64 timeUs)
{
    QList<WireItem> out;
    for (Side *side : {m_toServer.get(), m_toClient.get()}) {
        if (side->mode == Side::Mode::Body)
            endBody(*side, timeUs, out, side->framing != Side::Framing::Close);
        if (side->mode == Side::Mode::Head && !side->buffer.isEmpty())
            malformed(
                *side, QStringLiteral("the connection ended inside an HTTP head"), timeUs, out);
        if (side->mode == Side::Mode::WebSocket && !side->frameBytes.isEmpty())
            malformed(*side, QStringLiteral("the connection ended inside a frame"), timeUs, out);
        if (side->mode == Side::Mode::WaitUpgrade && !side->buffer.isEmpty())
            opaque(*side, timeUs, out);
    }
    return out;
}

WireItem WireConversation::makeItem(const Side &side, WireItem::Kind kind, qint64 timeUs) const
{
    WireItem item;
    item.kind = kind;
    item.direction = side.direction;
    item.timeUs = timeUs;
    return item;
}

void WireConversation::process(Side &side, qint64 timeUs, QList<WireItem> &out)
{
    bool progress = true;
    while (progress) {
        switch (side.mode) {
        case Side::Mode::Head:
            progress = !side.buffer.isEmpty() && readHead(side, timeUs, out);
            break;
        case Side::Mode::Body:
            progress = readBody(side, timeUs, out);
            break;
        case Side::Mode::WebSocket:
            progress = readFrames(side, timeUs, out);
            break;
        case Side::Mode::Opaque:
            opaque(side, timeUs, out);
            progress = false;
            break;
        case Side::Mode::WaitUpgrade:
            progress = false; // Until the response says whether the protocol switches.
            break;
        }
    }
}

bool WireConversation::readHead(Side &side, qint64 timeUs, QList<WireItem> &out)
{
    const bool request = side.direction == WireDirection::ToServer;
    const HttpHeadResult result = parseHttpHead(side.buffer, request, m_limits.maxHeadBytes);
    if (result.status == HttpHeadResult::Status::NeedMore)
        return false;
    if (result.status == HttpHeadResult::Status::Malformed) {
        malformed(side, result.error, timeUs, out);
        return true;
    }
    const HttpHead &head = result.head;
    WireItem item = makeItem(
        side, request ? WireItem::Kind::RequestHead : WireItem::Kind::ResponseHead, timeUs);
    item.offset = side.total - side.buffer.size();
    item.raw = side.buffer.first(head.size);
    item.wireSize = head.size;
    item.headerSize = head.size;
    item.head = head;
    side.buffer.remove(0, head.size);

    if (request) {
        const bool upgrade = head.method == "GET" && head.hasToken("Connection", "upgrade")
            && head.hasToken("Upgrade", "websocket");
        if (m_firstTarget.isEmpty())
            m_firstTarget = head.target;
        m_pending.push_back({head, upgrade});
        if (m_pending.size() > 64)
            m_pending.pop_front(); // A client that pipelines without end; keep the newest.
        item.fields = WireExplain::headFields(head, nullptr);
        item.summary = QString::fromLatin1(head.startLine());
        if (head.has("Last-Event-ID"))
            item.summary += QStringLiteral("  Last-Event-ID: ")
                + QString::fromLatin1(head.value("Last-Event-ID"));
        out.append(std::move(item));
        if (upgrade) {
            side.mode = Side::Mode::WaitUpgrade;
        } else {
            startBody(side, head, false);
        }
        return true;
    }

    const std::optional<Pending> answered
        = m_pending.empty() ? std::nullopt : std::optional(m_pending.front());
    item.fields = WireExplain::headFields(head, answered ? &answered->head : nullptr);
    item.summary = QString::fromLatin1(head.startLine());
    if (head.has("Content-Type"))
        item.summary += u"  " + QString::fromLatin1(head.value("Content-Type"));
    out.append(std::move(item));

    if (head.status == 101 && answered && answered->upgrade) {
        m_pending.pop_front();
        m_transport = Transport::WebSocket;
        startWebSocket(head);
        process(*m_toServer, timeUs, out);
        return true;
    }
    if (head.status >= 100 && head.status < 200)
        return true; // An interim response; the final one follows.
    if (answered)
        m_pending.pop_front();
    if (m_transport == Transport::Unknown || m_transport == Transport::Http) {
        const QUrl url(QString::fromLatin1(answered ? answered->head.target : QByteArray()));
        if (isEventStream(head))
            m_transport = Transport::Sse;
        else if (url.path() == u"/api/events" || url.path().contains(u"poll"))
            m_transport = QUrlQuery(url).hasQueryItem(QStringLiteral("wait")) ? Transport::LongPoll
                                                                              : Transport::Poll;
        else
            m_transport = Transport::Http;
    }
    if (answered && answered->upgrade && m_toServer->mode == Side::Mode::WaitUpgrade) {
        m_toServer->mode = Side::Mode::Head; // Refused: the client's next bytes are HTTP again.
        process(*m_toServer, timeUs, out);
    }
    const bool noBody
        = (answered && answered->head.method == "HEAD") || head.status == 204 || head.status == 304;
    if (!noBody)
        startBody(side, head, isEventStream(head));
    return true;
}

void WireConversation::startBody(Side &side, const HttpHead &head, bool sse)
{
    side.chunked.reset();
    side.sse.reset();
    side.body.clear();
    side.bodySize = 0;
    side.sseOffset = 0;
    side.bodyStart = side.total - side.buffer.size();
    side.contentType = head.value("Content-Type");
    if (head.hasToken("Transfer-Encoding", "chunked")) {
        side.framing = Side::Framing::Chunked;
        side.chunked.emplace();
    } else if (head.has("Content-Length")) {
        bool ok = false;
        side.framing = Side::Framing::Length;
        side.remaining = head.value("Content-Length").toLongLong(&ok);
        if (!ok || side.remaining < 0)
            side.remaining = 0;
        if (side.remaining == 0)
            return; // Mode stays Head: no body.
    } else if (head.isRequest) {
        return; // A request without either has no body (RFC 9112 6.3).
    } else {
        side.framing = Side::Framing::Close;
    }
    if (sse)
        side.sse.emplace(m_limits.maxSseBlock);
    side.mode = Side::Mode::Body;
}

QByteArray WireConversation::takeBody(Side &side)
{
    QByteArray decoded;
    switch (side.framing) {
    case Side::Framing::Length: {
        const qsizetype n = qMin<qint64>(side.remaining, side.buffer.size());
        decoded = side.buffer.first(n);
        side.buffer.remove(0, n);
        side.remaining -= n;
        break;
    }
    case Side::Framing::Chunked:
        side.buffer.remove(0, side.chunked->feed(side.buffer, decoded));
        break;
    case Side::Framing::Close:
        decoded = std::exchange(side.buffer, {});
        break;
    }
    return decoded;
}

bool WireConversation::readBody(Side &side, qint64 timeUs, QList<WireItem> &out)
{
    if (side.buffer.isEmpty())
        return false;
    const QByteArray decoded = takeBody(side);
    side.bodySize += decoded.size();
    if (side.sse) {
        for (const SseBlock &block : side.sse->feed(decoded))
            emitSseBlock(side, block, timeUs, out);
        if (side.sse->hasFailed()) {
            malformed(side, side.sse->errorString(), timeUs, out);
            return true;
        }
    } else if (side.body.size() < m_limits.maxRawPerItem) {
        side.body.append(QByteArrayView(decoded).first(
            qMin<qsizetype>(decoded.size(), m_limits.maxRawPerItem - side.body.size())));
    }
    if (side.chunked && side.chunked->hasFailed()) {
        malformed(side, side.chunked->errorString(), timeUs, out);
        return true;
    }
    if ((side.framing == Side::Framing::Length && side.remaining == 0)
        || (side.chunked && side.chunked->isDone()))
        endBody(side, timeUs, out, false);
    return true;
}

void WireConversation::endBody(Side &side, qint64 timeUs, QList<WireItem> &out, bool truncated)
{
    side.mode = Side::Mode::Head;
    if (side.sse) {
        if (std::optional<SseBlock> last = side.sse->finish())
            emitSseBlock(side, *last, timeUs, out);
        side.sse.reset();
        return;
    }
    if (side.bodySize == 0 && !truncated)
        return;
    WireItem item = makeItem(side, WireItem::Kind::Body, timeUs);
    item.offset = side.bodyStart;
    item.raw = side.body;
    item.payload = side.body;
    item.wireSize = side.bodySize;
    item.summary = QStringLiteral("body %1 B").arg(side.bodySize);
    if (!side.contentType.isEmpty())
        item.summary += QStringLiteral(" (%1)").arg(QString::fromLatin1(side.contentType));
    item.summary += u"  " + WireExplain::preview(side.body);
    item.fields.append({QStringLiteral("size"), QString::number(side.bodySize),
        side.framing == Side::Framing::Chunked
            ? QStringLiteral("decoded from %1 chunk(s) of the chunked coding")
                  .arg(side.chunked ? side.chunked->chunks() : 0)
            : side.framing == Side::Framing::Length
            ? QStringLiteral("as Content-Length declared")
            : QStringLiteral("ended by the connection's close"),
        side.framing == Side::Framing::Chunked ? QStringLiteral("RFC 9112 7.1")
                                               : QStringLiteral("RFC 9112 6.3")});
    if (truncated)
        item.fields.append({QStringLiteral("truncated"), QStringLiteral("yes"),
            QStringLiteral("the connection ended before the body did"),
            QStringLiteral("RFC 9112 8")});
    side.chunked.reset();
    out.append(std::move(item));
}

void WireConversation::emitSseBlock(
    Side &side, const SseBlock &block, qint64 timeUs, QList<WireItem> &out)
{
    WireItem::Kind kind = WireItem::Kind::SseFields;
    if (block.event)
        kind = WireItem::Kind::SseEvent;
    else if (block.isCommentOnly())
        kind = WireItem::Kind::SseComment;
    WireItem item = makeItem(side, kind, timeUs);
    item.offset = side.bodyStart + side.sseOffset;
    side.sseOffset += block.raw.size();
    item.raw = block.raw.first(qMin<qsizetype>(block.raw.size(), m_limits.maxRawPerItem));
    item.wireSize = block.raw.size();
    item.retryMs = block.retry;
    const QString s926 = QStringLiteral("WHATWG HTML 9.2.6");
    for (const SseLine &line : block.lines) {
        switch (line.kind) {
        case SseLine::Kind::Blank:
            item.fields.append({QStringLiteral("(blank line)"), QString(),
                QStringLiteral("ends the block: the event is dispatched now"), s926});
            break;
        case SseLine::Kind::Comment:
            item.fields.append({QStringLiteral(":"), line.value,
                QStringLiteral("a comment, ignored by EventSource; servers send them as keepalives "
                               "so that proxies keep the connection open"),
                s926});
            break;
        case SseLine::Kind::Field: {
            QString meaning = QStringLiteral("not a field EventSource knows: ignored");
            if (line.name == u"data")
                meaning = QStringLiteral("a line of the event's data; several are joined with LF");
            else if (line.name == u"event")
                meaning = QStringLiteral("the event's type: addEventListener(type) receives it");
            else if (line.name == u"id")
                meaning = line.value.contains(QChar(0))
                    ? QStringLiteral("contains NULL: ignored")
                    : QStringLiteral("sets the last event ID; a reconnect "
                                     "sends it as Last-Event-ID");
            else if (line.name == u"retry")
                meaning = block.retry ? QStringLiteral("the reconnection time, in ms")
                                      : QStringLiteral("not all ASCII digits: ignored");
            item.fields.append({line.name, line.value, meaning, s926});
            break;
        }
        }
    }
    if (block.event) {
        item.event = block.event;
        item.payload = block.event->data.toUtf8();
        item.summary = block.event->type;
        if (block.event->ownId)
            item.summary += QStringLiteral(" id ") + block.event->lastEventId;
        item.summary += QStringLiteral(": ") + WireExplain::preview(item.payload);
        item.fields.append({QStringLiteral("dispatched"), block.event->type,
            QStringLiteral("an event of this type with lastEventId \"%1\"").arg(block.lastEventId),
            QStringLiteral("WHATWG HTML 9.2.6")});
    } else if (kind == WireItem::Kind::SseComment) {
        item.summary = u':' + WireExplain::preview(block.lines.constFirst().value.toUtf8());
    } else {
        QStringList parts;
        for (const SseLine &line : block.lines) {
            if (line.kind == SseLine::Kind::Field)
                parts.append(line.name + QStringLiteral(": ") + line.value.left(40));
        }
        item.summary = parts.join(QStringLiteral(", ")) + QStringLiteral(" (nothing dispatched)");
    }
    if (block.truncated) {
        item.summary += QStringLiteral(" [stream ended before the blank line: not dispatched]");
        item.fields.append({QStringLiteral("truncated"), QStringLiteral("yes"),
            QStringLiteral("an event not ended by a blank line is never dispatched"), s926});
    }
    out.append(std::move(item));
}

void WireConversation::startWebSocket(const HttpHead &response)
{
    const std::optional<PerMessageDeflateParams> deflate
        = PerMessageDeflateParams::fromResponse(response.value("Sec-WebSocket-Extensions"));
    for (Side *side : {m_toServer.get(), m_toClient.get()}) {
        side->mode = Side::Mode::WebSocket;
        side->frames.emplace(quint64(m_limits.maxFramePayload));
        if (deflate) {
            const bool noTakeover = side->direction == WireDirection::ToServer
                ? deflate->clientNoContextTakeover
                : deflate->serverNoContextTakeover;
            side->inflater
                = std::make_unique<MessageInflater>(noTakeover, m_limits.maxFramePayload);
        }
        side->frameBytes = std::exchange(side->buffer, {});
        side->frames->feed(side->frameBytes);
    }
}

bool WireConversation::readFrames(Side &side, qint64 timeUs, QList<WireItem> &out)
{
    std::optional<WsFrame> frame = side.frames->next();
    if (!frame) {
        if (side.frames->error() == WsFrameDecoder::Error::None)
            return false;
        side.buffer = std::exchange(side.frameBytes, {});
        malformed(side,
            side.frames->error() == WsFrameDecoder::Error::BadLength
                ? QStringLiteral(
                    "a 64-bit payload length with its most significant bit set (RFC 6455 5.2)")
                : QStringLiteral("a frame of %1 bytes, over the inspector's %2")
                      .arg(side.frames->pendingLength())
                      .arg(m_limits.maxFramePayload),
            timeUs, out);
        return true;
    }
    const qsizetype size = frame->headerSize + qsizetype(frame->length);
    WireItem item = makeItem(side, WireItem::Kind::WsFrame, timeUs);
    item.offset = side.total - side.frameBytes.size();
    item.raw = side.frameBytes.first(qMin(size, m_limits.maxRawPerItem + frame->headerSize));
    item.wireSize = size;
    item.headerSize = frame->headerSize;
    side.frameBytes.remove(0, size);
    item.fields = WireExplain::frameFields(*frame, side.direction);

    const QString name = WireExplain::opcodeName(frame->opcode);
    QString summary = QStringLiteral("%1 %2 B").arg(name).arg(frame->length);
    if (frame->masked)
        summary += QStringLiteral(" masked");
    if (!frame->fin)
        summary += QStringLiteral(" (more follows)");

    if (frame->opcode == WsFrame::Close) {
        if (frame->payload.size() >= 2) {
            item.closeCode
                = quint16((quint8(frame->payload.at(0)) << 8) | quint8(frame->payload.at(1)));
            const QString reason = QString::fromUtf8(frame->payload.sliced(2));
            item.fields.append({QStringLiteral("close code"), QString::number(item.closeCode),
                WireExplain::closeCodeMeaning(item.closeCode), QStringLiteral("RFC 6455 7.4.1")});
            item.fields.append({QStringLiteral("close reason"), reason,
                QStringLiteral("UTF-8 text for people, not for programs"),
                QStringLiteral("RFC 6455 5.5.1")});
            summary += QStringLiteral(": %1 %2")
                           .arg(item.closeCode)
                           .arg(WireExplain::closeCodeMeaning(item.closeCode));
            if (!reason.isEmpty())
                summary += QStringLiteral(" \"%1\"").arg(reason.left(60));
        } else {
            item.fields.append({QStringLiteral("close code"), QStringLiteral("(none)"),
                QStringLiteral("no code: the peer reports 1005"),
                QStringLiteral("RFC 6455 7.1.5")});
        }
        item.payload = frame->payload;
    } else if (frame->isControl()) {
        item.payload = frame->payload;
        if (!frame->payload.isEmpty())
            summary += u"  " + WireExplain::preview(frame->payload);
        item.fields.append({QStringLiteral("payload"), WireExplain::preview(frame->payload, 125),
            frame->opcode == WsFrame::Ping
                ? QStringLiteral("the peer MUST answer with a pong carrying the same bytes")
                : QStringLiteral("a pong echoes the ping's payload"),
            QStringLiteral("RFC 6455 5.5.2")});
    } else {
        // Data: fragments are gathered into the message; FIN completes it.
        if (frame->opcode != WsFrame::Continuation) {
            side.inMessage = true;
            side.messageOpcode = frame->opcode;
            side.messageCompressed = frame->rsv1 && side.inflater;
            side.message.clear();
        }
        if (side.message.size() + frame->payload.size() <= m_limits.maxFramePayload)
            side.message.append(frame->payload);
        item.payload = frame->payload;
        if (frame->fin && side.inMessage) {
            item.completesMessage = true;
            item.compressed = side.messageCompressed;
            QByteArray message = std::exchange(side.message, {});
            side.inMessage = false;
            if (item.compressed) {
                QByteArray inflated;
                const qsizetype compressedSize = message.size();
                if (side.inflater->inflate(message, inflated)) {
                    item.fields.append({QStringLiteral("permessage-deflate"),
                        QStringLiteral("%1 B compressed, %2 B inflated")
                            .arg(compressedSize)
                            .arg(inflated.size()),
                        QStringLiteral("the payload is raw DEFLATE; the receiver appends 00 00 ff "
                                       "ff and inflates"),
                        QStringLiteral("RFC 7692 7.2.2")});
                    summary += QStringLiteral(" (deflated, %1 B inflated)").arg(inflated.size());
                    message = inflated;
                } else {
                    item.fields.append(
                        {QStringLiteral("permessage-deflate"), side.inflater->errorString(),
                            QStringLiteral("the compressed payload could not be inflated"),
                            QStringLiteral("RFC 7692 7.2.2")});
                }
            }
            item.payload = message;
            if (side.messageOpcode == WsFrame::Text)
                summary += u"  " + WireExplain::preview(message);
        }
        item.fields.append({QStringLiteral("payload"), WireExplain::preview(item.payload, 200),
            frame->masked ? QStringLiteral("unmasked: byte i XOR masking key byte i mod 4")
                          : QStringLiteral("the application data"),
            frame->masked ? QStringLiteral("RFC 6455 5.3") : QStringLiteral("RFC 6455 5.6")});
    }
    item.summary = summary;
    frame->payload.clear();
    item.frame = std::move(frame);
    out.append(std::move(item));
    return true;
}

void WireConversation::malformed(
    Side &side, const QString &why, qint64 timeUs, QList<WireItem> &out)
{
    WireItem item = makeItem(side, WireItem::Kind::Malformed, timeUs);
    item.offset = side.total - side.buffer.size();
    item.wireSize = side.buffer.size();
    item.raw = side.buffer.first(qMin(side.buffer.size(), m_limits.maxRawPerItem));
    item.summary = QStringLiteral("malformed: ") + why;
    item.fields.append({QStringLiteral("error"), why,
        QStringLiteral(
            "the inspector stops decoding this direction here; later bytes are shown raw"),
        QString()});
    out.append(std::move(item));
    side.buffer.clear();
    side.mode = Side::Mode::Opaque;
    side.sse.reset();
    side.chunked.reset();
    side.frames.reset();
    side.frameBytes.clear();
}

void WireConversation::opaque(Side &side, qint64 timeUs, QList<WireItem> &out)
{
    if (side.buffer.isEmpty())
        return;
    WireItem item = makeItem(side, WireItem::Kind::Bytes, timeUs);
    item.offset = side.total - side.buffer.size();
    item.wireSize = side.buffer.size();
    item.raw = side.buffer.first(qMin(side.buffer.size(), m_limits.maxRawPerItem));
    item.summary = QStringLiteral("%1 B not decoded  %2")
                       .arg(item.wireSize)
                       .arg(WireExplain::preview(item.raw, 48));
    side.buffer.clear();
    out.append(std::move(item));
}

} // namespace Pushboard
