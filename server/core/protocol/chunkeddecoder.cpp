#include "chunkeddecoder.h"

namespace Pushboard {

namespace {
constexpr qsizetype MaxLine = 1024;
}

void ChunkedDecoder::fail(const QString &why)
{
    m_state = State::Failed;
    m_error = why;
    m_line.clear();
}

qsizetype ChunkedDecoder::feed(QByteArrayView bytes, QByteArray &out)
{
    qsizetype pos = 0;
    while (pos < bytes.size() && m_state != State::Done && m_state != State::Failed) {
        switch (m_state) {
        case State::Data: {
            const qsizetype n = qMin<qint64>(m_remaining, bytes.size() - pos);
            out.append(bytes.sliced(pos, n));
            pos += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_state = State::DataEnd;
            break;
        }
        case State::Size:
        case State::DataEnd:
        case State::Trailer: {
            const qsizetype lf = bytes.indexOf('\n', pos);
            const qsizetype end = lf < 0 ? bytes.size() : lf + 1;
            m_line.append(bytes.sliced(pos, end - pos));
            m_framing += end - pos;
            pos = end;
            if (m_line.size() > MaxLine) {
                fail(QStringLiteral("a chunk-size or trailer line is longer than %1 bytes")
                         .arg(MaxLine));
                break;
            }
            if (lf < 0)
                break;
            QByteArrayView line(m_line);
            line.chop(1);
            if (line.endsWith('\r'))
                line.chop(1);
            if (m_state == State::DataEnd) {
                if (!line.isEmpty()) {
                    fail(QStringLiteral("a chunk's data is not followed by CRLF"));
                    break;
                }
                m_state = State::Size;
            } else if (m_state == State::Trailer) {
                if (line.isEmpty())
                    m_state = State::Done;
            } else {
                const qsizetype semicolon = line.indexOf(';');
                QByteArrayView size = (semicolon < 0 ? line : line.first(semicolon)).trimmed();
                qint64 value = 0;
                bool ok = !size.isEmpty();
                for (const char c : size) {
                    int digit = -1;
                    if (c >= '0' && c <= '9')
                        digit = c - '0';
                    else if (c >= 'a' && c <= 'f')
                        digit = c - 'a' + 10;
                    else if (c >= 'A' && c <= 'F')
                        digit = c - 'A' + 10;
                    if (digit < 0 || value > (qint64(1) << 58)) {
                        ok = false;
                        break;
                    }
                    value = value * 16 + digit;
                }
                if (!ok) {
                    fail(QStringLiteral("a chunk size is not a hexadecimal number"));
                    break;
                }
                if (value == 0) {
                    m_state = State::Trailer;
                } else {
                    ++m_chunks;
                    m_remaining = value;
                    m_state = State::Data;
                }
            }
            m_line.clear();
            break;
        }
        case State::Done:
        case State::Failed:
            break;
        }
    }
    return pos;
}

} // namespace Pushboard
