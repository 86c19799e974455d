#include "ssecheck.h"

#include "checkids.h"
#include "sseprobe.h"

#include <QRandomGenerator>

#include <algorithm>

namespace Pushboard {

namespace {

using Verdict = CheckItem::Verdict;

constexpr qint64 ResumeWaitMs = 5000; ///< For two events after the mark.
constexpr qint64 ResumeLimitMs = 8000; ///< For the resume to catch up.
constexpr qint64 UnknownMs = 2000;
constexpr qint64 OldLimitMs = 10000;
constexpr qint64 ReconnectMs = 3000;
constexpr qint64 DefaultRetryMs = 3000; ///< Chromium's, when the server sends no `retry:`.
constexpr qint64 MaxRetryWaitMs = 5000;
/// Events whose own times lie this far apart, read at once, were held by someone.
constexpr qint64 BunchSpanMs = 1500;

bool isNumericId(const QString &id)
{
    return !id.isEmpty() && id.size() <= 19
        && std::all_of(id.cbegin(), id.cend(), [](QChar c) { return c.isDigit(); });
}

QString idList(const QStringList &ids)
{
    if (ids.size() <= 6)
        return ids.join(QStringLiteral(", "));
    return QStringLiteral("%1, ... %2 (%3 in all)")
        .arg(ids.mid(0, 3).join(QStringLiteral(", ")), ids.last())
        .arg(ids.size());
}

QString quoted(const QByteArray &value)
{
    return value.isEmpty() ? QStringLiteral("(none)")
                           : QStringLiteral("'%1'").arg(QString::fromLatin1(value.left(120)));
}

} // namespace

SseCheck::SseCheck(const CheckOptions &options, QObject *parent)
    : EndpointCheck(options, QStringLiteral("sse"), parent)
{
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &SseCheck::advance);
    connect(&m_h2, &Http2Probe::finished, this, &SseCheck::advance);
}

SseCheck::~SseCheck() = default;

void SseCheck::start()
{
    m_main = openProbe(QString());
    connect(m_main, &SseProbe::eventReceived, this, &SseCheck::advance);
    m_h2.start(m_options.url, m_options.tls, 5000);
    m_tick.start();
}

bool SseCheck::hasAnswered() const
{
    return m_main && m_main->connection().hasHead();
}

void SseCheck::stop()
{
    for (SseProbe *probe : {m_main, m_resume, m_unknown, m_old, m_reconnect}) {
        if (probe)
            probe->close();
    }
    conclude();
}

SseProbe *SseCheck::openProbe(const QString &lastEventId)
{
    auto *probe = new SseProbe(m_clock, this);
    connect(probe, &SseProbe::ended, this, &SseCheck::advance, Qt::QueuedConnection);
    probe->open(baseRequest(), lastEventId);
    return probe;
}

void SseCheck::advance()
{
    if (m_concluded)
        return;
    const qint64 now = m_clock.elapsed();
    if (m_main->hasEnded() && !m_main->connection().hasHead()) {
        // Not even an answer: nothing else can be probed.
        stop();
        return;
    }
    scheduleResume(now);
    scheduleHistoryProbes(now);
    if (!m_main->hasEnded() && now >= observeMs())
        m_main->close();
    scheduleReconnect(now);
    if (isDone())
        conclude();
}

void SseCheck::scheduleResume(qint64 now)
{
    if (!m_main->isStreaming() && !m_resume)
        return;
    const QList<SseProbe::Event> &events = m_main->events();
    if (m_mark < 0) {
        // After the first second, so that whatever the server sends on connecting is past.
        if (now - m_main->connection().headAtMs() >= 1000 && m_main->lastOwnIndex() >= 0) {
            m_mark = m_main->lastOwnIndex();
            m_markAtMs = now;
        }
        return;
    }
    if (!m_resume) {
        const qsizetype after = std::count_if(events.cbegin() + m_mark + 1, events.cend(),
            [](const SseProbe::Event &event) { return event.ownId; });
        if (after < 2 && now - m_markAtMs < ResumeWaitMs)
            return;
        m_resumeUntil = m_main->lastOwnIndex();
        m_resume = openProbe(events.at(m_mark).id);
        connect(m_resume, &SseProbe::eventReceived, this, &SseCheck::advance);
        return;
    }
    if (m_resume->hasEnded())
        return;
    const qint64 openedAt = m_resume->connection().sentAtMs();
    if (m_resumeUntil > m_mark && m_resumeCaughtAtMs < 0
        && m_resume->indexOf(events.at(m_resumeUntil).id) >= 0)
        m_resumeCaughtAtMs = now;
    const bool caughtUp = m_resumeCaughtAtMs >= 0 && now - m_resumeCaughtAtMs >= 300;
    const qint64 limit = m_resumeUntil > m_mark ? ResumeLimitMs : UnknownMs;
    if (caughtUp || (openedAt >= 0 && now - openedAt >= limit)
        || (openedAt < 0 && now - m_markAtMs > ResumeWaitMs + ResumeLimitMs))
        m_resume->close();
}

void SseCheck::scheduleHistoryProbes(qint64 now)
{
    if (m_unknown) {
        const qint64 openedAt = m_unknown->connection().sentAtMs();
        if (!m_unknown->hasEnded() && openedAt >= 0 && now - openedAt >= UnknownMs)
            m_unknown->close();
        if (!m_old->hasEnded()) {
            const qint64 oldOpenedAt = m_old->connection().sentAtMs();
            const bool caughtUp = m_oldUntil < m_oldFrom || oldReachedLive();
            if (caughtUp || (oldOpenedAt >= 0 && now - oldOpenedAt >= OldLimitMs)
                || (oldOpenedAt < 0 && now - m_markAtMs > 60000))
                m_old->close();
        }
        return;
    }
    // The main stream is only the reference up to now: it may have closed meanwhile.
    if (!m_resume || !m_resume->hasEnded())
        return;
    const QList<SseProbe::Event> &events = m_main->events();
    const QString last = events.at(m_main->lastOwnIndex()).id;
    const auto firstOwn = std::find_if(
        events.cbegin(), events.cend(), [](const SseProbe::Event &event) { return event.ownId; });
    const QString first = firstOwn->id; // there is one: the mark
    // Ids in the stream's own format: "1234" or "1796106906:0" become ones far after the last
    // (never issued) and far before the first.
    m_unknownId = shiftedId(last, 1000000000);
    if (m_unknownId.isEmpty())
        m_unknownId = QStringLiteral("pushboard-check-%1")
                          .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
    m_unknownBefore = m_main->lastOwnIndex();
    m_unknown = openProbe(m_unknownId);
    m_oldId = shiftedId(first, -1000000000);
    if (!m_oldId.isEmpty() && m_oldId != first) {
        m_oldFrom = m_main->indexOf(first);
    } else {
        m_oldId = first; // nothing older to say: the oldest id known, the main stream's first
        m_oldFrom = m_main->indexOf(first) + 1;
    }
    m_oldUntil = m_main->lastOwnIndex();
    m_old = openProbe(m_oldId);
    connect(m_old, &SseProbe::eventReceived, this, &SseCheck::advance);
}

bool SseCheck::oldReachedLive() const
{
    // It brought the main stream's last event when it opened, or one the main stream saw later
    // (a replay that skipped ahead).
    const QList<SseProbe::Event> &main = m_main->events();
    if (m_old->indexOf(main.at(m_oldUntil).id) >= 0)
        return true;
    for (qsizetype i = m_oldUntil + 1; i < main.size(); ++i) {
        if (main.at(i).ownId && m_old->indexOf(main.at(i).id) >= 0)
            return true;
    }
    return false;
}

void SseCheck::scheduleReconnect(qint64 now)
{
    if (!m_main->hasEnded() || m_main->closedByUs() || m_main->connection().head().status != 200)
        return;
    if (!m_reconnect) {
        const qint64 wait = qMin(m_main->retry().value_or(DefaultRetryMs), MaxRetryWaitMs);
        if (now - m_main->endedAtMs() >= wait)
            m_reconnect = openProbe(m_main->lastEventId());
        return;
    }
    const qint64 openedAt = m_reconnect->connection().sentAtMs();
    if (!m_reconnect->hasEnded() && openedAt >= 0 && now - openedAt >= ReconnectMs)
        m_reconnect->close();
    if (!m_reconnect->hasEnded() && openedAt < 0 && now - m_main->endedAtMs() > 30000)
        m_reconnect->close();
}

bool SseCheck::isDone() const
{
    if (!m_main->hasEnded() || !m_h2.isDone())
        return false;
    for (const SseProbe *probe : {m_resume, m_unknown, m_old, m_reconnect}) {
        if (probe && !probe->hasEnded())
            return false;
    }
    const bool serverClosed = !m_main->closedByUs() && m_main->connection().head().status == 200;
    return !serverClosed || m_reconnect;
}

void SseCheck::conclude()
{
    if (m_concluded)
        return;
    m_concluded = true;
    m_tick.stop();
    if (!m_main->connection().hasHead()) {
        add(QStringLiteral("sse.reach"), QStringLiteral("Reachable"), Verdict::Fail,
            m_main->endError().isEmpty() ? QStringLiteral("stopped before the server answered")
                                         : m_main->endError(),
            QStringLiteral("Nothing else can be checked without an answer."));
        finishReport(false);
        return;
    }
    judgeHead();
    judgeStream();
    judgeResume();
    judgeUnknown();
    judgeOld();
    judgeReconnect();
    judge204();
    judgeHttp2();
    finishReport(true);
}

void SseCheck::judgeHead()
{
    const ProbeConnection &connection = m_main->connection();
    const HttpHead &head = connection.head();
    add(QStringLiteral("sse.status"), QStringLiteral("Status"),
        head.status == 200 ? Verdict::Pass : Verdict::Fail, QString::fromLatin1(head.startLine()),
        head.status == 204
            ? QStringLiteral("204 tells EventSource to stop for good: there is no stream here.")
            : QStringLiteral("EventSource fails the connection for good on any status but 200."));

    const QByteArray type = head.value("Content-Type");
    const QByteArray mime = type.split(';').first().trimmed().toLower();
    QByteArray charset;
    for (const QByteArray &parameter : type.split(';').mid(1)) {
        const QByteArray trimmed = parameter.trimmed().toLower();
        if (trimmed.startsWith("charset="))
            charset = trimmed.mid(8).replace('"', "");
    }
    Verdict typeVerdict = Verdict::Pass;
    QString typeWhy
        = QStringLiteral("EventSource fails the connection unless it is text/event-stream.");
    if (mime != "text/event-stream") {
        typeVerdict = Verdict::Fail;
    } else if (!charset.isEmpty() && charset != "utf-8") {
        typeVerdict = Verdict::Fail;
        typeWhy = QStringLiteral("An event stream is always UTF-8: a client decodes it as UTF-8 "
                                 "whatever the charset says.");
    }
    add(QStringLiteral("sse.content-type"), QStringLiteral("Content-Type"), typeVerdict,
        quoted(type), typeWhy);

    const bool noCache
        = head.hasToken("Cache-Control", "no-cache") || head.hasToken("Cache-Control", "no-store");
    add(QStringLiteral("sse.cache-control"), QStringLiteral("Cache-Control"),
        noCache ? Verdict::Pass : Verdict::Warn, quoted(head.value("Cache-Control")),
        QStringLiteral("Without no-cache (or no-store) a cache or proxy may keep the stream and "
                       "serve it again."));

    const QByteArray coding = connection.contentCoding();
    add(QStringLiteral("sse.compression"), QStringLiteral("Compression"),
        coding.isEmpty() ? Verdict::Pass : Verdict::Warn,
        coding.isEmpty()
            ? QStringLiteral("not compressed (Accept-Encoding: gzip, deflate was offered)")
            : QStringLiteral("Content-Encoding: %1").arg(QString::fromLatin1(coding)),
        QStringLiteral("A compressor holds bytes until it fills a block: unless every event is "
                       "flushed through it, events arrive late and in bunches."));

    Verdict firstVerdict = Verdict::Pass;
    QString firstEvidence;
    const qint64 headDelay = connection.headAtMs() - connection.sentAtMs();
    if (connection.firstBodyAtMs() < 0) {
        firstVerdict = head.status == 200 ? Verdict::Warn : Verdict::Skip;
        firstEvidence = QStringLiteral("head after %1; no body byte in %2")
                            .arg(formatDuration(headDelay),
                                formatDuration(m_main->endedAtMs() - connection.headAtMs()));
    } else {
        const qint64 bodyDelay = connection.firstBodyAtMs() - connection.sentAtMs();
        firstVerdict = bodyDelay > 2000 ? Verdict::Warn : Verdict::Pass;
        firstEvidence = QStringLiteral("head after %1, first body byte after %2")
                            .arg(formatDuration(headDelay), formatDuration(bodyDelay));
    }
    add(QStringLiteral("sse.first-byte"), QStringLiteral("First byte"), firstVerdict, firstEvidence,
        QStringLiteral("Some proxies and fetch() clients show nothing until the first body bytes: "
                       "send a comment or retry: at once."));

    const auto retry = m_main->retry();
    add(QStringLiteral("sse.retry"), QStringLiteral("retry: sent"),
        retry ? Verdict::Pass : Verdict::Warn,
        retry ? QStringLiteral("retry: %1 (ms)").arg(*retry)
              : QStringLiteral("none: browsers wait their own default (3 s in Chromium, 5 s in "
                               "Firefox) before reconnecting"),
        QStringLiteral("retry: tells every client how soon to come back, the same in every "
                       "browser."));
}

void SseCheck::judgeStream()
{
    const bool streamed = m_main->connection().head().status == 200;
    const QString notStreamed = QStringLiteral("the stream did not open");
    const qint64 end = m_main->endedAtMs();
    const qint64 lifetime = end - m_main->connection().headAtMs();
    const QList<SseProbe::Event> &events = m_main->events();

    // Keepalive: comments, and the longest silence.
    const qint64 threshold = qint64(m_options.idleS > 0 ? m_options.idleS : 60) * 1000;
    const qint64 silence = m_main->longestSilenceMs(end);
    const QList<qint64> &comments = m_main->commentTimes();
    QList<qint64> gaps;
    for (qsizetype i = 1; i < comments.size(); ++i)
        gaps.append(comments.at(i) - comments.at(i - 1));
    std::sort(gaps.begin(), gaps.end());
    QString keepaliveEvidence = QStringLiteral("%1 comment lines in %2; longest silence %3")
                                    .arg(comments.size())
                                    .arg(formatDuration(lifetime), formatDuration(silence));
    if (!gaps.isEmpty())
        keepaliveEvidence += QStringLiteral("; comments every %1 (median)")
                                 .arg(formatDuration(gaps.at(gaps.size() / 2)));
    // Without comments only the events keep the stream alive: a fail once quiet spells reach
    // half the time-out, since a quieter hour will reach all of it.
    // Comments keep up when no stretch of the stream, from its head to its end, went without
    // one for the whole time-out.
    qint64 commentless = comments.isEmpty()
        ? lifetime
        : qMax(comments.first() - m_main->connection().headAtMs(), end - comments.last());
    if (!gaps.isEmpty())
        commentless = qMax(commentless, gaps.last());
    const bool commentsKeepUp = commentless < threshold;
    keepaliveEvidence += QStringLiteral("; longest stretch without a comment %1")
                             .arg(formatDuration(commentless));
    Verdict keepalive = Verdict::Pass;
    if (!streamed)
        keepalive = Verdict::Skip;
    else if (silence >= threshold || (!commentsKeepUp && silence >= threshold / 2))
        keepalive = Verdict::Fail;
    else if (!commentsKeepUp)
        keepalive = Verdict::Warn;
    else if (comments.isEmpty()) // a stream watched for less than the time-out, and no comment
        keepalive = Verdict::Skip;
    if (keepalive == Verdict::Skip && streamed)
        keepaliveEvidence += QStringLiteral(": too short to tell");
    add(QStringLiteral("sse.keepalive"), QStringLiteral("Keepalive"), keepalive,
        streamed ? keepaliveEvidence : notStreamed,
        QStringLiteral("A proxy closes a connection that is silent for its idle time-out (%1 "
                       "here): a quiet stream needs comments well inside it.")
            .arg(formatDuration(threshold)));

    // Ids.
    QStringList ownIds;
    qsizetype withoutId = 0;
    for (const SseProbe::Event &event : events) {
        if (event.ownId)
            ownIds.append(event.id);
        else
            ++withoutId;
    }
    Verdict idVerdict = Verdict::Pass;
    QString idEvidence;
    QString idWhy = QStringLiteral(
        "Last-Event-ID can only resume from an id: events without one are lost or sent twice "
        "across a reconnect.");
    if (events.isEmpty()) {
        idVerdict = Verdict::Skip;
        idEvidence = streamed
            ? QStringLiteral("no event arrived in %1").arg(formatDuration(lifetime))
            : notStreamed;
    } else if (ownIds.isEmpty()) {
        idVerdict = Verdict::Fail;
        idEvidence = QStringLiteral("none of %1 events had an id").arg(events.size());
    } else if (!m_main->conflictingIds().isEmpty()) {
        idVerdict = Verdict::Fail;
        idEvidence = QStringLiteral("the same id on different events: %1")
                         .arg(m_main->conflictingIds().join(QStringLiteral(", ")));
        idWhy = QStringLiteral("A client that resumes from a reused id cannot be told where it "
                               "was.");
    } else {
        const bool numeric = std::all_of(ownIds.cbegin(), ownIds.cend(), isNumericId);
        qsizetype backwards = -1;
        for (qsizetype i = 1; i < ownIds.size() && backwards < 0; ++i) {
            const bool ordered = naturalIdLess(ownIds.at(i - 1), ownIds.at(i));
            if (!ordered)
                backwards = i;
        }
        idEvidence = QStringLiteral("%1 of %2 events had an id (%3 ... %4), %5")
                         .arg(ownIds.size())
                         .arg(events.size())
                         .arg(ownIds.first(), ownIds.last(),
                             numeric ? QStringLiteral("numeric") : QStringLiteral("text"));
        if (withoutId > 0) {
            idVerdict = Verdict::Warn;
        } else if (backwards > 0) {
            idVerdict = Verdict::Warn;
            idEvidence += QStringLiteral("; not increasing: %1 after %2")
                              .arg(ownIds.at(backwards), ownIds.at(backwards - 1));
            idWhy = QStringLiteral("Ids that do not increase cannot be compared: a server (or "
                                   "several) must look each one up exactly to resume.");
        } else {
            idEvidence += QStringLiteral(", increasing");
        }
    }
    add(QStringLiteral("sse.ids"), QStringLiteral("Event ids"), idVerdict, idEvidence, idWhy);

    // Types.
    QMap<QString, int> types;
    for (const SseProbe::Event &event : events)
        ++types[event.type];
    QStringList typeList;
    for (auto it = types.cbegin(); it != types.cend(); ++it)
        typeList.append(QStringLiteral("%1 (%2)").arg(it.key()).arg(it.value()));
    add(QStringLiteral("sse.types"), QStringLiteral("Event types"),
        events.isEmpty() ? Verdict::Skip : Verdict::Pass,
        events.isEmpty() ? idEvidence : typeList.join(QStringLiteral(", ")),
        QStringLiteral("onmessage sees only type message; other types need "
                       "addEventListener(type)."));

    // Surviving the idle period.
    Verdict idle = Verdict::Pass;
    QString idleEvidence;
    const qint64 idleMs = qint64(m_options.idleS) * 1000;
    if (m_options.idleS <= 0) {
        idle = Verdict::Skip;
        idleEvidence = QStringLiteral("--idle 0");
    } else if (!streamed) {
        idle = Verdict::Skip;
        idleEvidence = notStreamed;
    } else if (m_main->closedByUs() && lifetime >= idleMs) {
        idleEvidence = QStringLiteral("open for %1; longest silence %2")
                           .arg(formatDuration(lifetime), formatDuration(silence));
    } else if (m_main->closedByUs()) {
        idle = Verdict::Skip;
        idleEvidence
            = QStringLiteral("the check was stopped after %1").arg(formatDuration(lifetime));
    } else {
        const QString how = !m_main->endError().isEmpty() ? m_main->endError()
            : m_main->endedClean()                        ? QStringLiteral("cleanly")
                                                          : QStringLiteral("inside a chunk");
        idleEvidence
            = QStringLiteral("closed by the server after %1 (%2), %3 after its last byte")
                  .arg(formatDuration(lifetime), how, formatDuration(end - m_main->lastByteAtMs()));
        if (lifetime >= idleMs) {
            // It outlived the time-out: whatever closed it, it was not idleness.
            idleEvidence += QStringLiteral("; longer than the idle time-out");
        } else {
            const bool reconnected = m_reconnect && m_reconnect->connection().head().status == 200;
            idle = m_main->endedClean() && reconnected ? Verdict::Warn : Verdict::Fail;
        }
    }
    add(QStringLiteral("sse.idle"), QStringLiteral("Idle survival"), idle, idleEvidence,
        QStringLiteral("Every close costs a reconnect, and a stream that dies quietly loses what "
                       "is published until the client notices."));

    // Buffering: events whose own times lie far apart, read at once; keepalives read together.
    int bunchedReads = 0;
    qint64 widest = 0;
    int timed = 0;
    const qint64 settledAt = m_main->connection().headAtMs() + 1000;
    for (qsizetype i = 0; i < events.size();) {
        qsizetype j = i;
        qint64 low = std::numeric_limits<qint64>::max();
        qint64 high = std::numeric_limits<qint64>::min();
        for (; j < events.size() && events.at(j).read == events.at(i).read; ++j) {
            if (const auto own = events.at(j).ownTimeMs) {
                low = qMin(low, *own);
                high = qMax(high, *own);
                ++timed;
            }
        }
        if (events.at(i).atMs >= settledAt && high > low) {
            widest = qMax(widest, high - low);
            if (high - low >= BunchSpanMs)
                ++bunchedReads;
        }
        i = j;
    }
    const int bunchedComments = m_main->bunchedCommentReads();
    Verdict buffering = Verdict::Pass;
    QString bufferingEvidence;
    if (!streamed) {
        buffering = Verdict::Skip;
        bufferingEvidence = notStreamed;
    } else if (bunchedReads + bunchedComments >= 2) {
        buffering = Verdict::Fail;
    } else if (bunchedReads + bunchedComments == 1) {
        buffering = Verdict::Warn;
    } else if (timed == 0 && comments.size() < 2) {
        buffering = Verdict::Skip;
        bufferingEvidence = QStringLiteral("the events carry no timestamp and too few keepalives "
                                           "came to compare");
    }
    if (bufferingEvidence.isEmpty())
        bufferingEvidence
            = QStringLiteral("%1 reads held events %2 or more apart (widest %3); %4 reads held "
                             "two keepalives; %5 events with their own time")
                  .arg(bunchedReads)
                  .arg(formatDuration(BunchSpanMs), formatDuration(widest))
                  .arg(bunchedComments)
                  .arg(timed);
    add(QStringLiteral("sse.buffering"), QStringLiteral("Buffering"), buffering, bufferingEvidence,
        QStringLiteral("Something between server and client holds the stream (nginx "
                       "proxy_buffering, a compressor, Caddy flush_interval): events come late "
                       "and in bunches."));
}

void SseCheck::judgeResume()
{
    const QString title = QStringLiteral("Resume (Last-Event-ID)");
    const QString why = QStringLiteral(
        "A browser resumes with the last id it saw: anything lost here is lost for every user "
        "whose connection drops.");
    const QString id = QStringLiteral("sse.resume");
    if (!m_resume) {
        add(id, title, Verdict::Skip,
            m_mark < 0 ? QStringLiteral("no event with an id arrived to resume from")
                       : QStringLiteral("the stream ended before the resume"),
            why);
        return;
    }
    if (refused(*m_resume, m_main->events().at(m_mark).id, id, title, why))
        return;
    const QList<SseProbe::Event> &main = m_main->events();
    const QList<SseProbe::Event> &got = m_resume->events();
    const QString untilId = main.at(m_resumeUntil).id;
    // The replay part of what the resume brought: up to the main stream's last event when it
    // opened (Y), or, Y lost, up to the last event the main stream had by then. What follows is
    // the live stream, which the main stream may not have recorded yet.
    QList<const SseProbe::Event *> brought;
    qsizetype replayEnd = -1;
    for (const SseProbe::Event &event : got) {
        if (!event.ownId)
            continue;
        brought.append(&event);
        const qsizetype at = m_main->indexOf(event.id);
        if (at >= 0 && at <= m_resumeUntil)
            replayEnd = brought.size();
        if (event.id == untilId && m_resumeUntil > m_mark)
            break;
    }
    brought.resize(qMax<qsizetype>(replayEnd, 0));
    QStringList expected;
    for (qsizetype i = m_mark + 1; i <= m_resumeUntil; ++i) {
        if (main.at(i).ownId)
            expected.append(main.at(i).id);
    }
    QStringList resent, twice, foreign, changed, order;
    QSet<QString> seen;
    for (const SseProbe::Event *event : brought) {
        const qsizetype at = m_main->indexOf(event->id);
        if (seen.contains(event->id))
            twice.append(event->id);
        seen.insert(event->id);
        if (at >= 0 && at <= m_mark)
            resent.append(event->id);
        else if (at < 0 && m_resumeUntil > m_mark)
            foreign.append(event->id);
        else if (at >= 0 && main.at(at).dataHash != event->dataHash)
            changed.append(event->id);
        if (at > m_resumeUntil && m_resumeUntil > m_mark)
            order.append(event->id);
    }
    QStringList lost;
    for (const QString &want : expected) {
        if (!seen.contains(want))
            lost.append(want);
    }
    QString evidence = QStringLiteral("resumed after %1: %2 events missed, %3 brought")
                           .arg(main.at(m_mark).id)
                           .arg(expected.size())
                           .arg(brought.size());
    QStringList problems;
    if (!lost.isEmpty())
        problems.append(QStringLiteral("lost %1").arg(idList(lost)));
    if (!resent.isEmpty())
        problems.append(QStringLiteral("resent from before the id: %1").arg(idList(resent)));
    if (!twice.isEmpty())
        problems.append(QStringLiteral("twice: %1").arg(idList(twice)));
    if (!changed.isEmpty())
        problems.append(QStringLiteral("different data: %1").arg(idList(changed)));
    if (!foreign.isEmpty())
        problems.append(QStringLiteral("ids the stream never sent: %1").arg(idList(foreign)));
    if (problems.isEmpty() && !order.isEmpty() && lost.isEmpty())
        problems.append(
            QStringLiteral("out of order: %1 before the missed events ended").arg(idList(order)));
    if (!problems.isEmpty()) {
        add(id, title, Verdict::Fail,
            evidence + QStringLiteral("; ") + problems.join(QStringLiteral("; ")), why);
        return;
    }
    if (expected.isEmpty()) {
        add(id, title, Verdict::Skip,
            evidence
                + QStringLiteral("; nothing was published in between, so nothing could be "
                                 "lost (nothing was resent)"),
            why);
        return;
    }
    add(id, title, Verdict::Pass, evidence + QStringLiteral(": exactly the missed ones, in order"),
        why);
}

bool SseCheck::refused(const SseProbe &probe, const QString &lastEventId, const QString &id,
    const QString &title, const QString &why)
{
    const ProbeConnection &connection = probe.connection();
    if (connection.head().status == 200)
        return false;
    add(id, title, Verdict::Fail,
        QStringLiteral("Last-Event-ID %1 answered %2")
            .arg(lastEventId,
                connection.hasHead() ? QString::fromLatin1(connection.head().startLine())
                                     : probe.endError()),
        why);
    return true;
}

void SseCheck::judgeUnknown()
{
    const QString id = QStringLiteral("sse.resume-unknown");
    const QString title = QStringLiteral("Resume from an unknown id");
    const QString why = QStringLiteral(
        "Clients bring ids from before a reset or from another server: a refusal stops "
        "EventSource for good, a replay shows old events again.");
    if (!m_unknown) {
        add(id, title, Verdict::Skip, QStringLiteral("no resume was possible"), why);
        return;
    }
    if (refused(*m_unknown, m_unknownId, id, title, why))
        return;
    QStringList old;
    QString first; ///< The first event that is not an old one, quoted.
    for (const SseProbe::Event &event : m_unknown->events()) {
        // The same id with other data is the server's own marker (Pushboard's `reset` carries
        // the newest id), not an old event.
        const qsizetype at = event.ownId ? m_main->indexOf(event.id) : -1;
        if (at >= 0 && at <= m_unknownBefore && m_main->events().at(at).dataHash == event.dataHash)
            old.append(event.id);
        else if (first.isEmpty())
            first = QStringLiteral("%1 %2").arg(event.type, event.dataStart).trimmed();
    }
    QString evidence = QStringLiteral("Last-Event-ID %1: 200").arg(m_unknownId);
    if (!first.isEmpty())
        evidence += QStringLiteral(", then '%1'").arg(first);
    if (!old.isEmpty()) {
        add(id, title, Verdict::Warn,
            evidence
                + QStringLiteral("; replayed %1 old events: %2").arg(old.size()).arg(idList(old)),
            why);
        return;
    }
    add(id, title, Verdict::Pass, evidence + QStringLiteral("; no old event replayed"), why);
}

void SseCheck::judgeOld()
{
    const QString id = QStringLiteral("sse.resume-old");
    const QString title = QStringLiteral("Resume from a very old id");
    const QString why = QStringLiteral(
        "Replay that silently stops at a history limit loses events with no sign; past the "
        "limit a server must say so or send everything.");
    if (!m_old) {
        add(id, title, Verdict::Skip, QStringLiteral("no resume was possible"), why);
        return;
    }
    if (refused(*m_old, m_oldId, id, title, why))
        return;
    if (m_oldUntil < m_oldFrom) {
        add(id, title, Verdict::Skip,
            QStringLiteral("the main stream saw nothing after %1 to compare with").arg(m_oldId),
            why);
        return;
    }
    const QList<SseProbe::Event> &main = m_main->events();
    QStringList missing;
    for (qsizetype i = m_oldFrom; i <= m_oldUntil; ++i) {
        if (main.at(i).ownId && m_old->indexOf(main.at(i).id) < 0)
            missing.append(main.at(i).id);
    }
    QSet<QString> types;
    for (const SseProbe::Event &event : m_main->events())
        types.insert(event.type);
    QStringList announcements;
    for (const SseProbe::Event &event : m_old->events()) {
        if (!types.contains(event.type) && announcements.size() < 2)
            announcements.append(QStringLiteral("'%1'").arg(
                QStringLiteral("%1 %2").arg(event.type, event.dataStart).trimmed()));
    }
    const qint64 tookMs = m_old->endedAtMs() - m_old->connection().headAtMs();
    QString evidence
        = QStringLiteral("Last-Event-ID %1: %2 events").arg(m_oldId).arg(m_old->eventCount());
    if (tookMs >= 100)
        evidence += QStringLiteral(" in %1").arg(formatDuration(tookMs));
    if (!announcements.isEmpty())
        evidence
            += QStringLiteral(", announced with %1").arg(announcements.join(QStringLiteral(", ")));
    if (m_old->eventCount() > m_old->events().size()) {
        add(id, title, Verdict::Warn,
            evidence
                + QStringLiteral("; more than the %1 events the check compares: it could not tell "
                                 "whether the replay reached the live stream")
                      .arg(SseProbe::MaxRecorded),
            why);
        return;
    }
    const bool reachedLive = oldReachedLive();
    if (!reachedLive && !m_old->closedByUs()) {
        add(id, title, Verdict::Fail,
            evidence
                + QStringLiteral("; the server ended the replay before the live stream (%1)")
                      .arg(m_old->endError().isEmpty() ? QStringLiteral("closed")
                                                       : m_old->endError()),
            why);
        return;
    }
    if (!reachedLive) {
        add(id, title, Verdict::Warn,
            evidence
                + QStringLiteral("; did not reach the live stream (%1) in %2")
                      .arg(main.at(m_oldUntil).id, formatDuration(OldLimitMs)),
            why);
        return;
    }
    if (!missing.isEmpty()) {
        add(id, title, Verdict::Fail,
            evidence
                + QStringLiteral("; %1 of the main stream's events never came: %2")
                      .arg(missing.size())
                      .arg(idList(missing)),
            why);
        return;
    }
    add(id, title, Verdict::Pass,
        evidence + QStringLiteral("; reached the live stream without a hole"), why);
}

void SseCheck::judgeReconnect()
{
    const QString id = QStringLiteral("sse.reconnect");
    const QString title = QStringLiteral("Reconnect after a close");
    const QString why = QStringLiteral(
        "When the server closes, EventSource comes back after retry: with the last id: that "
        "request must be served, without resending.");
    if (!m_reconnect) {
        add(id, title, Verdict::Skip,
            m_main->connection().head().status != 200
                ? QStringLiteral("the stream did not open")
                : QStringLiteral("the server kept the stream open for %1")
                      .arg(formatDuration(m_main->endedAtMs() - m_main->connection().headAtMs())),
            why);
        return;
    }
    const HttpHead &head = m_reconnect->connection().head();
    const QString wait = formatDuration(m_reconnect->connection().sentAtMs() - m_main->endedAtMs());
    if (head.status == 204) {
        add(id, title, Verdict::Pass,
            QStringLiteral("after %1 with Last-Event-ID %2: 204, EventSource stops for good")
                .arg(wait, m_main->lastEventId()),
            why);
        return;
    }
    if (head.status != 200) {
        add(id, title, Verdict::Fail,
            QStringLiteral("after %1 with Last-Event-ID %2: %3")
                .arg(wait, m_main->lastEventId(),
                    m_reconnect->connection().hasHead() ? QString::fromLatin1(head.startLine())
                                                        : m_reconnect->endError()),
            why);
        return;
    }
    QStringList resent;
    for (const SseProbe::Event &event : m_reconnect->events()) {
        if (event.ownId && m_main->indexOf(event.id) >= 0)
            resent.append(event.id);
    }
    const QString evidence = QStringLiteral("after %1 with Last-Event-ID %2: 200, %3 events")
                                 .arg(wait, m_main->lastEventId())
                                 .arg(m_reconnect->eventCount());
    if (!resent.isEmpty()) {
        add(id, title, Verdict::Fail, evidence + QStringLiteral("; resent %1").arg(idList(resent)),
            why);
        return;
    }
    add(id, title, Verdict::Pass, evidence + QStringLiteral(", none resent"), why);
}

void SseCheck::judge204()
{
    const QString id = QStringLiteral("sse.204");
    const QString title = QStringLiteral("204 No Content");
    const QString why = QStringLiteral(
        "204 is how a server tells EventSource to stop reconnecting; it has no body, and "
        "answering a resume with it strands the client.");
    const std::pair<const SseProbe *, const char *> probes[]
        = {{m_main, "the first request"}, {m_resume, "the resume"}, {m_unknown, "the unknown id"},
            {m_old, "the very old id"}, {m_reconnect, "the reconnect after the close"}};
    QStringList seen;
    Verdict verdict = Verdict::Pass;
    for (const auto &[probe, what] : probes) {
        if (!probe || probe->connection().head().status != 204)
            continue;
        const HttpHead &head = probe->connection().head();
        seen.append(QLatin1String(what));
        const QByteArray length = head.value("Content-Length").trimmed();
        if ((!length.isEmpty() && length != "0") || head.has("Transfer-Encoding")) {
            verdict = Verdict::Fail;
            seen.last() += QStringLiteral(" (with a body: RFC 9110 15.3.5 forbids it)");
        } else if (probe == m_resume) {
            verdict = qMax(verdict, Verdict::Warn);
        }
    }
    if (seen.isEmpty()) {
        add(id, title, Verdict::Skip, QStringLiteral("no request was answered 204"), why);
        return;
    }
    add(id, title, verdict, QStringLiteral("204 for %1").arg(seen.join(QStringLiteral(", "))), why);
}

void SseCheck::judgeHttp2()
{
    const QString protocol = m_h2.protocol();
    Verdict verdict = Verdict::Warn;
    QString evidence = m_h2.detail();
    if (m_h2.tls() && protocol == QLatin1String("h2"))
        verdict = Verdict::Pass;
    if (!m_h2.tls())
        evidence = QStringLiteral("clear text, so browsers use HTTP/1.1 (%1)").arg(evidence);
    add(QStringLiteral("sse.http2"), QStringLiteral("HTTP/2"), verdict, evidence,
        QStringLiteral("Over HTTP/1.1 a browser opens at most six connections per origin, and "
                       "every tab's stream takes one; HTTP/2 (over TLS) multiplexes them."));
}

} // namespace Pushboard
