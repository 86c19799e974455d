#pragma once

#include "protocol/chunkeddecoder.h"
#include "protocol/permessagedeflate.h"
#include "protocol/ssefielddecoder.h"
#include "protocol/wsframedecoder.h"
#include "wireitem.h"

#include <QList>
#include <QString>

#include <deque>
#include <memory>

namespace Pushboard {

/// Decodes one TCP connection, both directions, as an observer sees it: HTTP/1.x request and
/// response heads (keep-alive and pipelined ones too), bodies framed by Content-Length, chunked
/// coding or the close, `text/event-stream` bodies into SSE blocks, and after a `101 Switching
/// Protocols` the WebSocket frames both ways (permessage-deflate inflated when the server
/// accepted it; Sec-WebSocket-Accept checked against the key).
///
/// Bytes go in as they were read, per direction, split anywhere; items come out as they
/// complete. Nothing a peer sends can crash it or make it hold more than the limits: what
/// cannot be decoded becomes one Malformed item, and that direction's later bytes are shown
/// as Bytes items.
class WireConversation
{
public:
    enum class Transport { Unknown, Http, Sse, WebSocket, Poll, LongPoll };

    struct Limits
    {
        qsizetype maxHeadBytes = 64 * 1024;
        qsizetype maxFramePayload = 16 * 1024 * 1024; ///< Also the largest inflated message.
        qsizetype maxSseBlock = SseFieldDecoder::DefaultMaxBlockBytes;
        qsizetype maxRawPerItem = 64 * 1024; ///< Bodies and raw bytes kept per item.
    };

    WireConversation()
        : WireConversation(Limits())
    { }
    explicit WireConversation(Limits limits);
    ~WireConversation();

    /// Decodes the next bytes of one direction; returns the items they completed.
    QList<WireItem> feed(WireDirection direction, QByteArrayView bytes, qint64 timeUs);
    /// Starts decoding in the middle of a connection's life, after its HTTP head (capture
    /// switched on while it was open): an SSE body from the server, or WebSocket frames both
    /// ways. Call before any feed().
    void joinMidStream(Transport transport);
    /// The connection ended: a body delimited by the close, or an SSE block never ended.
    QList<WireItem> finish(qint64 timeUs);

    /// What the connection turned out to carry (from the first request and response).
    [[nodiscard]] Transport transport() const { return m_transport; }
    [[nodiscard]] static QString transportName(Transport transport);
    /// The first request's target, and its Last-Event-ID header (empty when none).
    [[nodiscard]] QByteArray firstTarget() const { return m_firstTarget; }

private:
    struct Side;
    struct Pending
    {
        HttpHead head;
        bool upgrade = false;
    };

    void process(Side &side, qint64 timeUs, QList<WireItem> &out);
    bool readHead(Side &side, qint64 timeUs, QList<WireItem> &out);
    bool readBody(Side &side, qint64 timeUs, QList<WireItem> &out);
    QByteArray takeBody(Side &side);
    bool readFrames(Side &side, qint64 timeUs, QList<WireItem> &out);
    void startBody(Side &side, const HttpHead &head, bool sse);
    void endBody(Side &side, qint64 timeUs, QList<WireItem> &out, bool truncated);
    void emitSseBlock(Side &side, const SseBlock &block, qint64 timeUs, QList<WireItem> &out);
    void malformed(Side &side, const QString &why, qint64 timeUs, QList<WireItem> &out);
    void opaque(Side &side, qint64 timeUs, QList<WireItem> &out);
    WireItem makeItem(const Side &side, WireItem::Kind kind, qint64 timeUs) const;
    void startWebSocket(const HttpHead &response);

    Limits m_limits;
    std::unique_ptr<Side> m_toServer;
    std::unique_ptr<Side> m_toClient;
    std::deque<Pending> m_pending; ///< Requests not yet answered, oldest first.
    Transport m_transport = Transport::Unknown;
    QByteArray m_firstTarget;
};

} // namespace Pushboard
