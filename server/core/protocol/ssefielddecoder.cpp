#include "ssefielddecoder.h"

namespace Pushboard {

bool SseBlock::isCommentOnly() const
{
    bool comment = false;
    for (const SseLine &line : lines) {
        if (line.kind == SseLine::Kind::Field)
            return false;
        comment = comment || line.kind == SseLine::Kind::Comment;
    }
    return comment;
}

SseFieldDecoder::SseFieldDecoder(qsizetype maxBlockBytes)
    : m_maxBlock(maxBlockBytes)
    , m_parser(maxBlockBytes)
{ }

QList<SseBlock> SseFieldDecoder::feed(QByteArrayView bytes)
{
    QList<SseBlock> out;
    if (hasFailed())
        return out;
    m_pending.append(bytes);
    qsizetype start = 0;
    qsizetype i = 0;
    while (i < m_pending.size()) {
        const char c = m_pending.at(i);
        if (c != '\r' && c != '\n') {
            ++i;
            continue;
        }
        qsizetype end = i + 1;
        if (c == '\r') {
            if (i + 1 == m_pending.size())
                break; // Wait: the next byte may be the LF of a CRLF.
            if (m_pending.at(i + 1) == '\n')
                end = i + 2;
        }
        const QByteArrayView all(m_pending);
        addLine(all.sliced(start, end - start), all.sliced(start, i - start), out);
        if (hasFailed())
            return out;
        start = i = end;
    }
    m_pending.remove(0, start);
    if (pendingBytes() > m_maxBlock) {
        m_error = QStringLiteral("a block of the stream passed %1 bytes without ending")
                      .arg(m_maxBlock);
        m_pending.clear();
        m_block = {};
    }
    return out;
}

void SseFieldDecoder::addLine(QByteArrayView raw, QByteArrayView text, QList<SseBlock> &out)
{
    SseLine line;
    line.raw = raw.toByteArray();
    if (m_first) {
        m_first = false;
        if (text.startsWith("\xEF\xBB\xBF"))
            text = text.sliced(3); // The stream's BOM, which EventSource skips.
    }
    if (text.isEmpty()) {
        line.kind = SseLine::Kind::Blank;
    } else if (text.front() == ':') {
        line.kind = SseLine::Kind::Comment;
        line.value = QString::fromUtf8(text.sliced(1));
    } else {
        const qsizetype colon = text.indexOf(':');
        line.name = QString::fromUtf8(colon < 0 ? text : text.first(colon));
        if (colon >= 0) {
            QByteArrayView value = text.sliced(colon + 1);
            if (value.startsWith(' '))
                value = value.sliced(1);
            line.value = QString::fromUtf8(value);
        }
        if (line.name == u"retry") {
            bool digits = !line.value.isEmpty();
            for (const QChar ch : std::as_const(line.value))
                digits = digits && ch >= u'0' && ch <= u'9';
            if (digits) {
                bool ok = false;
                const qint64 ms = line.value.toLongLong(&ok);
                m_block.retry = ok ? ms : std::numeric_limits<qint64>::max();
            }
        }
    }
    if (m_block.raw.size() + line.raw.size() > m_maxBlock) {
        m_error = QStringLiteral("a block of the stream passed %1 bytes without ending")
                      .arg(m_maxBlock);
        m_pending.clear();
        m_block = {};
        return;
    }
    m_block.raw += line.raw;
    const bool blank = line.kind == SseLine::Kind::Blank;
    m_block.lines.append(std::move(line));
    if (!blank)
        return;
    const QList<SseMessage> events = m_parser.feed(m_block.raw);
    if (m_parser.hasFailed()) {
        m_error = m_parser.errorString();
        return;
    }
    if (!events.isEmpty())
        m_block.event = events.constFirst();
    m_block.lastEventId = m_parser.lastEventId();
    out.append(std::exchange(m_block, {}));
}

std::optional<SseBlock> SseFieldDecoder::finish()
{
    if (hasFailed())
        return std::nullopt;
    if (!m_pending.isEmpty()) {
        QList<SseBlock> none;
        QByteArrayView text(m_pending);
        while (text.endsWith('\r') || text.endsWith('\n'))
            text.chop(1);
        const QByteArray raw = std::exchange(m_pending, {});
        addLine(raw, text, none); // Not a blank line unless it was one: nothing dispatches.
        if (!none.isEmpty())
            return none.constFirst();
    }
    if (m_block.lines.isEmpty())
        return std::nullopt;
    SseBlock block = std::exchange(m_block, {});
    block.truncated = true;
    block.lastEventId = m_parser.lastEventId();
    return block;
}

} // namespace Pushboard
