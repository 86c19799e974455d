#include "capturelog.h"

#include <chrono>

namespace Pushboard {

namespace {
constexpr qsizetype MaxMarks = 10'000;
}

qint64 WireObserver::nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

CaptureLog::CaptureLog(Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
{ }

CaptureLog::~CaptureLog() = default;

qint64 CaptureLog::cost(const WireItem &item)
{
    // What the item holds on the heap, near enough: its bytes, its strings (UTF-16) and the
    // fixed parts. Constant strings (meanings, sections) are counted too, to stay on the safe
    // side of the cap.
    qint64 bytes = 320 + item.raw.size() + item.payload.size() + 2 * item.summary.size();
    for (const WireField &field : item.fields)
        bytes += 96
            + 2
                * (field.name.size() + field.value.size() + field.meaning.size()
                    + field.section.size());
    if (item.event)
        bytes += 64
            + 2
                * (item.event->type.size() + item.event->data.size()
                    + item.event->lastEventId.size());
    if (item.head) {
        for (const auto &[name, value] : item.head->headers)
            bytes += 48 + name.size() + value.size();
    }
    return bytes;
}

CaptureLog::Entry *CaptureLog::entry(quint64 connection, qint64 timeUs)
{
    auto it = m_entries.find(connection);
    if (it != m_entries.end())
        return it->second.get();
    wireOpened(connection, {}, timeUs); // Bytes of a connection opened before anyone watched.
    return m_entries.at(connection).get();
}

void CaptureLog::wireOpened(quint64 connection, const WireEndpoints &endpoints, qint64 timeUs)
{
    auto &slot = m_entries[connection];
    if (slot) {
        slot->info.endpoints = endpoints;
        return;
    }
    slot = std::make_unique<Entry>();
    slot->info.id = connection;
    slot->info.endpoints = endpoints;
    slot->info.openedUs = timeUs;
    ++m_totals.connections;
    m_order.push_back(connection);
    // Forget the oldest closed connections past the cap (their items stay until trimmed).
    while (qsizetype(m_order.size()) > m_limits.maxConnections) {
        auto victim = std::find_if(m_order.begin(), m_order.end(),
            [this](quint64 id) { return !m_entries.at(id)->info.isOpen(); });
        if (victim == m_order.end())
            break;
        m_entries.erase(*victim);
        m_order.erase(victim);
    }
    m_marks.push_back({connection, timeUs, WireMark::Kind::Opened,
        endpoints.clientAddress.isEmpty() ? QStringLiteral("connected")
                                          : QStringLiteral("connected from %1:%2")
                                                .arg(endpoints.clientAddress)
                                                .arg(endpoints.clientPort)});
    if (qsizetype(m_marks.size()) > MaxMarks)
        m_marks.pop_front();
    Q_EMIT connectionsChanged();
    Q_EMIT marksAdded();
}

void CaptureLog::wireJoined(quint64 connection, const WireEndpoints &endpoints,
    WireConversation::Transport transport, qint64 timeUs)
{
    const bool known = m_entries.count(connection) > 0;
    wireOpened(connection, endpoints, timeUs);
    if (known)
        return;
    Entry &e = *m_entries.at(connection);
    e.decoder.joinMidStream(transport);
    e.info.transport = transport;
    mark(connection,
        QStringLiteral("capture joined mid-stream (%1)")
            .arg(WireConversation::transportName(transport)),
        timeUs);
}

void CaptureLog::wireBytes(
    quint64 connection, WireDirection direction, QByteArrayView bytes, qint64 timeUs)
{
    if (bytes.isEmpty())
        return;
    Entry *e = entry(connection, timeUs);
    e->info.bytes[int(direction)] += bytes.size();
    m_totals.bytes[int(direction)] += bytes.size();
    m_chunks.push_back({connection, direction, timeUs, bytes.toByteArray()});
    m_storedBytes += bytes.size() + 64;
    QList<WireItem> items = e->decoder.feed(direction, bytes, timeUs);
    const auto transport = e->decoder.transport();
    const bool changed = transport != e->info.transport;
    e->info.transport = transport;
    e->info.target = e->decoder.firstTarget();
    append(*e, std::move(items));
    trim();
    if (changed)
        Q_EMIT connectionsChanged();
}

void CaptureLog::wireClosed(quint64 connection, const QString &reason, qint64 timeUs)
{
    Entry *e = entry(connection, timeUs);
    if (!e->info.isOpen())
        return;
    e->info.closedUs = timeUs;
    e->info.closeReason = reason;
    append(*e, e->decoder.finish(timeUs));
    trim();
    m_marks.push_back({connection, timeUs, WireMark::Kind::Closed,
        reason.isEmpty() ? QStringLiteral("closed") : QStringLiteral("closed: ") + reason});
    if (qsizetype(m_marks.size()) > MaxMarks)
        m_marks.pop_front();
    Q_EMIT connectionsChanged();
    Q_EMIT marksAdded();
}

void CaptureLog::mark(quint64 connection, const QString &text, qint64 timeUs)
{
    m_marks.push_back({connection, timeUs, WireMark::Kind::Fault, text});
    if (qsizetype(m_marks.size()) > MaxMarks)
        m_marks.pop_front();
    Q_EMIT marksAdded();
}

void CaptureLog::append(Entry &entry, QList<WireItem> items)
{
    if (items.isEmpty())
        return;
    for (WireItem &item : items) {
        item.connection = entry.info.id;
        item.sequence = m_nextSequence++;
        ++entry.info.items[int(item.direction)];
        ++m_totals.items[int(item.direction)];
        if (item.kind == WireItem::Kind::RequestHead)
            ++m_totals.requests;
        m_storedBytes += cost(item);
        m_items.push_back(std::move(item));
    }
    Q_EMIT itemsAdded();
}

void CaptureLog::trim()
{
    while (!m_items.empty()
        && (qsizetype(m_items.size()) > m_limits.maxItems || m_storedBytes > m_limits.maxBytes)) {
        // Chunks and items age together: drop whichever is older.
        if (!m_chunks.empty() && m_chunks.front().timeUs <= m_items.front().timeUs) {
            m_storedBytes -= m_chunks.front().bytes.size() + 64;
            m_chunks.pop_front();
            ++m_droppedChunks;
            continue;
        }
        m_storedBytes -= cost(m_items.front());
        m_items.pop_front();
        ++m_droppedItems;
    }
    while (!m_chunks.empty() && m_storedBytes > m_limits.maxBytes) {
        m_storedBytes -= m_chunks.front().bytes.size() + 64;
        m_chunks.pop_front();
        ++m_droppedChunks;
    }
}

QList<const WireConnection *> CaptureLog::connections() const
{
    QList<const WireConnection *> list;
    list.reserve(qsizetype(m_order.size()));
    for (const quint64 id : m_order)
        list.append(&m_entries.at(id)->info);
    return list;
}

const WireConnection *CaptureLog::connection(quint64 id) const
{
    const auto it = m_entries.find(id);
    return it == m_entries.end() ? nullptr : &it->second->info;
}

const WireItem *CaptureLog::item(qint64 sequence) const
{
    const qint64 index = sequence - firstSequence();
    if (index < 0 || index >= qint64(m_items.size()))
        return nullptr;
    return &m_items[size_t(index)];
}

void CaptureLog::clear()
{
    // Open connections keep their decoders (their bytes go on); everything recorded goes.
    for (auto it = m_order.begin(); it != m_order.end();) {
        if (!m_entries.at(*it)->info.isOpen()) {
            m_entries.erase(*it);
            it = m_order.erase(it);
        } else {
            ++it;
        }
    }
    m_items.clear();
    m_chunks.clear();
    m_marks.clear();
    m_storedBytes = 0;
    m_droppedItems = 0;
    m_droppedChunks = 0;
    m_totals = WireTotals();
    Q_EMIT cleared();
    Q_EMIT connectionsChanged();
}

} // namespace Pushboard
