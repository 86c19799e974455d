#include "tlscredentials.h"
#include "tlstrust.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;

/// What `--ca` and `--pin` accept, and when a server certificate is refused and why.
class tst_TlsTrust : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        bool created = false;
        QString error;
        const auto credentials = Tls::selfSigned(m_dir.path(), {}, &created, &error);
        QVERIFY2(credentials, qPrintable(error));
        m_server = credentials->chain.constFirst();
        m_authority = credentials->chain.constLast();
    }

    void options_data()
    {
        QTest::addColumn<QString>("ca");
        QTest::addColumn<QString>("pin");
        QTest::addColumn<QString>("error"); // empty: accepted
        const QString fingerprint = Tls::fingerprint(m_server);
        QTest::newRow("nothing") << QString() << QString() << QString();
        QTest::newRow("pin with colons") << QString() << fingerprint << QString();
        QTest::newRow("pin lower case, no colons")
            << QString() << fingerprint.toLower().remove(QLatin1Char(':')) << QString();
        QTest::newRow("pin too short") << QString() << fingerprint.left(20) << "64 hex digits";
        QTest::newRow("pin not hex")
            << QString() << QString(64, QLatin1Char('g')) << "64 hex digits";
        QTest::newRow("ca file") << Tls::selfSignedFiles(m_dir.path()).authority << QString()
                                 << QString();
        QTest::newRow("no ca file")
            << m_dir.filePath(QStringLiteral("none.pem")) << QString() << "--ca: cannot read";
        QTest::newRow("ca file of a key")
            << Tls::selfSignedFiles(m_dir.path()).key << QString() << "holds no PEM certificate";
    }
    void options()
    {
        QFETCH(QString, ca);
        QFETCH(QString, pin);
        QFETCH(QString, error);
        QString reason;
        const auto trust = TlsTrust::fromOptions(ca, pin, &reason);
        QCOMPARE(trust.has_value(), error.isEmpty());
        QVERIFY2(reason.contains(error), qPrintable(reason));
    }

    void refusal()
    {
        QString error;
        const QList<QSslError> untrusted {
            QSslError(QSslError::SelfSignedCertificateInChain, m_authority)};
        // The system's trust: any error refuses, with what to do about it.
        const auto plain = TlsTrust::fromOptions({}, {}, &error);
        QVERIFY(plain->refusal(m_server, {}).isEmpty());
        QVERIFY(plain->refusal(m_server, untrusted).contains(QStringLiteral("--ca FILE or --pin")));
        // --ca adds the authority to what the handshake verifies against.
        const auto withCa
            = TlsTrust::fromOptions(Tls::selfSignedFiles(m_dir.path()).authority, {}, &error);
        QVERIFY(withCa->configuration().caCertificates().contains(m_authority));
        // A pin: the pinned certificate whatever the errors; any other, never.
        const auto pinned = TlsTrust::fromOptions({}, Tls::fingerprint(m_server), &error);
        QVERIFY(pinned->refusal(m_server, untrusted).isEmpty());
        QVERIFY(pinned->refusal(m_server, {}).isEmpty());
        QVERIFY(pinned->refusal(m_authority, {}).contains(QStringLiteral("not the pinned one")));
        QVERIFY(pinned->refusal(QSslCertificate(), {}).contains(QStringLiteral("SHA-256 none")));
    }

private:
    QTemporaryDir m_dir;
    QSslCertificate m_server;
    QSslCertificate m_authority;
};

QTEST_GUILESS_MAIN(tst_TlsTrust)
#include "tst_tlstrust.moc"
