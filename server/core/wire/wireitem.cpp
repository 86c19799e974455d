#include "wireitem.h"

namespace Pushboard {

QString WireItem::kindName() const
{
    switch (kind) {
    case Kind::RequestHead:
        return QStringLiteral("http request");
    case Kind::ResponseHead:
        return QStringLiteral("http response");
    case Kind::Body:
        return QStringLiteral("http body");
    case Kind::SseEvent:
        return QStringLiteral("sse event");
    case Kind::SseFields:
        return QStringLiteral("sse fields");
    case Kind::SseComment:
        return QStringLiteral("sse comment");
    case Kind::WsFrame:
        switch (frame ? frame->opcode : 0xff) {
        case WsFrame::Continuation:
            return QStringLiteral("ws continuation");
        case WsFrame::Text:
            return QStringLiteral("ws text");
        case WsFrame::Binary:
            return QStringLiteral("ws binary");
        case WsFrame::Close:
            return QStringLiteral("ws close");
        case WsFrame::Ping:
            return QStringLiteral("ws ping");
        case WsFrame::Pong:
            return QStringLiteral("ws pong");
        default:
            return QStringLiteral("ws reserved");
        }
    case Kind::Malformed:
        return QStringLiteral("malformed");
    case Kind::Bytes:
        return QStringLiteral("bytes");
    }
    return {};
}

QString WireItem::directionName(WireDirection direction)
{
    return direction == WireDirection::ToServer ? QStringLiteral("send")
                                                : QStringLiteral("receive");
}

} // namespace Pushboard
