#include "httphead.h"

namespace Pushboard {

namespace {

bool isHttpVersion(QByteArrayView v)
{
    return v.size() == 8 && v.startsWith("HTTP/") && v.at(5) >= '0' && v.at(5) <= '9'
        && v.at(6) == '.' && v.at(7) >= '0' && v.at(7) <= '9';
}

HttpHeadResult malformed(const QString &why)
{
    HttpHeadResult r;
    r.status = HttpHeadResult::Status::Malformed;
    r.error = why;
    return r;
}

bool parseStartLine(QByteArrayView line, bool request, HttpHead &head, QString &error)
{
    if (request) {
        const qsizetype sp1 = line.indexOf(' ');
        const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 <= sp1 + 1) {
            error = QStringLiteral("the request line is not \"method target version\"");
            return false;
        }
        head.method = line.first(sp1).toByteArray();
        head.target = line.sliced(sp1 + 1, sp2 - sp1 - 1).toByteArray();
        head.version = line.sliced(sp2 + 1).toByteArray();
        if (!isHttpToken(head.method)) {
            error = QStringLiteral("the method is not a token");
            return false;
        }
        if (!isHttpVersion(head.version)) {
            error = QStringLiteral("the request line does not end with an HTTP version");
            return false;
        }
        return true;
    }
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]
    if (line.size() < 12 || !isHttpVersion(line.first(8)) || line.at(8) != ' ') {
        error = QStringLiteral("the status line does not start with an HTTP version");
        return false;
    }
    head.version = line.first(8).toByteArray();
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        const char c = line.at(i);
        if (c < '0' || c > '9') {
            error = QStringLiteral("the status code is not three digits");
            return false;
        }
        status = status * 10 + (c - '0');
    }
    if (line.size() > 12 && line.at(12) != ' ') {
        error = QStringLiteral("the status code is not three digits");
        return false;
    }
    head.status = status;
    head.reasonPhrase = line.size() > 13 ? line.sliced(13).toByteArray() : QByteArray();
    return true;
}

} // namespace

bool isHttpToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        // tchar: ALPHA, DIGIT and these.
        const bool alnum
            = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !QByteArrayView("!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    return true;
}

QByteArray HttpHead::value(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

bool HttpHead::has(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool HttpHead::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const auto &[n, v] : headers) {
        if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &part : v.split(',')) {
            if (QByteArrayView(part).trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

QByteArray HttpHead::startLine() const
{
    if (isRequest)
        return method + ' ' + target + ' ' + version;
    QByteArray line = version + ' ' + QByteArray::number(status);
    if (!reasonPhrase.isEmpty())
        line += ' ' + reasonPhrase;
    return line;
}

HttpHeadResult parseHttpHead(QByteArrayView bytes, bool request, qsizetype maxBytes)
{
    // RFC 9112 2.2: a recipient SHOULD ignore at least one empty line before a request line.
    qsizetype pos = 0;
    if (request) {
        while (pos < bytes.size() && pos < 4 && (bytes.at(pos) == '\r' || bytes.at(pos) == '\n'))
            ++pos;
    }
    HttpHeadResult result;
    result.head.isRequest = request;
    bool first = true;
    while (true) {
        const qsizetype lf = bytes.indexOf('\n', pos);
        if (lf < 0) {
            if (bytes.size() > maxBytes)
                return malformed(
                    QStringLiteral("no end of the head within %1 bytes").arg(maxBytes));
            // A first line that cannot become a start line is known at once (a TLS hello, say).
            if (first && !request && bytes.size() - pos >= 5
                && !bytes.sliced(pos).startsWith("HTTP/"))
                return malformed(
                    QStringLiteral("the status line does not start with an HTTP version"));
            return result; // NeedMore
        }
        if (lf + 1 > maxBytes)
            return malformed(QStringLiteral("no end of the head within %1 bytes").arg(maxBytes));
        QByteArrayView line = bytes.sliced(pos, lf - pos);
        if (line.endsWith('\r'))
            line.chop(1);
        pos = lf + 1;
        if (first) {
            if (!parseStartLine(line, request, result.head, result.error))
                return malformed(result.error);
            first = false;
            continue;
        }
        if (line.isEmpty()) {
            result.head.size = pos;
            result.status = HttpHeadResult::Status::Complete;
            return result;
        }
        if (line.front() == ' ' || line.front() == '\t')
            return malformed(QStringLiteral("a header line is folded (obs-fold, RFC 9112 5.2)"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isHttpToken(line.first(colon)))
            return malformed(QStringLiteral("a header line is not \"name: value\""));
        result.head.headers.append(
            {line.first(colon).toByteArray(), line.sliced(colon + 1).trimmed().toByteArray()});
    }
}

} // namespace Pushboard
