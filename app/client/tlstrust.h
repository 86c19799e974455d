#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>

#include <functional>
#include <optional>

class QNetworkReply;
class QWebSocket;
class QObject;

namespace Pushboard {

/// Whom a client trusts for `https://` and `wss://`: the system's certificate authorities, plus
/// those of `--ca FILE`; or, with `--pin SHA256`, exactly the server certificate with that
/// SHA-256 fingerprint (as `pushboard serve --tls-self-signed` prints it), whoever signed it.
class TlsTrust
{
public:
    /// From the command line: `caFile` (PEM, one or more certificates) and `pin` (64 hex digits,
    /// colons and case as you like). Empty strings: the system's trust only. Nothing, and
    /// `error` says why in one line, for an unreadable file or a malformed pin.
    static std::optional<TlsTrust> fromOptions(
        const QString &caFile, const QString &pin, QString *error);

    /// The configuration to connect with (the system's, plus the `--ca` authorities).
    [[nodiscard]] QSslConfiguration configuration() const;

    /// Why the server's certificate `peer` is refused after a handshake that reported `errors`
    /// (none when the chain verified); empty when it is accepted. With a pin, only the pin
    /// counts; without one, any error refuses.
    [[nodiscard]] QString refusal(
        const QSslCertificate &peer, const QList<QSslError> &errors) const;

    [[nodiscard]] bool hasPin() const { return !m_pin.isEmpty(); }

    /// Applies this trust to a request sent with configuration(): ignores the errors a matching
    /// pin overrides, aborts on a pin that does not match; `refused(reason)` is called first
    /// whenever it refuses.
    void watch(QNetworkReply *reply, QObject *context,
        const std::function<void(const QString &)> &refused) const;

    /// The same for a WebSocket, in two steps. On its sslErrors(): accepts what this trust
    /// overrides (ignoreSslErrors()) and returns nothing, or returns why it refuses.
    [[nodiscard]] QString onSslErrors(QWebSocket *socket, const QList<QSslError> &errors) const;
    /// Once it is connected: why a `wss://` socket's certificate is refused (a pin it does not
    /// match), or nothing.
    [[nodiscard]] QString onConnected(const QWebSocket *socket) const;

private:
    QList<QSslCertificate> m_authorities;
    QByteArray m_pin; ///< 32 bytes, or empty.
};

} // namespace Pushboard
