#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QStringList>

namespace Pushboard {

class HttpRequest;

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

/// Which browser origins may read from (and publish to) this server (docs/protocol.md,
/// "Authentication and CORS").
///
/// The server's own origin (`http://` + the request's Host) and every `--allow-origin` origin get
/// `Access-Control-Allow-Origin` echoing their origin; `*` lets any origin read (GET) but not
/// publish. A request from any other origin gets no CORS headers, so the browser withholds the
/// answer from the page.
class Cors
{
public:
    /// `tls`: the server speaks HTTPS, so its own origin is `https://HOST`.
    explicit Cors(const QStringList &allowedOrigins = {}, bool tls = false);

    /// True when the request's origin may use this server (reads when `forRead`, else
    /// publishing too). A request without Origin is not a cross-origin browser request: allowed.
    [[nodiscard]] bool allows(const HttpRequest &request, bool forRead) const;
    /// The same check on the raw `Origin` and `Host` header values.
    [[nodiscard]] bool allows(const QByteArray &origin, const QByteArray &host, bool forRead) const;
    /// The headers to add to the answer of `request`; empty without an Origin header.
    [[nodiscard]] HttpHeaders headersFor(const HttpRequest &request, bool forRead) const;
    /// The answer headers to a preflight (`OPTIONS`) for a path that accepts `methods`.
    [[nodiscard]] HttpHeaders preflightHeaders(
        const HttpRequest &request, const QByteArray &methods) const;

private:
    QList<QByteArray> m_origins; ///< Lower-case, without a trailing slash.
    bool m_anyReads = false;
    bool m_tls = false;
};

} // namespace Pushboard
