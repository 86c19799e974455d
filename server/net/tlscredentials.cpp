#include "tlscredentials.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QSaveFile>
#include <QSysInfo>

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace Pushboard::Tls {

namespace {

constexpr long ValidDays = 397; // what browsers accept at most for a server certificate
constexpr qint64 RenewDays = 30;

struct OpenSslFree
{
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(BIO *p) const { BIO_free(p); }
    void operator()(BIGNUM *p) const { BN_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using CertPtr = std::unique_ptr<X509, OpenSslFree>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;
using BigNumPtr = std::unique_ptr<BIGNUM, OpenSslFree>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, size);
}

QByteArray certificatePem(X509 *certificate)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), certificate);
    return bioBytes(bio.get());
}

QByteArray keyPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return bioBytes(bio.get());
}

bool addExtension(X509 *certificate, X509 *issuer, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData());
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

/// A certificate for `subjectKey` named `commonName`, signed by `issuerKey` (`issuer` null:
/// self-signed), with the extensions given as (NID, OpenSSL config value).
CertPtr makeCertificate(EVP_PKEY *subjectKey, const QByteArray &commonName, X509 *issuer,
    EVP_PKEY *issuerKey, const QList<std::pair<int, QByteArray>> &extensions)
{
    CertPtr certificate(X509_new());
    BigNumPtr serial(BN_new());
    if (!certificate || !serial || X509_set_version(certificate.get(), 2) != 1
        || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())))
        return nullptr;
    // An hour back: a client whose clock is a little behind still accepts it.
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), ValidDays * 24 * 3600);
    X509_NAME *name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(
        name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("Pushboard"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
        reinterpret_cast<const unsigned char *>(commonName.constData()), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : name);
    if (X509_set_pubkey(certificate.get(), subjectKey) != 1)
        return nullptr;
    for (const auto &[nid, value] : extensions) {
        if (!addExtension(certificate.get(), issuer ? issuer : certificate.get(), nid, value))
            return nullptr;
    }
    if (X509_sign(certificate.get(), issuerKey, EVP_sha256()) <= 0)
        return nullptr;
    return certificate;
}

/// `subjectAltName` for the names: addresses as IP:, anything else as DNS:; wildcard bind
/// addresses stand for this machine's name and addresses.
QByteArray subjectAltName(const QStringList &names)
{
    QStringList all {
        QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    for (const QString &name : names) {
        const QHostAddress address(name);
        if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
            || address == QHostAddress::Any) {
            all << QSysInfo::machineHostName();
            for (const QHostAddress &local : QNetworkInterface::allAddresses())
                all << local.toString().section(QLatin1Char('%'), 0, 0);
        } else {
            all << name;
        }
    }
    QStringList entries;
    for (const QString &name : std::as_const(all)) {
        if (name.isEmpty())
            continue;
        const QString entry
            = (QHostAddress(name).isNull() ? QStringLiteral("DNS:") : QStringLiteral("IP:")) + name;
        if (!entries.contains(entry))
            entries << entry;
    }
    return entries.join(QLatin1Char(',')).toUtf8();
}

bool writeFile(const QString &path, const QByteArray &bytes, QFileDevice::Permissions permissions,
    QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(permissions)
        || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QByteArray readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    return file.readAll();
}

} // namespace

QString fingerprint(const QSslCertificate &certificate)
{
    const QByteArray hex = certificate.digest(QCryptographicHash::Sha256).toHex().toUpper();
    QStringList pairs;
    for (qsizetype i = 0; i + 1 < hex.size(); i += 2)
        pairs << QString::fromLatin1(hex.mid(i, 2));
    return pairs.join(QLatin1Char(':'));
}

std::optional<TlsCredentials> load(const QString &certFile, const QString &keyFile, QString *error)
{
    const QByteArray certificatePemBytes = readFile(certFile, error);
    if (certificatePemBytes.isEmpty()) {
        if (error->isEmpty())
            *error = QStringLiteral("%1 is empty").arg(certFile);
        return std::nullopt;
    }
    const QByteArray keyPemBytes = readFile(keyFile, error);
    if (keyPemBytes.isEmpty()) {
        if (error->isEmpty())
            *error = QStringLiteral("%1 is empty").arg(keyFile);
        return std::nullopt;
    }
    TlsCredentials credentials;
    credentials.chain = QSslCertificate::fromData(certificatePemBytes, QSsl::Pem);
    if (credentials.chain.isEmpty()) {
        *error = QStringLiteral("%1 holds no PEM certificate").arg(certFile);
        return std::nullopt;
    }
    // OpenSSL reads any key type and tells whether it belongs to the certificate.
    BioPtr certBio(
        BIO_new_mem_buf(certificatePemBytes.constData(), int(certificatePemBytes.size())));
    BioPtr keyBio(BIO_new_mem_buf(keyPemBytes.constData(), int(keyPemBytes.size())));
    CertPtr certificate(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        *error = QStringLiteral("%1 holds no unencrypted PEM private key").arg(keyFile);
        return std::nullopt;
    }
    if (!certificate || X509_check_private_key(certificate.get(), key.get()) != 1) {
        *error = QStringLiteral("the key in %1 does not belong to the certificate in %2")
                     .arg(keyFile, certFile);
        return std::nullopt;
    }
    const int type = EVP_PKEY_get_base_id(key.get());
    const QSsl::KeyAlgorithm algorithm = type == EVP_PKEY_RSA ? QSsl::Rsa
        : type == EVP_PKEY_EC                                 ? QSsl::Ec
        : type == EVP_PKEY_DSA                                ? QSsl::Dsa
                                                              : QSsl::Opaque;
    if (algorithm == QSsl::Opaque) {
        *error = QStringLiteral("%1: only RSA, EC and DSA keys are supported").arg(keyFile);
        return std::nullopt;
    }
    credentials.key = QSslKey(keyPemBytes, algorithm, QSsl::Pem, QSsl::PrivateKey);
    if (credentials.key.isNull()) {
        *error = QStringLiteral("%1: Qt cannot read this key").arg(keyFile);
        return std::nullopt;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (credentials.chain.first().expiryDate() < now) {
        *error = QStringLiteral("the certificate in %1 expired on %2")
                     .arg(certFile, credentials.chain.first().expiryDate().toString(Qt::ISODate));
        return std::nullopt;
    }
    return credentials;
}

SelfSignedFiles selfSignedFiles(const QString &dataDir)
{
    const QDir dir(dataDir);
    return {dir.filePath(QStringLiteral("tls-cert.pem")),
        dir.filePath(QStringLiteral("tls-key.pem")), dir.filePath(QStringLiteral("tls-ca.pem"))};
}

std::optional<TlsCredentials> selfSigned(
    const QString &dataDir, const QStringList &names, bool *created, QString *error)
{
    *created = false;
    const SelfSignedFiles files = selfSignedFiles(dataDir);
    if (QFile::exists(files.certificate) && QFile::exists(files.key)) {
        auto existing = load(files.certificate, files.key, error);
        if (existing
            && existing->chain.first().expiryDate()
                > QDateTime::currentDateTimeUtc().addDays(RenewDays))
            return existing;
        error->clear(); // expired, about to, or unreadable: make new ones
    }

    KeyPtr authorityKey(EVP_EC_gen("P-256"));
    KeyPtr serverKey(EVP_EC_gen("P-256"));
    if (!authorityKey || !serverKey) {
        *error = QStringLiteral("cannot generate a key (OpenSSL)");
        return std::nullopt;
    }
    const QByteArray host = QSysInfo::machineHostName().toUtf8();
    CertPtr authority = makeCertificate(authorityKey.get(), "Pushboard local CA on " + host,
        nullptr, authorityKey.get(),
        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
            {NID_key_usage, "critical,keyCertSign,cRLSign"}, {NID_subject_key_identifier, "hash"}});
    CertPtr server = authority
        ? makeCertificate(serverKey.get(), "Pushboard on " + host, authority.get(),
            authorityKey.get(),
            {{NID_basic_constraints, "critical,CA:FALSE"},
                {NID_key_usage, "critical,digitalSignature"}, {NID_ext_key_usage, "serverAuth"},
                {NID_subject_alt_name, subjectAltName(names)}, {NID_subject_key_identifier, "hash"},
                {NID_authority_key_identifier, "keyid:always"}})
        : nullptr;
    if (!server) {
        *error = QStringLiteral("cannot make a certificate (OpenSSL)");
        return std::nullopt;
    }
    // The authority's key goes now: nothing else can ever be signed by it.
    authorityKey.reset();

    const QByteArray authorityPem = certificatePem(authority.get());
    if (!QDir().mkpath(dataDir)) {
        *error = QStringLiteral("cannot create %1").arg(dataDir);
        return std::nullopt;
    }
    if (!writeFile(files.key, keyPem(serverKey.get()), QFile::ReadOwner | QFile::WriteOwner, error)
        || !writeFile(files.certificate, certificatePem(server.get()) + authorityPem,
            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther, error)
        || !writeFile(files.authority, authorityPem,
            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther, error))
        return std::nullopt;
    *created = true;
    return load(files.certificate, files.key, error);
}

} // namespace Pushboard::Tls
