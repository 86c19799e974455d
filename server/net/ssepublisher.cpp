#include "ssepublisher.h"

#include "eventlog.h"
#include "faultstate.h"
#include "protocol/sseencoder.h"
#include "ssestream.h"

#include <QUrlQuery>

#include <memory>
#include <optional>

namespace Pushboard {

using StatusCode = HttpReply::StatusCode;

SsePublisher::SsePublisher(EventLog *store, FaultState *faults, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_faults(faults)
{
    connect(m_faults, &FaultState::released, this, &SsePublisher::publish);
    connect(&m_keepalive, &QTimer::timeout, this, &SsePublisher::sendKeepalive);
    setKeepalive(15);
}

void SsePublisher::setKeepalive(int seconds)
{
    if (seconds > 0)
        m_keepalive.start(seconds * 1000);
    else
        m_keepalive.stop();
}

void SsePublisher::serve(const HttpRequest &request, HttpReply &&reply, bool current)
{
    const QUrlQuery query(request.url());

    QString error;
    const auto topics = parseTopicList(
        query.queryItemValue(QStringLiteral("topics"), QUrl::FullyDecoded), &error);
    if (!topics) {
        reply.sendError(StatusCode::BadRequest, error);
        return;
    }

    // The header wins over the query, as EventSource sends the header on its own reconnects.
    QByteArray resumeText = request.value("Last-Event-ID").trimmed();
    const char *resumeSource = "Last-Event-ID header";
    if (resumeText.isEmpty() && query.hasQueryItem(QStringLiteral("lastEventId"))) {
        resumeText
            = query.queryItemValue(QStringLiteral("lastEventId"), QUrl::FullyDecoded).toUtf8();
        resumeSource = "lastEventId";
    }
    std::optional<quint64> resume;
    if (!resumeText.isEmpty() || query.hasQueryItem(QStringLiteral("lastEventId"))) {
        quint64 id = 0;
        if (!parseEventId(resumeText, &id)) {
            reply.sendError(StatusCode::BadRequest,
                QStringLiteral("bad %1 '%2': an event id is a decimal number")
                    .arg(QLatin1String(resumeSource), QString::fromUtf8(resumeText.left(64))));
            return;
        }
        resume = id;
    }

    if (resume && *resume > m_store->newestId() && !current) {
        // Another server may have stored it a moment ago: ask before saying `reset`.
        auto held = std::make_shared<HttpReply>(std::move(reply));
        m_store->whenCurrent(
            this, [this, request, held] { serve(request, std::move(*held), true); });
        return;
    }
    QByteArray preamble = SseEncoder::retry(m_retryMs);
    const quint64 newest = m_store->newestId();
    if (resume && *resume > newest) {
        preamble += SseEncoder::reset(newest);
        resume.reset(); // Nothing to replay: the client's position no longer exists.
    } else if (resume) {
        const quint64 firstRetained = m_store->oldestId() ? m_store->oldestId() : newest + 1;
        if (*resume + 1 < firstRetained)
            preamble += SseEncoder::gap(*resume + 1, firstRetained - 1);
    }

    auto *stream
        = new SseStream(std::move(reply), m_store, *topics, resume, m_queueLimit, &m_stats, this);
    stream->setWireCapture(m_capture);
    m_streams.append(stream);
    if (topics->isEmpty())
        m_everyTopic.append(stream);
    for (const QString &topic : *topics)
        m_byTopic[topic].append(stream);
    connect(stream, &SseStream::opened, this, [this, stream] {
        if (stream->ownsConnection())
            m_owning.insert(stream);
    });
    connect(stream, &SseStream::closed, this, [this, stream](bool slow) {
        forget(stream);
        if (slow)
            ++m_stats.slowDisconnects;
    });
    if (resume)
        ++m_stats.replays;
    // Under a stall or latency the head and the replay wait like every other delivery.
    m_faults->whenDeliverable(stream, [stream, preamble] { stream->start(preamble); });
}

void SsePublisher::forget(SseStream *stream)
{
    m_owning.remove(stream);
    m_streams.removeOne(stream);
    m_everyTopic.removeOne(stream);
    for (const QString &topic : stream->topics()) {
        const auto it = m_byTopic.find(topic);
        if (it != m_byTopic.end() && it->removeOne(stream) && it->isEmpty())
            m_byTopic.erase(it);
    }
}

void SsePublisher::publish(const EventList &events)
{
    for (const Event &event : events) {
        const QByteArray bytes = SseEncoder::event(event); // once, shared by every stream
        // A stream may close while we write and leave the lists: iterate over (implicitly
        // shared, so cheap) copies.
        for (const QList<SseStream *> streams : {m_everyTopic, m_byTopic.value(event.topic)}) {
            for (SseStream *stream : streams) {
                if (stream->isOpen())
                    stream->sendEvent(event.id, bytes);
            }
        }
    }
}

void SsePublisher::sendKeepalive()
{
    if (m_faults->isStalled())
        return; // A buffering proxy passes nothing, comments included.
    static const QByteArray keepalive = SseEncoder::comment("keepalive");
    const QList<SseStream *> streams = m_streams;
    for (SseStream *stream : streams)
        stream->sendRaw(keepalive);
}

int SsePublisher::ownConnections() const
{
    return int(m_owning.size()); // Asked at every accept: kept, not counted.
}

QList<ConnectionInfo> SsePublisher::connections() const
{
    QList<ConnectionInfo> list;
    list.reserve(m_streams.size());
    for (const SseStream *stream : m_streams)
        list.append(stream->info());
    return list;
}

int SsePublisher::dropAll()
{
    const QList<SseStream *> streams = m_streams;
    for (SseStream *stream : streams)
        stream->abort();
    return int(streams.size());
}

void SsePublisher::closeAll()
{
    const QList<SseStream *> streams = m_streams;
    for (SseStream *stream : streams)
        stream->close();
}

} // namespace Pushboard
