#include "tlstrust.h"

#include <QCryptographicHash>
#include <QFile>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QWebSocket>

namespace Pushboard {

namespace {

QString colonHex(const QByteArray &bytes)
{
    QStringList pairs;
    for (const char byte : bytes)
        pairs << QString::fromLatin1(QByteArray(1, byte).toHex().toUpper());
    return pairs.join(QLatin1Char(':'));
}

} // namespace

std::optional<TlsTrust> TlsTrust::fromOptions(
    const QString &caFile, const QString &pin, QString *error)
{
    TlsTrust trust;
    if (!caFile.isEmpty()) {
        QFile file(caFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("--ca: cannot read %1: %2").arg(caFile, file.errorString());
            return std::nullopt;
        }
        trust.m_authorities = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (trust.m_authorities.isEmpty()) {
            *error = QStringLiteral("--ca: %1 holds no PEM certificate").arg(caFile);
            return std::nullopt;
        }
    }
    if (!pin.isEmpty()) {
        QString hex = pin;
        hex.remove(QLatin1Char(':'));
        static const QRegularExpression sha256(QStringLiteral("^[0-9A-Fa-f]{64}$"));
        if (!sha256.match(hex).hasMatch()) {
            *error = QStringLiteral("--pin takes a SHA-256 fingerprint: 64 hex digits, colons "
                                    "allowed (as pushboard serve prints it), not '%1'")
                         .arg(pin);
            return std::nullopt;
        }
        trust.m_pin = QByteArray::fromHex(hex.toLatin1());
    }
    return trust;
}

QSslConfiguration TlsTrust::configuration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!m_authorities.isEmpty())
        configuration.addCaCertificates(m_authorities);
    return configuration;
}

QString TlsTrust::refusal(const QSslCertificate &peer, const QList<QSslError> &errors) const
{
    if (!m_pin.isEmpty()) {
        const QByteArray digest = peer.digest(QCryptographicHash::Sha256);
        if (peer.isNull() || digest != m_pin)
            return QStringLiteral("the server's certificate (SHA-256 %1) is not the pinned one "
                                  "(%2)")
                .arg(peer.isNull() ? QStringLiteral("none") : colonHex(digest), colonHex(m_pin));
        return {};
    }
    if (errors.isEmpty())
        return {};
    return QStringLiteral("untrusted certificate: %1 (trust it with --ca FILE or --pin SHA256)")
        .arg(errors.constFirst().errorString());
}

void TlsTrust::watch(QNetworkReply *reply, QObject *context,
    const std::function<void(const QString &)> &refused) const
{
    const TlsTrust trust = *this;
    QObject::connect(reply, &QNetworkReply::sslErrors, context,
        [trust, reply, refused](const QList<QSslError> &errors) {
            const QString reason
                = trust.refusal(reply->sslConfiguration().peerCertificate(), errors);
            if (reason.isEmpty()) {
                reply->ignoreSslErrors(errors);
            } else {
                refused(reason);
            }
        });
    if (!hasPin())
        return; // a chain that verified is enough
    QObject::connect(reply, &QNetworkReply::encrypted, context, [trust, reply, refused] {
        const QString reason = trust.refusal(reply->sslConfiguration().peerCertificate(), {});
        if (!reason.isEmpty()) {
            refused(reason);
            reply->abort();
        }
    });
}

QString TlsTrust::onSslErrors(QWebSocket *socket, const QList<QSslError> &errors) const
{
    const QString reason = refusal(socket->sslConfiguration().peerCertificate(), errors);
    if (reason.isEmpty())
        socket->ignoreSslErrors(errors);
    return reason;
}

QString TlsTrust::onConnected(const QWebSocket *socket) const
{
    if (!hasPin() || socket->requestUrl().scheme() != QLatin1String("wss"))
        return {}; // a chain that verified is enough
    return refusal(socket->sslConfiguration().peerCertificate(), {});
}

} // namespace Pushboard
