#include "httpanswerreader.h"

#include <zlib.h>

namespace Pushboard {

/// A zlib stream for the body's gzip or deflate coding.
struct HttpAnswerReader::Inflater
{
    z_stream stream {};
    bool ended = false;
    ~Inflater() { inflateEnd(&stream); }
};

HttpAnswerReader::HttpAnswerReader(bool headRequest)
    : m_headRequest(headRequest)
{ }

HttpAnswerReader::~HttpAnswerReader() = default;

bool HttpAnswerReader::closeEndsBody() const
{
    return m_state == State::UntilClose || m_state == State::Done || m_state == State::Upgraded;
}

void HttpAnswerReader::fail(const QString &why)
{
    m_state = State::Failed;
    m_error = why;
    m_buffer.clear();
}

HttpAnswerReader::Output HttpAnswerReader::feed(QByteArrayView bytes)
{
    Output out;
    switch (m_state) {
    case State::Failed:
    case State::Done:
        return out;
    case State::Upgraded:
        out.upgraded = bytes.toByteArray();
        return out;
    case State::Head:
        break;
    default:
        readBody(bytes, out);
        return out;
    }

    m_buffer += bytes;
    const HttpHeadResult result = parseHttpHead(m_buffer, false, MaxHeadBytes);
    if (result.status == HttpHeadResult::Status::NeedMore)
        return out;
    if (result.status == HttpHeadResult::Status::Malformed) {
        fail(QStringLiteral("not an HTTP/1.1 answer: %1").arg(result.error));
        return out;
    }
    m_head = result.head;
    m_rawHead = m_buffer.left(m_head.size);
    const QByteArray rest = m_buffer.mid(m_head.size);
    m_buffer.clear();
    out.headCompleted = true;

    const int status = m_head.status;
    const QByteArray length = m_head.value("Content-Length").trimmed();
    if (status == 101) {
        m_state = State::Upgraded;
        out.upgraded = rest;
        return out;
    }
    if (status == 204 || status == 304 || (status >= 100 && status < 200) || m_headRequest) {
        m_state = State::Done;
        out.bodyEnded = true;
        return out;
    }
    if (m_head.hasToken("Transfer-Encoding", "chunked")) {
        m_state = State::Chunked;
    } else if (!length.isEmpty()) {
        bool ok = false;
        m_remaining = length.toLongLong(&ok);
        if (!ok || m_remaining < 0) {
            fail(QStringLiteral("bad Content-Length '%1'")
                     .arg(QString::fromLatin1(length.left(40))));
            return out;
        }
        m_state = m_remaining == 0 ? State::Done : State::Length;
    } else {
        m_state = State::UntilClose;
    }
    m_coding = m_head.value("Content-Encoding").trimmed().toLower();
    if (m_coding == "identity")
        m_coding.clear();
    if (!m_coding.isEmpty() && !startInflating()) {
        fail(QStringLiteral("unsupported Content-Encoding '%1'")
                 .arg(QString::fromLatin1(m_coding.left(40))));
        return out;
    }
    if (m_state == State::Done) {
        out.bodyEnded = true;
        return out;
    }
    readBody(rest, out);
    return out;
}

void HttpAnswerReader::readBody(QByteArrayView bytes, Output &out)
{
    if (bytes.isEmpty())
        return;
    switch (m_state) {
    case State::Chunked: {
        QByteArray body;
        m_chunked.feed(bytes, body);
        if (m_chunked.hasFailed())
            return fail(QStringLiteral("bad chunked framing: %1").arg(m_chunked.errorString()));
        decode(body, out);
        if (m_state == State::Chunked && m_chunked.isDone()) {
            m_state = State::Done;
            out.bodyEnded = true;
        }
        break;
    }
    case State::Length: {
        const qint64 take = qMin<qint64>(m_remaining, bytes.size());
        m_remaining -= take;
        decode(bytes.first(take), out);
        if (m_state == State::Length && m_remaining == 0) {
            m_state = State::Done;
            out.bodyEnded = true;
        }
        break;
    }
    case State::UntilClose:
        decode(bytes, out);
        break;
    default:
        break;
    }
}

bool HttpAnswerReader::startInflating()
{
    int windowBits = 0;
    if (m_coding == "gzip" || m_coding == "x-gzip")
        windowBits = 15 + 16;
    else if (m_coding == "deflate")
        windowBits = 15 + 32; // zlib-wrapped as RFC 9110 says, or gzip by mistake
    else
        return false;
    m_inflater = std::make_unique<Inflater>();
    return inflateInit2(&m_inflater->stream, windowBits) == Z_OK;
}

void HttpAnswerReader::decode(QByteArrayView bytes, Output &out)
{
    if (bytes.isEmpty())
        return;
    if (!m_inflater) {
        out.body += bytes;
        return;
    }
    if (m_inflater->ended)
        return; // bytes after the compressed stream's end mean nothing
    z_stream &z = m_inflater->stream;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = uInt(bytes.size());
    char chunk[16384];
    qsizetype produced = 0;
    do {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        const int status = inflate(&z, Z_SYNC_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
            return fail(QStringLiteral("the %1 body does not inflate: %2")
                            .arg(QString::fromLatin1(m_coding),
                                QString::fromLatin1(z.msg ? z.msg : "corrupt data")));
        const qsizetype got = qsizetype(sizeof chunk - z.avail_out);
        produced += got;
        if (produced > MaxInflatedBytes)
            return fail(QStringLiteral("one read inflates past %1 MiB")
                            .arg(MaxInflatedBytes / (1024 * 1024)));
        out.body.append(chunk, got);
        if (status == Z_STREAM_END) {
            m_inflater->ended = true;
            break;
        }
        if (status == Z_BUF_ERROR)
            break; // no progress possible: it needs more input
        // A full output buffer may leave more output inside zlib: go round again.
    } while (z.avail_in > 0 || z.avail_out == 0);
}

} // namespace Pushboard
