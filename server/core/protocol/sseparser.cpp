#include "sseparser.h"

#include <QStringDecoder>

namespace Pushboard {

namespace {

// How many bytes at the end of `bytes` start a UTF-8 sequence that is not complete yet (0 to 3).
// Cutting there is safe: a lead byte always begins a new unit for the decoder.
qsizetype incompleteTail(QByteArrayView bytes)
{
    for (qsizetype back = 1; back <= 3 && back <= bytes.size(); ++back) {
        const uchar c = uchar(bytes[bytes.size() - back]);
        if ((c & 0xc0) == 0x80)
            continue; // a continuation byte: look further back for its lead
        const qsizetype length = c >= 0xf0 && c <= 0xf4 ? 4
            : c >= 0xe0                                 ? 3
            : c >= 0xc2 && c < 0xe0                     ? 2
                                                        : 1;
        return back < length ? back : 0;
    }
    return 0;
}

} // namespace

void SseParser::reset()
{
    m_carry.clear();
    m_pending.clear();
    m_atStart = true;
    m_lastWasCr = false;
    m_data.clear();
    m_eventType.clear();
    // The last event ID buffer survives a reconnect, as in EventSource.
}

QList<SseMessage> SseParser::feed(QByteArrayView bytes)
{
    QList<SseMessage> out;
    // Qt 6.4's stateful UTF-8 decoder swallows the byte after an incomplete sequence ("\xc3\n"
    // gives only U+FFFD), so incomplete tails are carried here and complete text is decoded
    // whole, which gives the WHATWG result.
    QByteArray data = m_carry + bytes.toByteArray();
    const qsizetype tail = incompleteTail(data);
    m_carry = data.right(tail);
    data.chop(tail);
    // Stateless (the carry is ours) and keeping a BOM as U+FEFF: only the stream's first one goes.
    QStringDecoder decoder(QStringConverter::Utf8,
        QStringConverter::Flag::Stateless | QStringConverter::Flag::ConvertInitialBom);
    QString text = decoder.decode(data);
    if (m_atStart && !text.isEmpty()) {
        m_atStart = false;
        if (text.front() == QChar(0xfeff))
            text.remove(0, 1);
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
        processLine(m_pending, out);
        m_pending.clear();
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
        if (!value.contains(QChar(0)))
            m_lastEventIdBuffer = value.toString();
    } else if (field == u"retry") {
        bool digits = !value.isEmpty();
        for (const QChar c : value)
            digits = digits && c >= u'0' && c <= u'9';
        if (digits) {
            bool ok = false;
            const qint64 ms = value.toLongLong(&ok);
            if (ok)
                m_retry = ms;
        }
    }
    // Any other field is ignored.
}

void SseParser::dispatch(QList<SseMessage> &out)
{
    m_lastEventId = m_lastEventIdBuffer;
    if (m_data.isEmpty()) {
        m_eventType.clear();
        return;
    }
    m_data.chop(1); // The last LF.
    out.append(SseMessage {
        m_eventType.isEmpty() ? QStringLiteral("message") : m_eventType, m_data, m_lastEventId});
    m_data.clear();
    m_eventType.clear();
}

} // namespace Pushboard
