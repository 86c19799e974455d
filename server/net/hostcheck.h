#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Pushboard {

class HttpRequest;

/// Which names a request's `Host` header may give for this server: the defence against DNS
/// rebinding. A web page that makes its own host name resolve to 127.0.0.1 sends that name as
/// Host, so a loopback server that accepts any Host lets the page read and drive it.
///
/// Accepted: loopback names (`localhost` and any `*.localhost`, RFC 6761), loopback addresses
/// (127.0.0.0/8, `::1`), the address the server is bound to, the address the connection came in
/// on (for a server bound to every interface), and the names given with `--allow-host`
/// (`*` turns the check off, for a server behind a proxy that checks Host itself). The port in
/// Host is not compared: what matters is which name the browser used. An HTTP/1.0 request
/// without Host (HTTP/1.1 requires it; every browser sends it) is accepted.
class HostCheck
{
public:
    explicit HostCheck(const QHostAddress &bound = {}, const QStringList &allowedNames = {});

    /// Why a request is refused: 400 for a malformed Host (RFC 9112 3.2), 421 Misdirected
    /// Request (RFC 9110 15.5.20) for a name that is not this server's.
    struct Refusal
    {
        int status = 421;
        QString reason;
    };

    /// Nothing when `request` may address this server on a connection that arrived at `local`.
    [[nodiscard]] std::optional<Refusal> check(
        const HttpRequest &request, const QHostAddress &local) const;
    /// The same on the raw Host value.
    [[nodiscard]] std::optional<Refusal> check(
        const QByteArray &host, const QHostAddress &local) const;

    /// The name part of a Host value (`name`, `[v6]` without brackets), lower-case; empty when
    /// the value is malformed.
    [[nodiscard]] static QByteArray hostName(const QByteArray &host);

private:
    QHostAddress m_bound;
    QList<QByteArray> m_names; ///< Lower-case, without a trailing dot.
    bool m_any = false;
};

} // namespace Pushboard
