#pragma once

#include "controlchannel.h"

namespace Pushboard {

class ControlChannel;
class EventLog;
class FaultState;
class PollService;
class SamplingScheduler;
class SsePublisher;

/// The actions of the WebSocket `control` message, carried out on the real server
/// (docs/protocol.md):
///
/// | action | args | effect |
/// | --- | --- | --- |
/// | `setInterval` | `{ms}` 10..86400000 | metric sampling interval |
/// | `pauseSources`, `resumeSources` | | stop / restart sampling |
/// | `setKeepalive` | `{s}` 1..3600 | SSE keepalive comments and WebSocket pings |
/// | `dropConnections` | `{transport: sse, ws, poll, all}` | drops those connections at once (not
/// the asking WebSocket) | | `stall` | `{ms}` 0..600000 | nothing is written to any subscriber for
/// that long, then all at once | | `setLatency` | `{ms}` 0..600000 | every delivery waits that long
/// | | `burst` | `{topic, count}` count 1..10000 | publishes `count` events `{"n": i, "of": count}`
/// at once |
///
/// state(): `{"interval", "paused", "keepalive", "latency", "stallRemaining", "connections":
/// {"sse", "ws", "longpoll"}}`.
class ServerControls : public ServerControl
{
public:
    struct Parts
    {
        EventLog *store;
        SamplingScheduler *scheduler;
        FaultState *faults;
        SsePublisher *sse;
        PollService *poll;
        ControlChannel *channel;
    };

    ServerControls(const Parts &parts, int keepaliveS);

    [[nodiscard]] QJsonObject state() const override;
    std::optional<QString> apply(
        const QString &action, const QJsonObject &args, const QObject *requester) override;

    [[nodiscard]] int keepalive() const { return m_keepaliveS; }

private:
    Parts m_parts;
    int m_keepaliveS;
};

} // namespace Pushboard
