#pragma once

#include <QByteArray>

namespace Pushboard {

class HttpRequest;

/// Bearer-token check for every endpoint but `/api/health` (docs/protocol.md, "Authentication and
/// CORS").
///
/// Accepts `Authorization: Bearer T` or `?token=T` (EventSource cannot send headers). Compares in
/// constant time. Fails closed: with a token configured, a request whose headers the HTTP parser
/// dropped carries no token and is refused.
class Auth
{
public:
    explicit Auth(const QByteArray &token = {})
        : m_token(token)
    { }

    [[nodiscard]] bool isEnabled() const { return !m_token.isEmpty(); }
    [[nodiscard]] bool allows(const HttpRequest &request) const;
    /// The same check on the raw values: the `Authorization` header and the `token` query item
    /// (null when absent).
    [[nodiscard]] bool allows(const QByteArray &authorization, const QString &queryToken) const;

    /// Equal contents, in time that depends only on the lengths.
    [[nodiscard]] static bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

private:
    QByteArray m_token;
};

} // namespace Pushboard
