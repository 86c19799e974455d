#include "sseparser.h"

namespace Pushboard {

void SseParser::reset()
{
    m_decoder.reset();
    m_pending.clear();
    m_atStart = true;
    m_lastWasCr = false;
    m_data.clear();
    m_eventType.clear();
    m_error.clear();
    // The last event ID buffer survives a reconnect, as in EventSource.
}

void SseParser::fail(const char *what)
{
    m_error = QStringLiteral("the stream sent %1 longer than %2 characters")
                  .arg(QLatin1String(what))
                  .arg(m_maxBuffered);
    m_pending.clear();
    m_pending.squeeze();
    m_data.clear();
    m_data.squeeze();
}

QList<SseMessage> SseParser::feed(QByteArrayView bytes)
{
    QList<SseMessage> out;
    if (hasFailed())
        return out;
    QString text;
    m_decoder.decode(bytes, text);
    if (m_atStart && !text.isEmpty()) {
        m_atStart = false;
        if (text.front() == QChar(0xfeff))
            text.remove(0, 1); // Only the stream's first BOM goes.
    }
    if (text.isEmpty())
        return out; // e.g. the first byte of a multi-byte character
    qsizetype start = 0;
    if (m_lastWasCr && text.front() == u'\n')
        start = 1; // The LF of a CRLF that was split across two feeds.
    m_lastWasCr = false;

    for (qsizetype i = start; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != u'\r' && c != u'\n')
            continue;
        m_pending += QStringView(text).sliced(start, i - start);
        if (m_pending.size() > m_maxBuffered) {
            fail("a line");
            return out;
        }
        processLine(m_pending, out);
        m_pending.clear();
        if (m_data.size() > m_maxBuffered) {
            fail("an event");
            return out;
        }
        if (c == u'\r') {
            if (i + 1 < text.size()) {
                if (text.at(i + 1) == u'\n')
                    ++i;
            } else {
                m_lastWasCr = true; // An LF may still come in the next feed.
            }
        }
        start = i + 1;
    }
    m_pending += QStringView(text).sliced(start);
    if (m_pending.size() > m_maxBuffered)
        fail("a line");
    return out;
}

void SseParser::processLine(QStringView line, QList<SseMessage> &out)
{
    if (line.isEmpty()) {
        dispatch(out);
        return;
    }
    if (line.front() == u':') {
        ++m_comments;
        return;
    }
    QStringView field = line;
    QStringView value;
    const qsizetype colon = line.indexOf(u':');
    if (colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(u' '))
            value = value.sliced(1);
    }
    if (field == u"event") {
        m_eventType = value.toString();
    } else if (field == u"data") {
        m_data += value;
        m_data += u'\n';
    } else if (field == u"id") {
        if (!value.contains(QChar(0))) {
            m_lastEventIdBuffer = value.toString();
            m_ownId = true;
        }
    } else if (field == u"retry") {
        bool digits = !value.isEmpty();
        for (const QChar c : value)
            digits = digits && c >= u'0' && c <= u'9';
        if (digits) {
            bool ok = false;
            const qint64 ms = value.toLongLong(&ok);
            // Too many digits for 64 bits still means "wait very long" (Backoff bounds it).
            m_retry = ok ? ms : std::numeric_limits<qint64>::max();
        }
    }
    // Any other field is ignored.
}

void SseParser::dispatch(QList<SseMessage> &out)
{
    m_lastEventId = m_lastEventIdBuffer;
    const bool ownId = std::exchange(m_ownId, false);
    if (m_data.isEmpty()) {
        m_eventType.clear();
        return;
    }
    m_data.chop(1); // The last LF.
    out.append(SseMessage {m_eventType.isEmpty() ? QStringLiteral("message") : m_eventType, m_data,
        m_lastEventId, ownId});
    m_data.clear();
    m_eventType.clear();
}

} // namespace Pushboard
