#include "hostcheck.h"

#include <QTest>

using namespace Pushboard;

/// The DNS-rebinding rule, table-driven: which Host values name this server, for a loopback and
/// an all-interfaces bind, with and without --allow-host.
class tst_HostCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostName_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("name") << QByteArray("Example.COM") << QByteArray("example.com");
        QTest::newRow("port") << QByteArray("example.com:8765") << QByteArray("example.com");
        QTest::newRow("trailing dot") << QByteArray("localhost.:1") << QByteArray("localhost");
        QTest::newRow("ipv4") << QByteArray("127.0.0.1:8765") << QByteArray("127.0.0.1");
        QTest::newRow("ipv6") << QByteArray("[::1]:8765") << QByteArray("::1");
        QTest::newRow("ipv6 without port") << QByteArray("[::1]") << QByteArray("::1");
        QTest::newRow("spaces around") << QByteArray(" localhost ") << QByteArray("localhost");
        QTest::newRow("empty") << QByteArray("") << QByteArray();
        QTest::newRow("port not digits") << QByteArray("localhost:http") << QByteArray();
        QTest::newRow("port too long") << QByteArray("localhost:123456") << QByteArray();
        QTest::newRow("empty port") << QByteArray("localhost:") << QByteArray();
        QTest::newRow("userinfo") << QByteArray("me@localhost") << QByteArray();
        QTest::newRow("path") << QByteArray("localhost/x") << QByteArray();
        QTest::newRow("unclosed bracket") << QByteArray("[::1") << QByteArray();
        QTest::newRow("junk after bracket") << QByteArray("[::1]x") << QByteArray();
        QTest::newRow("two colons") << QByteArray("a:1:2") << QByteArray();
    }
    void hostName()
    {
        QFETCH(QByteArray, host);
        QFETCH(QByteArray, name);
        QCOMPARE(HostCheck::hostName(host), name);
    }

    void check_data()
    {
        QTest::addColumn<QString>("bound");
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<QString>("local"); // the address the connection arrived at
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status"); // 0: accepted
        const QString lo = QStringLiteral("127.0.0.1");
        const QString any = QStringLiteral("0.0.0.0");
        const QString lan = QStringLiteral("192.168.1.5");
        const QStringList none;
        const QStringList board {QStringLiteral("board.lan"), QStringLiteral("Other.LAN:80")};
        QTest::newRow("localhost") << lo << none << lo << QByteArray("localhost:8765") << 0;
        QTest::newRow("a.localhost") << lo << none << lo << QByteArray("a.b.localhost") << 0;
        QTest::newRow("127.0.0.1") << lo << none << lo << QByteArray("127.0.0.1:8765") << 0;
        QTest::newRow("127.1.2.3") << lo << none << lo << QByteArray("127.1.2.3") << 0;
        QTest::newRow("[::1]") << lo << none << lo << QByteArray("[::1]:8765") << 0;
        QTest::newRow("rebinding") << lo << none << lo << QByteArray("evil.example:8765") << 421;
        QTest::newRow("localhost suffix trick")
            << lo << none << lo << QByteArray("localhost.evil.example") << 421;
        QTest::newRow("notlocalhost") << lo << none << lo << QByteArray("notlocalhost") << 421;
        QTest::newRow("lan address on loopback bind")
            << lo << none << lo << QByteArray("192.168.1.5") << 421;
        QTest::newRow("malformed") << lo << none << lo << QByteArray("a b") << 400;
        QTest::newRow("allowed name") << lo << board << lo << QByteArray("BOARD.lan:1") << 0;
        QTest::newRow("allowed given with a port")
            << lo << board << lo << QByteArray("other.lan") << 0;
        QTest::newRow("not allowed") << lo << board << lo << QByteArray("board.lan.evil") << 421;
        QTest::newRow("bound address") << lan << none << lan << QByteArray("192.168.1.5:8765") << 0;
        QTest::newRow("any bind: arrival address")
            << any << none << lan << QByteArray("192.168.1.5:8765") << 0;
        QTest::newRow("any bind: other address")
            << any << none << lan << QByteArray("10.9.9.9") << 421;
        QTest::newRow("any bind: a name") << any << none << lan << QByteArray("my-pc") << 421;
        QTest::newRow("star") << lo << QStringList {QStringLiteral("*")} << lo
                              << QByteArray("anything.example") << 0;
    }
    void check()
    {
        QFETCH(QString, bound);
        QFETCH(QStringList, allowed);
        QFETCH(QString, local);
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        const HostCheck hostCheck {QHostAddress(bound), allowed};
        const auto refusal = hostCheck.check(host, QHostAddress(local));
        QCOMPARE(refusal ? refusal->status : 0, status);
        if (status == 421)
            QVERIFY(refusal->reason.contains(QStringLiteral("--allow-host")));
    }
};

QTEST_GUILESS_MAIN(tst_HostCheck)
#include "tst_hostcheck.moc"
