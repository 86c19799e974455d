#include "labscenario.h"

namespace Pushboard::Lab {

const QList<Scenario> &scenarios()
{
    static const QList<Scenario> all = {
        {ScenarioId::Idle, QStringLiteral("idle"), QStringLiteral("Idle stream"),
            QStringLiteral(
                "One event about every five seconds, while short polling asks once a second "
                "anyway. "
                "Every poll is a whole HTTP request and response (RFC 9110 9.3.1, RFC 9112 2): "
                "hundreds of header bytes, most of them for an empty answer. SSE holds one "
                "response open and only spends a comment line now and then so that proxies keep "
                "it (WHATWG HTML 9.2.7); the WebSocket spends a Ping of 2 bytes and its Pong "
                "(RFC 6455 5.5.2). Watch requests and overhead bytes per event."),
            {QStringLiteral("RFC 9110 9.3.1"), QStringLiteral("RFC 9112 2"),
                QStringLiteral("WHATWG HTML 9.2.7"), QStringLiteral("RFC 6455 5.5.2")},
            20},
        {ScenarioId::Burst, QStringLiteral("burst"), QStringLiteral("Burst of 1,000"),
            QStringLiteral(
                "A thousand events are published at once, one second in. SSE and the WebSocket "
                "write them into the open connection back to back, so each event costs only its "
                "framing: an `id:`, `event:` and `data:` block (WHATWG HTML 9.2.5), or a frame "
                "header of 2 to 4 bytes (RFC 6455 5.2). Polling answers in pages of 100, one "
                "request each (RFC 9112 9.3 keeps the connection for the next): watch latency "
                "spread out from the first event to the last, and the requests it took."),
            {QStringLiteral("WHATWG HTML 9.2.5"), QStringLiteral("RFC 6455 5.2"),
                QStringLiteral("RFC 9112 9.3")},
            10},
        {ScenarioId::BufferingProxy, QStringLiteral("proxy"), QStringLiteral("Buffering proxy"),
            QStringLiteral(
                "Every client goes through a relay that behaves like nginx with "
                "`proxy_buffering on`: it passes complete answers, but gathers a streamed "
                "response until 8 KiB have arrived. For the first half the relay honours "
                "`X-Accel-Buffering: no`, which Pushboard sends on every SSE stream, and events "
                "flow; in the second half it ignores it and the SSE client sees nothing, then a "
                "clump of old events, although the server flushed each one (RFC 9110 3.7 lets "
                "intermediaries do this; WHATWG HTML 9.2.7 warns of it). Polling answers are "
                "complete and the WebSocket is a tunnel (RFC 6455 4.1), so both are unaffected."),
            {QStringLiteral("RFC 9110 3.7"), QStringLiteral("WHATWG HTML 9.2.7"),
                QStringLiteral("RFC 6455 4.1")},
            20},
        {ScenarioId::ServerRestart, QStringLiteral("restart"), QStringLiteral("Server restart"),
            QStringLiteral(
                "A third of the way in, the server stops and comes back 1.5 s later on the same "
                "port and event log, and events keep being published once it is back. The SSE "
                "client waits its `retry` time and reconnects with `Last-Event-ID` (WHATWG HTML "
                "9.2.3, 9.2.4); the WebSocket client subscribes again with `after`, and polling "
                "asks with its last `after`. Each gets what it missed from the log, marked as "
                "replayed on the chart, with nothing lost and nothing twice."),
            {QStringLiteral("WHATWG HTML 9.2.3"), QStringLiteral("WHATWG HTML 9.2.4")}, 15},
        {ScenarioId::ReconnectStorm, QStringLiteral("storm"), QStringLiteral("Reconnect storm"),
            QStringLiteral(
                "A thousand simulated SSE clients (real sockets) are dropped at once by the "
                "server, twice. First they all wait the same fixed `retry` of 1 s, as "
                "EventSource does (WHATWG HTML 9.2.3), and arrive back within a few milliseconds "
                "of each other: the server's accept load is one tall spike. Then each adds a "
                "random share of a 2 s window (exponential backoff with jitter, which the same "
                "section allows: \"user agents might introduce an exponential backoff delay\"), "
                "and the same thousand arrive spread over the window. An overloaded server can "
                "ask for such a spread itself with 503 and Retry-After (RFC 9110 10.2.3)."),
            {QStringLiteral("WHATWG HTML 9.2.3"), QStringLiteral("RFC 9110 10.2.3")}, 20},
        {ScenarioId::ConnectionLimit, QStringLiteral("six-connections"),
            QStringLiteral("Six connections vs HTTP/2"),
            QStringLiteral(
                "Twenty SSE streams from one client to one server. Over HTTP/1.1 each stream "
                "holds a connection, and clients keep at most six per server (RFC 9112 9.4; "
                "WHATWG HTML 9.2.7 warns of exactly this): six streams run, fourteen wait. Over "
                "HTTP/2 every stream is multiplexed on one connection (RFC 9113 5), so all "
                "twenty run. Measured from Qt's client, as the Pushboard client library uses "
                "it, and from Chromium when it is installed."),
            {QStringLiteral("RFC 9112 9.4"), QStringLiteral("WHATWG HTML 9.2.7"),
                QStringLiteral("RFC 9113 5")},
            10},
        {ScenarioId::HeadOfLine, QStringLiteral("head-of-line"),
            QStringLiteral("Head-of-line blocking (simulation)"),
            QStringLiteral(
                "A simulation, not a measurement: six streams send packets over a path that "
                "loses 2% of them, once over one TCP connection (HTTP/2) and once over QUIC "
                "(HTTP/3). TCP delivers bytes in order, so a lost packet holds back every "
                "stream's data behind it until the retransmission arrives (RFC 9113 5 "
                "multiplexes, but over one ordered byte stream); QUIC orders each stream on its "
                "own (RFC 9000 2.2), so the loss delays only its stream (RFC 9114 1.2). Watch "
                "the packets held back by another stream's loss, and p90."),
            {QStringLiteral("RFC 9113 5"), QStringLiteral("RFC 9000 2.2"),
                QStringLiteral("RFC 9114 1.2")},
            30, true},
        {ScenarioId::SlowConsumer, QStringLiteral("slow-consumer"), QStringLiteral("Slow consumer"),
            QStringLiteral(
                "Five subscribers take a fast stream; one SSE client stops reading after four "
                "seconds. TCP's window closes (flow control, RFC 9293 3.8.6), the server's queue "
                "for that client grows, and at its byte cap the server closes that connection "
                "alone; the others keep their latency. When the slow client reads again it "
                "finds the stream closed and reconnects with `Last-Event-ID` (WHATWG HTML "
                "9.2.4): it resumes without losing an event."),
            {QStringLiteral("RFC 9293 3.8.6"), QStringLiteral("WHATWG HTML 9.2.4")}, 20},
    };
    return all;
}

std::optional<Scenario> scenario(const QString &key)
{
    for (const Scenario &s : scenarios()) {
        if (s.key == key)
            return s;
    }
    return std::nullopt;
}

QString scenarioKeys()
{
    QStringList keys;
    for (const Scenario &s : scenarios())
        keys.append(s.key);
    return keys.join(QStringLiteral(", "));
}

} // namespace Pushboard::Lab
