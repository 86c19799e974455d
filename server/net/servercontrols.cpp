#include "servercontrols.h"

#include "eventlog.h"
#include "faultstate.h"
#include "pollservice.h"
#include "samplingscheduler.h"
#include "ssepublisher.h"

#include <QLoggingCategory>

#include <cmath>

Q_LOGGING_CATEGORY(lcControls, "pushboard.server.controls", QtInfoMsg)

namespace Pushboard {

namespace {

/// `args[name]` as a whole number in [min, max], or an error.
std::optional<qint64> number(
    const QJsonObject &args, const char *name, qint64 min, qint64 max, QString *error)
{
    const QJsonValue value = args.value(QLatin1String(name));
    const double d = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(d) != d || d < double(min) || d > double(max)) {
        *error = QStringLiteral("args.%1 must be a whole number from %2 to %3")
                     .arg(QLatin1String(name))
                     .arg(min)
                     .arg(max);
        return std::nullopt;
    }
    return qint64(d);
}

} // namespace

ServerControls::ServerControls(const Parts &parts, int keepaliveS)
    : m_parts(parts)
    , m_keepaliveS(keepaliveS)
{ }

QJsonObject ServerControls::state() const
{
    return {{QStringLiteral("interval"), m_parts.scheduler->interval()},
        {QStringLiteral("paused"), m_parts.scheduler->isPaused()},
        {QStringLiteral("keepalive"), m_keepaliveS},
        {QStringLiteral("latency"), m_parts.faults->latency()},
        {QStringLiteral("stallRemaining"), m_parts.faults->stallRemaining()},
        {QStringLiteral("connections"),
            QJsonObject {{QStringLiteral("sse"), int(m_parts.sse->streams().size())},
                {QStringLiteral("ws"), m_parts.channel->clientCount()},
                {QStringLiteral("longpoll"), m_parts.poll->waiterCount()}}}};
}

std::optional<QString> ServerControls::apply(
    const QString &action, const QJsonObject &args, const QObject *requester)
{
    QString error;
    if (action == QLatin1String("setInterval")) {
        const auto ms = number(args, "ms", 10, 24 * 3600 * 1000, &error);
        if (!ms)
            return error;
        m_parts.scheduler->setInterval(int(*ms));
    } else if (action == QLatin1String("pauseSources")) {
        m_parts.scheduler->pause();
    } else if (action == QLatin1String("resumeSources")) {
        m_parts.scheduler->resume();
    } else if (action == QLatin1String("setKeepalive")) {
        const auto s = number(args, "s", 1, 3600, &error);
        if (!s)
            return error;
        m_keepaliveS = int(*s);
        m_parts.sse->setKeepalive(m_keepaliveS);
        m_parts.channel->setKeepalive(m_keepaliveS);
    } else if (action == QLatin1String("dropConnections")) {
        const QString transport = args.value(QStringLiteral("transport")).toString();
        const bool all = transport == QLatin1String("all");
        if (!all && transport != QLatin1String("sse") && transport != QLatin1String("ws")
            && transport != QLatin1String("poll"))
            return QStringLiteral("args.transport must be sse, ws, poll or all");
        if (all || transport == QLatin1String("sse"))
            m_parts.sse->dropAll();
        if (all || transport == QLatin1String("ws"))
            m_parts.channel->dropAll(requester);
        if (all || transport == QLatin1String("poll"))
            m_parts.poll->dropAll();
    } else if (action == QLatin1String("stall")) {
        const auto ms = number(args, "ms", 0, FaultState::MaxMs, &error);
        if (!ms)
            return error;
        m_parts.faults->stall(int(*ms));
    } else if (action == QLatin1String("setLatency")) {
        const auto ms = number(args, "ms", 0, FaultState::MaxMs, &error);
        if (!ms)
            return error;
        m_parts.faults->setLatency(int(*ms));
    } else if (action == QLatin1String("burst")) {
        const QString topic = args.value(QStringLiteral("topic")).toString();
        if (!isValidTopic(topic))
            return QStringLiteral(
                "args.topic must be a topic name matching [a-z0-9][a-z0-9._-]{0,63}");
        const auto count = number(args, "count", 1, 10000, &error);
        if (!count)
            return error;
        QList<EventDraft> drafts;
        drafts.reserve(*count);
        for (qint64 i = 1; i <= *count; ++i)
            drafts.append(EventDraft {topic,
                "{\"n\":" + QByteArray::number(i) + ",\"of\":" + QByteArray::number(*count) + '}'});
        if (!m_parts.store->isWritable())
            return QStringLiteral("the event log cannot be written: %1")
                .arg(m_parts.store->errorString());
        // Answered now (the log is writable); a commit that fails after all is logged.
        m_parts.store->publish(drafts, [](const EventList &stored, const QString &error) {
            if (stored.isEmpty())
                qCWarning(lcControls).noquote() << "burst not stored:" << error;
        });
    } else {
        return QStringLiteral(
            "unknown action '%1': setInterval, pauseSources, resumeSources, setKeepalive, "
            "dropConnections, stall, setLatency or burst")
            .arg(action.left(40));
    }
    return std::nullopt;
}

} // namespace Pushboard
