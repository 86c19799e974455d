#pragma once

#include "wireconversation.h"
#include "wireobserver.h"

#include <QObject>

#include <deque>
#include <map>
#include <memory>

namespace Pushboard {

/// One observed connection: its ends, what it carries and its counters.
struct WireConnection
{
    quint64 id = 0;
    WireEndpoints endpoints;
    qint64 openedUs = 0;
    qint64 closedUs = 0; ///< 0 while open.
    QString closeReason;
    WireConversation::Transport transport = WireConversation::Transport::Unknown;
    QByteArray target; ///< The first request's target.
    qint64 bytes[2] = {0, 0}; ///< Per WireDirection.
    qint64 items[2] = {0, 0};

    [[nodiscard]] bool isOpen() const { return closedUs == 0; }
};

/// Bytes exactly as they crossed a connection in one read or write (for the pcapng export).
struct WireChunk
{
    quint64 connection = 0;
    WireDirection direction = WireDirection::ToServer;
    qint64 timeUs = 0;
    QByteArray bytes;
};

/// A moment on the timeline that is not a frame: a connection opened or closed, a fault applied.
struct WireMark
{
    enum class Kind { Opened, Closed, Fault };
    quint64 connection = 0;
    qint64 timeUs = 0;
    Kind kind = Kind::Opened;
    QString text;
};

/// Running totals over a log's life, whatever was trimmed since (what the lab counts).
struct WireTotals
{
    qint64 bytes[2] = {0, 0}; ///< Per WireDirection.
    qint64 connections = 0; ///< Connections opened.
    qint64 requests = 0; ///< HTTP request heads (a WebSocket counts its handshake once).
    qint64 items[2] = {0, 0}; ///< Items decoded, per WireDirection.
};

/// The inspector's record of everything observed: connections, the raw bytes each way, the
/// items decoded from them (one WireConversation per connection) and the timeline's marks.
///
/// Bounded: at most `maxItems` items and `maxBytes` bytes of stored chunks and items together
/// (defaults: 100,000 items, 64 MiB); past either, the oldest items and chunks go first and
/// are counted in droppedItems() and droppedChunks(). Closed connections past
/// `maxConnections` (1,000) are forgotten oldest first. Sequences number the items 1, 2, ...
/// over the log's life, so a view can tell what was dropped and what is new.
class CaptureLog : public QObject, public WireObserver
{
    Q_OBJECT

public:
    struct Limits
    {
        qsizetype maxItems = 100'000;
        qint64 maxBytes = 64 * 1024 * 1024;
        qsizetype maxConnections = 1'000;
    };

    explicit CaptureLog(QObject *parent = nullptr)
        : CaptureLog(Limits(), parent)
    { }
    explicit CaptureLog(Limits limits, QObject *parent = nullptr);
    ~CaptureLog() override;

    void wireOpened(quint64 connection, const WireEndpoints &endpoints, qint64 timeUs) override;
    void wireBytes(
        quint64 connection, WireDirection direction, QByteArrayView bytes, qint64 timeUs) override;
    void wireClosed(quint64 connection, const QString &reason, qint64 timeUs) override;
    /// A connection first seen in the middle of its life (server capture switched on late): its
    /// bytes are decoded from that point as `transport` (sse or ws; others as HTTP).
    void wireJoined(quint64 connection, const WireEndpoints &endpoints,
        WireConversation::Transport transport, qint64 timeUs);
    /// Puts a fault (or any note) on a connection's timeline.
    void mark(quint64 connection, const QString &text, qint64 timeUs);

    [[nodiscard]] Limits limits() const { return m_limits; }
    [[nodiscard]] const std::deque<WireItem> &items() const { return m_items; }
    [[nodiscard]] const std::deque<WireChunk> &chunks() const { return m_chunks; }
    [[nodiscard]] const std::deque<WireMark> &marks() const { return m_marks; }
    /// Connections in the order they opened.
    [[nodiscard]] QList<const WireConnection *> connections() const;
    [[nodiscard]] const WireConnection *connection(quint64 id) const;
    /// The item with this sequence, if still held.
    [[nodiscard]] const WireItem *item(qint64 sequence) const;
    /// Sequence of the oldest item held, and of the next to come.
    [[nodiscard]] qint64 firstSequence() const { return m_nextSequence - qint64(m_items.size()); }
    [[nodiscard]] qint64 nextSequence() const { return m_nextSequence; }
    [[nodiscard]] qint64 droppedItems() const { return m_droppedItems; }
    [[nodiscard]] qint64 droppedChunks() const { return m_droppedChunks; }
    [[nodiscard]] qint64 storedBytes() const { return m_storedBytes; }
    /// Counted since the log was made or cleared, including what was trimmed away since.
    [[nodiscard]] const WireTotals &totals() const { return m_totals; }

    /// Forgets everything (the counters of dropped items too).
    void clear();

Q_SIGNALS:
    /// Items up to nextSequence() - 1 exist now (emitted per wireBytes call that decoded any).
    void itemsAdded();
    void connectionsChanged();
    void marksAdded();
    void cleared();

private:
    struct Entry
    {
        WireConnection info;
        WireConversation decoder;
    };

    Entry *entry(quint64 connection, qint64 timeUs);
    void append(Entry &entry, QList<WireItem> items);
    void trim();
    static qint64 cost(const WireItem &item);

    Limits m_limits;
    std::map<quint64, std::unique_ptr<Entry>> m_entries;
    std::deque<quint64> m_order; ///< Connection ids in the order they opened.
    std::deque<WireItem> m_items;
    std::deque<WireChunk> m_chunks;
    std::deque<WireMark> m_marks;
    qint64 m_nextSequence = 1;
    qint64 m_storedBytes = 0;
    qint64 m_droppedItems = 0;
    qint64 m_droppedChunks = 0;
    WireTotals m_totals;
};

} // namespace Pushboard
