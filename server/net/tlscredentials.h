#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>

#include <optional>

namespace Pushboard {

/// What a TLS server presents: its certificate (with the chain up to, not including, a root)
/// and its private key.
struct TlsCredentials
{
    QList<QSslCertificate> chain; ///< The server's certificate first.
    QSslKey key;
};

/// Reading, checking and making the server's TLS certificate and key.
namespace Tls {

/// The certificate's SHA-256 fingerprint as `AB:CD:...` (what `--pin` takes, with or without
/// colons, in either case).
[[nodiscard]] QString fingerprint(const QSslCertificate &certificate);

/// Reads a PEM certificate file (the server's certificate, then any intermediates) and a PEM
/// private key (RSA or EC, unencrypted). Nothing, and `error` says why in one line, when a file
/// cannot be read, holds no certificate or key, or the key does not belong to the certificate.
[[nodiscard]] std::optional<TlsCredentials> load(
    const QString &certFile, const QString &keyFile, QString *error);

/// The files `--tls-self-signed` keeps in the data directory.
struct SelfSignedFiles
{
    QString certificate; ///< tls-cert.pem: the server's certificate, then the local CA's.
    QString key; ///< tls-key.pem (mode 0600).
    QString authority; ///< tls-ca.pem: the local CA, for clients' `--ca`.
};
[[nodiscard]] SelfSignedFiles selfSignedFiles(const QString &dataDir);

/// Loads the self-signed credentials from `dataDir`, or makes them when they are missing or
/// expire within 30 days: a local CA (its key is thrown away at once, so it can sign nothing
/// else) and a server certificate it signs for `names` (host names and IP addresses; localhost,
/// 127.0.0.1 and ::1 are always included), both EC P-256, valid 397 days. `created` tells
/// whether they were made now.
[[nodiscard]] std::optional<TlsCredentials> selfSigned(
    const QString &dataDir, const QStringList &names, bool *created, QString *error);

} // namespace Tls

} // namespace Pushboard
