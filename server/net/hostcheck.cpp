#include "hostcheck.h"

#include "protocol/httprequestparser.h"

namespace Pushboard {

namespace {

bool isPort(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 5)
        return false;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

QByteArray withoutTrailingDot(QByteArray name)
{
    if (name.endsWith('.'))
        name.chop(1);
    return name;
}

} // namespace

HostCheck::HostCheck(const QHostAddress &bound, const QStringList &allowedNames)
    : m_bound(bound)
{
    for (const QString &name : allowedNames) {
        if (name == QLatin1String("*"))
            m_any = true;
        else if (const QByteArray host = hostName(name.toUtf8()); !host.isEmpty())
            m_names.append(host);
    }
}

QByteArray HostCheck::hostName(const QByteArray &rawHost)
{
    const QByteArray host = rawHost.trimmed().toLower();
    if (host.startsWith('[')) { // An IPv6 literal, RFC 3986 3.2.2.
        const qsizetype end = host.indexOf(']');
        if (end < 0)
            return {};
        const QByteArrayView rest = QByteArrayView(host).sliced(end + 1);
        if (!rest.isEmpty() && !(rest.startsWith(':') && isPort(rest.sliced(1))))
            return {};
        return host.mid(1, end - 1);
    }
    const qsizetype colon = host.indexOf(':');
    if (colon >= 0 && !isPort(QByteArrayView(host).sliced(colon + 1)))
        return {};
    const QByteArray name = colon >= 0 ? host.left(colon) : host;
    for (char c : name) {
        const bool ok
            = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!ok)
            return {};
    }
    return withoutTrailingDot(name);
}

std::optional<HostCheck::Refusal> HostCheck::check(
    const HttpRequest &request, const QHostAddress &local) const
{
    const QByteArray host = request.value("Host");
    if (host.isEmpty() && request.version() == "HTTP/1.0")
        return std::nullopt;
    return check(host, local);
}

std::optional<HostCheck::Refusal> HostCheck::check(
    const QByteArray &rawHost, const QHostAddress &local) const
{
    if (m_any)
        return std::nullopt;
    const QByteArray name = hostName(rawHost);
    if (name.isEmpty())
        return Refusal {400, QStringLiteral("malformed Host header")};
    if (name == "localhost" || name.endsWith(".localhost") || m_names.contains(name))
        return std::nullopt;
    QHostAddress address;
    if (address.setAddress(QString::fromLatin1(name))) {
        if (address.isLoopback() || address.isEqual(m_bound, QHostAddress::TolerantConversion)
            || address.isEqual(local, QHostAddress::TolerantConversion))
            return std::nullopt;
    }
    return Refusal {421,
        QStringLiteral("Host '%1' does not name this server; start it with --allow-host %1 "
                       "to accept that name")
            .arg(QString::fromLatin1(name.left(253)))};
}

} // namespace Pushboard
