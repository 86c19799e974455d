#include "auth.h"

#include <QTest>

using namespace Pushboard;

/// The bearer-token rule: which header or query values pass, failing closed, and the comparison.
class tst_Auth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allows_data()
    {
        QTest::addColumn<QByteArray>("token"); // configured; empty: none
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QString>("query"); // null: no token query item
        QTest::addColumn<bool>("allowed");
        QTest::newRow("no token configured") << QByteArray() << QByteArray() << QString() << true;
        QTest::newRow("nothing sent") << QByteArray("s3") << QByteArray() << QString() << false;
        QTest::newRow("bearer") << QByteArray("s3") << QByteArray("Bearer s3") << QString() << true;
        QTest::newRow("scheme any case")
            << QByteArray("s3") << QByteArray("bEaReR s3") << QString() << true;
        QTest::newRow("wrong bearer")
            << QByteArray("s3") << QByteArray("Bearer s4") << QString() << false;
        QTest::newRow("prefix of the token")
            << QByteArray("s3cret") << QByteArray("Bearer s3") << QString() << false;
        QTest::newRow("token as prefix")
            << QByteArray("s3") << QByteArray("Bearer s3cret") << QString() << false;
        QTest::newRow("basic scheme")
            << QByteArray("s3") << QByteArray("Basic czM=") << QString() << false;
        QTest::newRow("bare token") << QByteArray("s3") << QByteArray("s3") << QString() << false;
        QTest::newRow("query") << QByteArray("s3") << QByteArray() << QStringLiteral("s3") << true;
        QTest::newRow("wrong query")
            << QByteArray("s3") << QByteArray() << QStringLiteral("s") << false;
        QTest::newRow("empty query")
            << QByteArray("s3") << QByteArray() << QStringLiteral("") << false;
        // A Bearer header decides alone: a wrong one is not rescued by the query.
        QTest::newRow("wrong header, right query")
            << QByteArray("s3") << QByteArray("Bearer no") << QStringLiteral("s3") << false;
    }
    void allows()
    {
        QFETCH(QByteArray, token);
        QFETCH(QByteArray, authorization);
        QFETCH(QString, query);
        QFETCH(bool, allowed);
        const Auth auth(token);
        QCOMPARE(auth.isEnabled(), !token.isEmpty());
        QCOMPARE(auth.allows(authorization, query), allowed);
    }

    void constantTimeEquals_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("same") << QByteArray("abc") << QByteArray("abc") << true;
        QTest::newRow("empty") << QByteArray() << QByteArray() << true;
        QTest::newRow("last byte") << QByteArray("abc") << QByteArray("abd") << false;
        QTest::newRow("shorter") << QByteArray("ab") << QByteArray("abc") << false;
        QTest::newRow("longer") << QByteArray("abcd") << QByteArray("abc") << false;
        QTest::newRow("empty and not") << QByteArray() << QByteArray("a") << false;
        QTest::newRow("nul inside") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
    }
    void constantTimeEquals()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(Auth::constantTimeEquals(a, b), equal);
        QCOMPARE(Auth::constantTimeEquals(b, a), equal);
    }
};

QTEST_GUILESS_MAIN(tst_Auth)
#include "tst_auth.moc"
