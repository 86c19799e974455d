#pragma once

#include "connectioninfo.h"
#include "event.h"
#include "httpreply.h"
#include "protocol/httprequestparser.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace Pushboard {

class EventLog;
class FaultState;
class SseStream;
class WireCapture;

/// Serves `GET /events` (docs/protocol.md, "Server-Sent Events"): validates the request, starts an
/// SseStream with the right preamble (retry, then gap or reset for a resume), and fans every
/// appended event out to the streams that want its topic. Each event is encoded once; all streams
/// share the bytes.
class SsePublisher : public QObject
{
    Q_OBJECT

public:
    /// Live events come from `faults` (the store's appends, after any injected latency or stall).
    SsePublisher(EventLog *store, FaultState *faults, QObject *parent = nullptr);
    /// The log to read and publish to; ServerHost sets it when it opens one (the same log for
    /// every part of one server).
    void setEventLog(EventLog *log) { m_store = log; }

    void setRetryMs(int ms) { m_retryMs = ms; }
    void setQueueLimit(qint64 bytes) { m_queueLimit = bytes; }
    /// Seconds between `: keepalive` comments; 0 turns them off.
    void setKeepalive(int seconds);

    /// The route handler of `GET /events`.
    void handle(const HttpRequest &request, HttpReply &&reply) { serve(request, std::move(reply)); }

    [[nodiscard]] const QList<SseStream *> &streams() const { return m_streams; }
    /// Subscribers dropped because their queue passed the limit, since start.
    [[nodiscard]] quint64 slowDisconnects() const { return m_stats.slowDisconnects; }
    [[nodiscard]] const TransportStats &stats() const { return m_stats; }
    [[nodiscard]] QList<ConnectionInfo> connections() const;
    /// Streams that have a connection of their own (HTTP/1.1; an HTTP/2 stream shares its
    /// connection, which the gate counts).
    [[nodiscard]] int ownConnections() const;

    /// Closes every stream (shutdown).
    void closeAll();
    /// Drops every stream at once, as a broken network would; returns how many.
    int dropAll();

    /// Where the streams report their bytes for the inspector.
    void setWireCapture(WireCapture *capture) { m_capture = capture; }

private:
    /// `current`: the log has confirmed it is current (see EventLog::whenCurrent()), so a
    /// resume point above its newest id is from the future.
    void serve(const HttpRequest &request, HttpReply &&reply, bool current = false);
    WireCapture *m_capture = nullptr;
    void publish(const EventList &events);
    void sendKeepalive();

    void forget(SseStream *stream);

    EventLog *m_store;
    QSet<const SseStream *> m_owning; ///< Open streams that own their connection (not HTTP/2).
    FaultState *m_faults;
    QList<SseStream *> m_streams; ///< Every open stream.
    // The same streams indexed by what they want, so an event is offered only to its readers.
    QList<SseStream *> m_everyTopic;
    QHash<QString, QList<SseStream *>> m_byTopic;
    QTimer m_keepalive;
    int m_retryMs = 2000;
    qint64 m_queueLimit = 1024 * 1024;
    TransportStats m_stats;
};

} // namespace Pushboard
