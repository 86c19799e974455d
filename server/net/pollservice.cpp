#include "pollservice.h"

#include "eventlog.h"
#include "faultstate.h"
#include "protocol/jsonencoder.h"

#include <QTimer>
#include <QUrlQuery>

#include <cmath>
#include <memory>

namespace Pushboard {

using StatusCode = HttpReply::StatusCode;

struct PollService::Waiter
{
    explicit Waiter(HttpReply &&r)
        : reply(std::move(r))
    { }
    HttpReply reply;
    Query query;
    QTimer timer;
    QMetaObject::Connection disconnected;
    QString peer;
    QString protocol;
    QDateTime since;
};

PollService::PollService(EventLog *store, FaultState *faults, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_faults(faults)
{
    connect(m_faults, &FaultState::released, this, &PollService::onAppended);
}

PollService::~PollService()
{
    for (const auto &waiter : m_waiters)
        disconnect(waiter->disconnected);
}

void PollService::serve(const HttpRequest &request, HttpReply &&reply, bool current)
{
    const QUrlQuery url(request.url());
    const auto param = [&url](const char *name) {
        return url.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    const auto bad
        = [&reply](const QString &reason) { reply.sendError(StatusCode::BadRequest, reason); };

    Query query;
    const quint64 newest = m_store->newestId();
    query.after = newest;
    if (url.hasQueryItem(QStringLiteral("after"))
        && !parseEventId(param("after").toUtf8(), &query.after))
        return bad(QStringLiteral("bad after '%1': an event id is a decimal number")
                       .arg(param("after").left(64)));

    QString error;
    const auto topics = parseTopicList(param("topics"), &error);
    if (!topics)
        return bad(error);
    query.topics = *topics;

    if (url.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        query.limit = param("limit").toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > MaxLimit)
            return bad(QStringLiteral("bad limit '%1': from 1 to %2")
                           .arg(param("limit").left(64))
                           .arg(MaxLimit));
    }

    double waitS = 0;
    if (url.hasQueryItem(QStringLiteral("wait"))) {
        bool ok = false;
        waitS = param("wait").toDouble(&ok);
        if (!ok || !std::isfinite(waitS) || waitS < 0 || waitS > MaxWaitS)
            return bad(QStringLiteral("bad wait '%1': seconds from 0 to %2")
                           .arg(param("wait").left(64))
                           .arg(MaxWaitS));
    }

    if (query.after > newest && !current) {
        // Another server may have stored it a moment ago: ask before saying `reset`.
        auto held = std::make_shared<HttpReply>(std::move(reply));
        m_store->whenCurrent(
            this, [this, request, held] { serve(request, std::move(*held), true); });
        return;
    }
    if (query.after > newest) {
        query.reset = true; // The log was wiped: start again from what it holds now.
        query.after = newest;
    } else {
        const quint64 firstRetained = m_store->oldestId() ? m_store->oldestId() : newest + 1;
        if (query.after + 1 < firstRetained) {
            query.gap = "{\"from\":\"" + QByteArray::number(query.after + 1) + "\",\"to\":\""
                + QByteArray::number(firstRetained - 1) + "\"}";
        }
    }

    query.seen = newest;
    const EventList events = m_store->after(query.after, query.topics, query.limit);
    const bool longPoll = waitS > 0;
    TransportStats &stats = longPoll ? m_longPollStats : m_pollStats;
    if (!events.isEmpty() || !longPoll || query.reset || !query.gap.isEmpty()) {
        // An answer is a delivery: it waits out injected latency and stalls like the rest.
        auto held = std::make_shared<HttpReply>(std::move(reply));
        m_faults->whenDeliverable(this, [this, held, query, events, &stats] {
            answer(*held, query, events, events.size() < query.limit, stats);
        });
        return;
    }

    auto waiter = std::make_unique<Waiter>(std::move(reply));
    Waiter *raw = waiter.get();
    raw->query = query;
    raw->since = QDateTime::currentDateTimeUtc();
    if (HttpResponder *responder = raw->reply.responder()) {
        raw->peer = responder->peer();
        raw->protocol = responder->protocol();
        raw->disconnected = connect(responder, &HttpResponder::clientGone, this, [this, raw] {
            const auto it = std::find_if(m_waiters.begin(), m_waiters.end(),
                [raw](const auto &w) { return w.get() == raw; });
            if (it != m_waiters.end())
                m_waiters.erase(it);
        });
    }
    raw->timer.setSingleShot(true);
    connect(&raw->timer, &QTimer::timeout, this, [this, raw] { release(raw, {}, true); });
    raw->timer.start(int(waitS * 1000));
    m_waiters.push_back(std::move(waiter));
}

void PollService::answer(HttpReply &reply, const Query &query, const EventList &events,
    bool complete, TransportStats &stats)
{
    // When everything the query could match was seen, the next poll starts past all of it
    // rather than at the last match: a filtered poll does not scan the same events again.
    const quint64 next = complete ? qMax(query.after, query.seen) : events.constLast().id;
    QByteArray body = "{\"events\":" + JsonEncoder::eventArray(events) + ",\"next\":\""
        + QByteArray::number(next) + '"';
    if (!query.gap.isEmpty())
        body += ",\"gap\":" + query.gap;
    if (query.reset)
        body += ",\"reset\":true";
    body += '}';
    reply.send(StatusCode::Ok, body, "application/json", {{"Cache-Control", "no-store"}});
    stats.eventsDelivered += quint64(events.size());
    stats.bytesSent += quint64(body.size());
}

void PollService::onAppended(const EventList &events)
{
    if (events.isEmpty())
        return;
    // Match the new events in memory: no query per waiter.
    struct Ready
    {
        Waiter *waiter;
        EventList matched;
        bool complete;
    };
    std::vector<Ready> ready;
    for (const auto &waiter : m_waiters) {
        Query &query = waiter->query;
        EventList matched;
        bool full = false;
        for (const Event &event : events) {
            if (event.id <= query.after
                || (!query.topics.isEmpty() && !query.topics.contains(event.topic)))
                continue;
            if (matched.size() == query.limit) {
                full = true; // The next poll starts after the last one answered.
                break;
            }
            matched.append(event);
        }
        if (!full)
            query.seen = qMax(query.seen, events.constLast().id);
        if (!matched.isEmpty())
            ready.push_back(Ready {waiter.get(), std::move(matched), !full});
    }
    for (const Ready &r : ready)
        release(r.waiter, r.matched, r.complete);
}

void PollService::release(Waiter *waiter, const EventList &events, bool complete)
{
    const auto it = std::find_if(
        m_waiters.begin(), m_waiters.end(), [waiter](const auto &w) { return w.get() == waiter; });
    if (it == m_waiters.end())
        return;
    std::unique_ptr<Waiter> owned = std::move(*it);
    m_waiters.erase(it);
    disconnect(owned->disconnected);
    answer(owned->reply, owned->query, events, complete, m_longPollStats);
}

int PollService::dropAll()
{
    std::vector<std::unique_ptr<Waiter>> dropped = std::move(m_waiters);
    m_waiters.clear();
    for (const auto &waiter : dropped) {
        disconnect(waiter->disconnected);
        waiter->reply.abort();
    }
    return int(dropped.size());
}

void PollService::releaseAll()
{
    std::vector<Waiter *> all;
    for (const auto &waiter : m_waiters)
        all.push_back(waiter.get());
    for (Waiter *waiter : all)
        release(waiter, {}, true);
}

QList<ConnectionInfo> PollService::connections() const
{
    QList<ConnectionInfo> list;
    for (const auto &waiter : m_waiters) {
        ConnectionInfo info;
        info.transport = QStringLiteral("longpoll");
        info.peer = waiter->peer;
        info.protocol = waiter->protocol;
        info.topics = waiter->query.topics;
        info.since = waiter->since;
        info.queuedBytes = waiter->reply.queuedBytes();
        list.append(info);
    }
    return list;
}

} // namespace Pushboard
