#pragma once

#include "cors.h"

#include <QObject>
#include <QString>

#include <memory>

namespace Pushboard {

class StreamSocket;

/// Where the answer to one request goes: an HTTP/1.1 connection (HttpConnection) or one HTTP/2
/// stream (Http2Session). HttpReply talks to this, so a route never knows which protocol it runs
/// on. Headers are given without framing ones (`Content-Length`, `Connection`): each protocol
/// adds what it needs.
class HttpResponder : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// True while a request waits for its answer here.
    [[nodiscard]] virtual bool isWaitingForReply() const = 0;
    /// The complete answer. `headOnly`: to a HEAD request, the headers of `body` without it.
    virtual void respond(
        int status, const HttpHeaders &headers, const QByteArray &body, bool headOnly)
        = 0;
    /// Answers `200` with `headers` and `first` as the start of a body that does not end (an event
    /// stream), and returns where the rest of it is written. Null when the client has gone.
    [[nodiscard]] virtual std::unique_ptr<StreamSocket> startStream(
        const HttpHeaders &headers, const QByteArray &first)
        = 0;
    /// "address:port" of the client.
    [[nodiscard]] virtual QString peer() const = 0;
    /// "http/1.1" or "h2" (the ALPN names).
    [[nodiscard]] virtual QString protocol() const = 0;
    /// Bytes of answers written here but not yet taken by the network.
    [[nodiscard]] virtual qint64 queuedBytes() const = 0;
    /// WireCapture's id of the connection whose bytes a stream started here reports itself (an
    /// HTTP/1.1 connection handed to a stream); 0 when the connection reports its own (HTTP/2).
    [[nodiscard]] virtual quint64 streamWireId() const = 0;
    /// Drops the request's connection (HTTP/1.1) or stream (HTTP/2) at once, as a broken
    /// network would.
    virtual void abort() = 0;

Q_SIGNALS:
    /// The client went away before or while it was answered.
    void clientGone();
};

} // namespace Pushboard
