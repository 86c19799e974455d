#include "tlscredentials.h"

#include <QFile>
#include <QRegularExpression>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;

/// The server's TLS credentials: the self-signed pair made once and kept, what it certifies,
/// the fingerprint's form, and every way a certificate or key file can be wrong.
class tst_TlsCredentials : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void selfSignedIsMadeOnceAndKept()
    {
        bool created = false;
        QString error;
        const auto first = Tls::selfSigned(m_dir->path(), {}, &created, &error);
        QVERIFY2(first, qPrintable(error));
        QVERIFY(created);
        const Tls::SelfSignedFiles files = Tls::selfSignedFiles(m_dir->path());
        QCOMPARE(QFile::permissions(files.key) & (QFile::ReadGroup | QFile::ReadOther),
            QFile::Permissions());
        QVERIFY(QFile::exists(files.authority));

        const auto second = Tls::selfSigned(m_dir->path(), {}, &created, &error);
        QVERIFY2(second, qPrintable(error));
        QVERIFY(!created);
        QCOMPARE(Tls::fingerprint(second->chain.first()), Tls::fingerprint(first->chain.first()));
    }

    void selfSignedCertifiesThisMachineThroughALocalAuthority()
    {
        bool created = false;
        QString error;
        const auto credentials = Tls::selfSigned(m_dir->path(),
            {QStringLiteral("dash.example"), QStringLiteral("192.0.2.7")}, &created, &error);
        QVERIFY2(credentials, qPrintable(error));
        QCOMPARE(credentials->chain.size(), 2);
        const QSslCertificate &server = credentials->chain.at(0);
        const QSslCertificate &authority = credentials->chain.at(1);
        QCOMPARE(server.issuerDisplayName(), authority.subjectDisplayName());
        QVERIFY(authority.isSelfSigned());
        const auto names = server.subjectAlternativeNames();
        QVERIFY(names.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(names.values(QSsl::DnsEntry).contains(QStringLiteral("dash.example")));
        QVERIFY(names.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        QVERIFY(names.values(QSsl::IpAddressEntry).contains(QStringLiteral("192.0.2.7")));
        QVERIFY(server.expiryDate() > QDateTime::currentDateTimeUtc().addDays(390));
        QVERIFY(server.expiryDate() < QDateTime::currentDateTimeUtc().addDays(398));
        // What clients are told to pass to --ca is the authority that signed it.
        const auto fromFile
            = QSslCertificate::fromPath(Tls::selfSignedFiles(m_dir->path()).authority);
        QCOMPARE(fromFile.size(), 1);
        QCOMPARE(fromFile.first(), authority);
    }

    void fingerprintIsSha256InColonHex()
    {
        bool created = false;
        QString error;
        const auto credentials = Tls::selfSigned(m_dir->path(), {}, &created, &error);
        QVERIFY2(credentials, qPrintable(error));
        QString fingerprint = Tls::fingerprint(credentials->chain.first());
        QVERIFY(QRegularExpression(QStringLiteral("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))
                    .match(fingerprint)
                    .hasMatch());
        QCOMPARE(fingerprint.remove(QLatin1Char(':')).toLatin1(),
            credentials->chain.first().digest(QCryptographicHash::Sha256).toHex().toUpper());
    }

    void loadRefusesWithAReason_data()
    {
        QTest::addColumn<QString>("certificate"); // which file to pass (see loadRefusesWithAReason)
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no certificate file") << "missing"
                                             << "key"
                                             << "cannot read";
        QTest::newRow("no key file") << "cert"
                                     << "missing"
                                     << "cannot read";
        QTest::newRow("empty certificate") << "empty"
                                           << "key"
                                           << "is empty";
        QTest::newRow("not PEM") << "garbage"
                                 << "key"
                                 << "holds no PEM certificate";
        QTest::newRow("key is not a key") << "cert"
                                          << "garbage"
                                          << "holds no unencrypted PEM";
        QTest::newRow("another certificate's key") << "cert"
                                                   << "otherKey"
                                                   << "does not belong";
    }
    void loadRefusesWithAReason()
    {
        QFETCH(QString, certificate);
        QFETCH(QString, key);
        QFETCH(QString, reason);
        QString error;
        QVERIFY(!Tls::load(paths().value(certificate), paths().value(key), &error));
        QVERIFY2(error.contains(reason), qPrintable(error));
    }

    void loadReadsAGoodPair()
    {
        QString error;
        const auto credentials = Tls::load(
            paths().value(QStringLiteral("cert")), paths().value(QStringLiteral("key")), &error);
        QVERIFY2(credentials, qPrintable(error));
        QCOMPARE(credentials->chain.size(), 2);
        QCOMPARE(credentials->key.algorithm(), QSsl::Ec);
        QCOMPARE(credentials->key.type(), QSsl::PrivateKey);
    }

private:
    /// Files for the load cases: a self-signed pair, another pair's key, an empty file, garbage.
    QHash<QString, QString> paths()
    {
        bool created = false;
        QString error;
        const bool made = Tls::selfSigned(m_dir->path(), {}, &created, &error).has_value()
            && Tls::selfSigned(m_other.path(), {}, &created, &error).has_value();
        if (!made)
            qFatal("cannot make test credentials: %s", qPrintable(error));
        auto write = [this](const QString &name, const QByteArray &bytes) {
            const QString path = m_dir->filePath(name);
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
                qFatal("cannot write %s", qPrintable(path));
            return path;
        };
        const Tls::SelfSignedFiles mine = Tls::selfSignedFiles(m_dir->path());
        return {{QStringLiteral("cert"), mine.certificate}, {QStringLiteral("key"), mine.key},
            {QStringLiteral("otherKey"), Tls::selfSignedFiles(m_other.path()).key},
            {QStringLiteral("missing"), m_dir->filePath(QStringLiteral("nothing.pem"))},
            {QStringLiteral("empty"), write(QStringLiteral("empty.pem"), QByteArray())},
            {QStringLiteral("garbage"),
                write(QStringLiteral("garbage.pem"), "-----BEGIN NONSENSE-----\nabc\n")}};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QTemporaryDir m_other;
};

QTEST_GUILESS_MAIN(tst_TlsCredentials)
#include "tst_tlscredentials.moc"
