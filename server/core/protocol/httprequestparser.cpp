#include "httprequestparser.h"

#include "httphead.h"

namespace Pushboard {

namespace {

constexpr qsizetype MaxChunkLine = 4096; // size, extensions and line end

bool isKnownMethod(QByteArrayView method)
{
    for (const char *known :
        {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}) {
        if (method == known)
            return true;
    }
    return false;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// Index just past the blank line that ends a head ("\n\n" or "\n\r\n"), or -1.
qsizetype headEnd(const QByteArray &bytes, qsizetype from)
{
    for (qsizetype i = qMax<qsizetype>(0, from); i < bytes.size(); ++i) {
        if (bytes.at(i) != '\n')
            continue;
        if (i + 1 < bytes.size() && bytes.at(i + 1) == '\n')
            return i + 2;
        if (i + 2 < bytes.size() && bytes.at(i + 1) == '\r' && bytes.at(i + 2) == '\n')
            return i + 3;
    }
    return -1;
}

bool listHasToken(QByteArrayView list, QByteArrayView token)
{
    for (const QByteArray &item : list.toByteArray().split(',')) {
        if (item.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

QUrl HttpRequest::url() const
{
    QByteArray pathAndQuery = m_target;
    if (!pathAndQuery.startsWith('/')) { // absolute-form: scheme://authority/path?query
        const qsizetype authority = pathAndQuery.indexOf("://");
        const qsizetype path = authority < 0 ? -1 : pathAndQuery.indexOf('/', authority + 3);
        const qsizetype query = authority < 0 ? -1 : pathAndQuery.indexOf('?', authority + 3);
        if (path >= 0 && (query < 0 || path < query))
            pathAndQuery = pathAndQuery.mid(path);
        else
            pathAndQuery = '/' + (query >= 0 ? pathAndQuery.mid(query) : QByteArray());
    }
    const qsizetype fragment = pathAndQuery.indexOf('#');
    if (fragment >= 0)
        pathAndQuery.truncate(fragment);
    return QUrl::fromEncoded(pathAndQuery);
}

QByteArray HttpRequest::value(QByteArrayView name) const
{
    for (const auto &[key, value] : m_headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpRequest::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const auto &[key, value] : m_headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0 && listHasToken(value, token))
            return true;
    }
    return false;
}

bool HttpRequest::keepAlive() const
{
    if (hasToken("Connection", "close"))
        return false;
    return m_version == "HTTP/1.1" || hasToken("Connection", "keep-alive");
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return m_method == "GET" && listHasToken(value("Upgrade"), "websocket")
        && hasToken("Connection", "upgrade");
}

HttpRequestParser::HttpRequestParser(Limits limits)
    : m_limits(limits)
{ }

void HttpRequestParser::feed(QByteArrayView bytes)
{
    if (m_state != State::Failed)
        m_buffer.append(bytes);
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest request = std::exchange(m_request, {});
    if (m_state == State::Done)
        m_state = State::Head;
    return request;
}

HttpRequestParser::Status HttpRequestParser::fail(int status, const QString &reason)
{
    m_state = State::Failed;
    m_error = Error {status, reason};
    m_buffer.clear();
    return Status::Failed;
}

std::optional<QByteArray> HttpRequestParser::takeLine(qsizetype maxLength, bool *tooLong)
{
    const qsizetype lf = m_buffer.indexOf('\n');
    *tooLong = lf < 0 ? m_buffer.size() > maxLength : lf + 1 > maxLength;
    if (lf < 0 || *tooLong)
        return std::nullopt;
    QByteArray line = m_buffer.left(lf);
    m_buffer.remove(0, lf + 1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

HttpRequestParser::Status HttpRequestParser::parse()
{
    for (;;) {
        switch (m_state) {
        case State::Failed:
            return Status::Failed;
        case State::Done:
            return Status::Complete;
        case State::Head: {
            if (m_scanned == 0) {
                // RFC 9112 2.2: empty lines before a request line are ignored.
                qsizetype skip = 0;
                while (skip < m_buffer.size()
                    && (m_buffer.at(skip) == '\r' || m_buffer.at(skip) == '\n'))
                    ++skip;
                m_buffer.remove(0, skip);
                if (m_buffer.isEmpty())
                    return Status::NeedMore;
            }
            const qsizetype end = headEnd(m_buffer, m_scanned - 2);
            if (end < 0 || end > m_limits.maxHeadBytes) {
                if (end > m_limits.maxHeadBytes || m_buffer.size() > m_limits.maxHeadBytes)
                    return fail(431,
                        QStringLiteral("request head over %1 bytes").arg(m_limits.maxHeadBytes));
                m_scanned = m_buffer.size();
                return Status::NeedMore;
            }
            m_scanned = 0;
            if (const Status status = parseHead(end); status == Status::Failed)
                return status;
            break;
        }
        case State::Body:
            if (!takeBody())
                return Status::NeedMore;
            m_state = State::Done;
            break;
        case State::ChunkSize: {
            // chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1); extensions are ignored.
            bool tooLong = false;
            const auto line = takeLine(MaxChunkLine, &tooLong);
            if (tooLong)
                return fail(400, QStringLiteral("bad chunked body: chunk size line too long"));
            if (!line)
                return Status::NeedMore;
            qsizetype digits = 0;
            qint64 size = 0;
            while (digits < line->size() && hexValue(line->at(digits)) >= 0) {
                if (digits == 15)
                    return fail(400, QStringLiteral("bad chunked body: chunk size too large"));
                size = size * 16 + hexValue(line->at(digits));
                ++digits;
            }
            const QByteArrayView rest = QByteArrayView(*line).sliced(digits).trimmed();
            if (digits == 0 || (!rest.isEmpty() && !rest.startsWith(';')))
                return fail(400,
                    QStringLiteral("bad chunked body: '%1' is not a chunk size")
                        .arg(QString::fromLatin1(line->left(32))));
            if (m_request.m_body.size() + size > m_limits.maxBodyBytes)
                return fail(413,
                    QStringLiteral("request body over the limit of %1 bytes")
                        .arg(m_limits.maxBodyBytes));
            m_remaining = size;
            m_state = size == 0 ? State::Trailers : State::ChunkData;
            break;
        }
        case State::ChunkData:
            if (!takeBody())
                return Status::NeedMore;
            m_state = State::ChunkDataEnd;
            break;
        case State::ChunkDataEnd: {
            bool tooLong = false;
            const auto line = takeLine(2, &tooLong);
            if (tooLong || (line && !line->isEmpty()))
                return fail(
                    400, QStringLiteral("bad chunked body: chunk data not followed by CRLF"));
            if (!line)
                return Status::NeedMore;
            m_state = State::ChunkSize;
            break;
        }
        case State::Trailers: {
            // trailer-section CRLF: field lines, read and ignored, within the head's limit.
            bool tooLong = false;
            const auto line = takeLine(m_limits.maxHeadBytes - m_trailerBytes, &tooLong);
            if (tooLong)
                return fail(
                    431, QStringLiteral("trailer fields over %1 bytes").arg(m_limits.maxHeadBytes));
            if (!line)
                return Status::NeedMore;
            m_trailerBytes += line->size() + 2;
            if (!line->isEmpty()) {
                const qsizetype colon = line->indexOf(':');
                if (colon <= 0 || !isHttpToken(QByteArrayView(*line).first(colon)))
                    return fail(400, QStringLiteral("bad chunked body: malformed trailer field"));
                break;
            }
            m_trailerBytes = 0;
            m_state = State::Done;
            break;
        }
        }
    }
}

bool HttpRequestParser::takeBody()
{
    const qint64 take = qMin<qint64>(m_remaining, m_buffer.size());
    m_request.m_body.append(m_buffer.constData(), take);
    m_buffer.remove(0, take);
    m_remaining -= take;
    return m_remaining == 0;
}

HttpRequestParser::Status HttpRequestParser::parseHead(qsizetype end)
{
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end);
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();

    HttpRequest &request = m_request;
    request = HttpRequest();
    const QList<QByteArray> requestLine = lines.constFirst().split(' ');
    if (requestLine.size() != 3 || !isHttpToken(requestLine[0]) || requestLine[1].isEmpty())
        return fail(400, QStringLiteral("malformed request line"));
    for (const char c : requestLine[1]) {
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7f)
            return fail(400, QStringLiteral("malformed request target"));
    }
    const QByteArray &version = requestLine[2];
    if (!version.startsWith("HTTP/") || version.size() != 8 || version[6] != '.'
        || !isDigits(QByteArrayView(version).sliced(5, 1))
        || !isDigits(QByteArrayView(version).sliced(7, 1)))
        return fail(400, QStringLiteral("malformed HTTP version"));
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are spoken here"));
    if (!isKnownMethod(requestLine[0]))
        return fail(501,
            QStringLiteral("unknown method %1").arg(QString::fromLatin1(requestLine[0].left(32))));
    // RFC 9112 3.2: origin-form for everything, absolute-form accepted, asterisk-form only for
    // OPTIONS; authority-form (CONNECT) is not served here.
    const QByteArray &target = requestLine[1];
    const bool originForm = target.startsWith('/');
    const bool absoluteForm = target.startsWith("http://") || target.startsWith("https://");
    const bool asterisk = target == "*" && requestLine[0] == "OPTIONS";
    if (!originForm && !absoluteForm && !asterisk)
        return fail(400, QStringLiteral("malformed request target"));
    request.m_method = requestLine[0];
    request.m_target = target;
    request.m_version = version;

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        // No white space before the colon, no obsolete line folding (RFC 9112 5.1, 5.2).
        if (colon <= 0 || !isHttpToken(QByteArrayView(line).first(colon)))
            return fail(400, QStringLiteral("malformed header line %1").arg(i));
        const QByteArrayView value = QByteArrayView(line).sliced(colon + 1).trimmed();
        for (const char c : value) {
            if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f)
                return fail(400, QStringLiteral("control character in header line %1").arg(i));
        }
        request.m_headers.append({line.left(colon), value.toByteArray()});
    }

    int hosts = 0;
    std::optional<qint64> contentLength;
    bool chunked = false;
    bool transferEncoding = false;
    for (const auto &[name, value] : request.m_headers) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            ++hosts;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            // One decimal number; repeats allowed only when they agree (RFC 9110 8.6).
            for (const QByteArray &item : value.split(',')) {
                const QByteArray number = item.trimmed();
                bool ok = isDigits(number) && number.size() <= 18;
                const qint64 length = ok ? number.toLongLong(&ok) : -1;
                if (!ok || (contentLength && *contentLength != length))
                    return fail(400, QStringLiteral("bad Content-Length"));
                contentLength = length;
            }
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            transferEncoding = true;
            // Only `chunked`, and only as the last coding (RFC 9112 6.1); nothing else is known.
            const QList<QByteArray> codings = value.split(',');
            for (qsizetype k = 0; k < codings.size(); ++k) {
                const QByteArray coding = codings[k].trimmed().toLower();
                if (coding != "chunked")
                    return fail(501,
                        QStringLiteral("transfer coding '%1' is not supported: send the body "
                                       "with Content-Length or chunked")
                            .arg(QString::fromLatin1(coding.left(32))));
                if (chunked)
                    return fail(400, QStringLiteral("chunked applied twice"));
                chunked = true;
            }
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return fail(417,
                    QStringLiteral("unsupported Expect '%1'")
                        .arg(QString::fromLatin1(value.left(32))));
            m_continue = version == "HTTP/1.1";
        }
    }
    if (version == "HTTP/1.1" && hosts == 0)
        return fail(400, QStringLiteral("an HTTP/1.1 request needs a Host header"));
    if (hosts > 1)
        return fail(400, QStringLiteral("more than one Host header"));
    // Both framings at once is how requests are smuggled past proxies (RFC 9112 6.1, 11.2).
    if (transferEncoding && contentLength)
        return fail(400, QStringLiteral("both Content-Length and Transfer-Encoding"));
    if (transferEncoding && version == "HTTP/1.0")
        return fail(400, QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));

    if (chunked) {
        m_state = State::ChunkSize;
        return Status::NeedMore;
    }
    const qint64 length = contentLength.value_or(0);
    if (length > m_limits.maxBodyBytes) {
        m_continue = false;
        return fail(413,
            QStringLiteral("request body of %1 bytes is over the limit of %2")
                .arg(length)
                .arg(m_limits.maxBodyBytes));
    }
    if (length == 0)
        m_continue = false;
    m_remaining = length;
    m_state = length > 0 ? State::Body : State::Done;
    return Status::NeedMore;
}

} // namespace Pushboard
