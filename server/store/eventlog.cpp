#include "eventlog.h"

#include <algorithm>

namespace Pushboard {

EventLog::EventLog(QObject *parent)
    : QObject(parent)
{
    m_groupTimer.setSingleShot(true);
    m_groupTimer.setInterval(0); // The next turn of the event loop: one commit per turn.
    connect(&m_groupTimer, &QTimer::timeout, this, &EventLog::commitQueued);
}

EventLog::~EventLog() = default;

void EventLog::publish(const QList<EventDraft> &drafts, Done done)
{
    m_queued += drafts;
    m_waiting.append(Waiting {drafts.size(), std::move(done)});
    if (!m_groupTimer.isActive())
        m_groupTimer.start();
}

void EventLog::whenCurrent(QObject *context, std::function<void()> then)
{
    if (context)
        then();
}

void EventLog::commitQueued()
{
    QList<EventDraft> drafts = std::exchange(m_queued, {});
    QList<Waiting> waiting = std::exchange(m_waiting, {});
    if (drafts.isEmpty()) {
        for (const Waiting &publisher : std::as_const(waiting)) {
            if (publisher.done)
                publisher.done({}, {});
        }
        return;
    }
    commit(drafts, [waiting](const EventList &stored, const QString &error) {
        qsizetype first = 0;
        for (const Waiting &publisher : waiting) {
            if (publisher.done) {
                if (stored.isEmpty())
                    publisher.done({}, error);
                else
                    publisher.done(stored.mid(first, publisher.count), {});
            }
            first += publisher.count;
        }
    });
}

void EventLog::countStored(const EventList &events)
{
    for (const Event &event : events) {
        TopicInfo &info = m_topics[event.topic];
        info.topic = event.topic;
        ++info.count;
        info.newest = event;
    }
}

void EventLog::countPruned(const QHash<QString, qint64> &removedByTopic)
{
    for (auto it = removedByTopic.cbegin(); it != removedByTopic.cend(); ++it) {
        const auto topic = m_topics.find(it.key());
        if (topic != m_topics.end() && (topic->count -= it.value()) <= 0)
            m_topics.erase(topic);
    }
}

qint64 EventLog::count() const
{
    qint64 total = 0;
    for (const TopicInfo &info : m_topics)
        total += info.count;
    return total;
}

QList<TopicInfo> EventLog::topics() const
{
    QList<TopicInfo> list = m_topics.values();
    std::sort(list.begin(), list.end(),
        [](const TopicInfo &a, const TopicInfo &b) { return a.topic < b.topic; });
    return list;
}

EventList EventLog::snapshot() const
{
    EventList events;
    events.reserve(m_topics.size());
    for (const TopicInfo &info : m_topics)
        events.append(info.newest);
    std::sort(
        events.begin(), events.end(), [](const Event &a, const Event &b) { return a.id < b.id; });
    return events;
}

} // namespace Pushboard
