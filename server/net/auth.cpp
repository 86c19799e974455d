#include "auth.h"

#include "protocol/httprequestparser.h"

#include <QUrlQuery>

namespace Pushboard {

bool Auth::constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const QByteArray &probe = a.size() == b.size() ? a : b; // Same work whatever the lengths.
    for (qsizetype i = 0; i < b.size(); ++i)
        diff |= static_cast<unsigned char>(probe.at(i) ^ b.at(i));
    return diff == 0;
}

bool Auth::allows(const HttpRequest &request) const
{
    const QUrlQuery query(request.url());
    return allows(request.value("Authorization"),
        query.hasQueryItem(QStringLiteral("token"))
            ? query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)
            : QString());
}

bool Auth::allows(const QByteArray &header, const QString &queryToken) const
{
    if (!isEnabled())
        return true;
    static constexpr QByteArrayView Bearer("Bearer ");
    if (header.size() > Bearer.size()
        && header.first(Bearer.size()).compare(Bearer, Qt::CaseInsensitive) == 0)
        return constantTimeEquals(header.mid(Bearer.size()).trimmed(), m_token);
    if (!queryToken.isNull())
        return constantTimeEquals(queryToken.toUtf8(), m_token);
    return false;
}

} // namespace Pushboard
