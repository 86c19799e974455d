#include "sseprobe.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pushboard {

std::optional<qint64> eventOwnTimeMs(const QString &data)
{
    if (data.size() > 64 * 1024 || !data.startsWith(QLatin1Char('{')))
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(data.toUtf8()).object();
    for (const char *key : {"time", "timestamp", "ts"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isDouble()) {
            const double number = value.toDouble();
            if (number > 1e12 && number < 1e14)
                return qint64(number); // ms since the epoch
            if (number > 1e9 && number < 1e11)
                return qint64(number * 1000); // s
        } else if (value.isString()) {
            const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
            if (time.isValid())
                return time.toMSecsSinceEpoch();
        }
    }
    return std::nullopt;
}

SseProbe::SseProbe(const QElapsedTimer &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_connection(clock)
{
    connect(&m_connection, &ProbeConnection::headReceived, this, [this] {
        m_lastByteMs = m_connection.headAtMs();
        Q_EMIT headReceived();
    });
    connect(&m_connection, &ProbeConnection::bodyReceived, this, &SseProbe::onBody);
    connect(&m_connection, &ProbeConnection::finished, this, &SseProbe::onFinished);
}

void SseProbe::open(ProbeConnection::Request request, const QString &lastEventId)
{
    request.headers.prepend({QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream")});
    request.addHeader("Cache-Control", "no-cache");
    // What Chromium's EventSource sends, less br (which the check cannot decode).
    request.addHeader("Accept-Encoding", "gzip, deflate");
    if (!lastEventId.isEmpty())
        request.addHeader("Last-Event-ID", lastEventId.toUtf8());
    m_lastEventId = lastEventId;
    m_connection.start(request);
}

void SseProbe::close()
{
    if (hasEnded())
        return;
    m_closedByUs = true;
    m_connection.abort();
    m_endedAtMs = m_clock.elapsed();
    m_endClean = true;
    Q_EMIT ended();
}

bool SseProbe::isStreaming() const
{
    return !hasEnded() && m_connection.hasHead() && m_connection.head().status == 200;
}

qint64 SseProbe::longestSilenceMs(qint64 nowMs) const
{
    if (m_lastByteMs < 0)
        return 0;
    const qint64 until = hasEnded() ? m_endedAtMs : nowMs;
    return qMax(m_longestSilenceMs, until - m_lastByteMs);
}

void SseProbe::onBody(const QByteArray &bytes, qint64 atMs, qint64 read)
{
    if (m_lastByteMs >= 0)
        m_longestSilenceMs = qMax(m_longestSilenceMs, atMs - m_lastByteMs);
    m_lastByteMs = atMs;
    if (m_decoder.hasFailed())
        return;
    const QList<SseBlock> blocks = m_decoder.feed(bytes);
    int comments = 0;
    bool received = false;
    for (const SseBlock &block : blocks) {
        if (block.retry)
            m_retry = block.retry;
        m_lastEventId = block.lastEventId;
        if (block.isCommentOnly()) {
            ++comments;
            if (m_comments.size() < MaxRecorded)
                m_comments.append(atMs);
            continue;
        }
        if (!block.event)
            continue;
        const SseMessage &message = *block.event;
        ++m_eventCount;
        received = true;
        if (m_events.size() >= MaxRecorded)
            continue;
        Event event;
        event.id = message.lastEventId;
        event.ownId = message.ownId;
        event.type = message.type;
        event.dataHash = qHash(message.data);
        if (m_events.size() < EvidenceEvents)
            event.dataStart = message.data.left(60);
        event.atMs = atMs;
        event.read = read;
        event.ownTimeMs = eventOwnTimeMs(message.data);
        if (event.ownId) {
            const auto seen = m_index.constFind(event.id);
            if (seen == m_index.constEnd()) {
                m_index.insert(event.id, m_events.size());
            } else if (m_events.at(*seen).dataHash != event.dataHash && m_conflicts.size() < 5) {
                m_conflicts.append(event.id);
            }
            m_lastOwn = m_events.size();
        }
        m_events.append(event);
    }
    if (comments >= 2)
        ++m_bunchedComments;
    if (received)
        Q_EMIT eventReceived();
}

void SseProbe::onFinished(const QString &error, bool clean)
{
    if (hasEnded())
        return;
    m_endedAtMs = m_clock.elapsed();
    m_endError = error;
    m_endClean = clean && error.isEmpty();
    Q_EMIT ended();
}

} // namespace Pushboard
