#include "cors.h"
#include "protocol/httprequestparser.h"

#include <QTest>

using namespace Pushboard;

namespace {

HttpRequest request(const QByteArray &origin, const QByteArray &host = "127.0.0.1:8765")
{
    HttpRequestParser parser;
    QByteArray head = "GET /events HTTP/1.1\r\nHost: " + host + "\r\n";
    if (!origin.isNull())
        head += "Origin: " + origin + "\r\n";
    head += "\r\n";
    parser.feed(head);
    [[maybe_unused]] const auto status = parser.parse();
    return parser.takeRequest();
}

} // namespace

/// Which origins get CORS headers, for reads and for publishing, and the preflight answer.
class tst_Cors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allows_data()
    {
        QTest::addColumn<QStringList>("allowed"); // --allow-origin values
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<bool>("read");
        QTest::addColumn<bool>("publish");
        QTest::addColumn<bool>("tls"); // the server speaks HTTPS
        const QStringList none;
        const QStringList dash {QStringLiteral("https://dash.example/")};
        const QStringList any {QStringLiteral("*")};
        QTest::newRow("no Origin: not a cross-origin request")
            << none << QByteArray() << true << true << false;
        QTest::newRow("own origin")
            << none << QByteArray("http://127.0.0.1:8765") << true << true << false;
        QTest::newRow("own origin, other case")
            << none << QByteArray("HTTP://127.0.0.1:8765/") << true << true << false;
        QTest::newRow("own host, other port")
            << none << QByteArray("http://127.0.0.1:9999") << false << false << false;
        QTest::newRow("own host over https")
            << none << QByteArray("https://127.0.0.1:8765") << false << false << false;
        QTest::newRow("foreign") << none << QByteArray("https://evil.example") << false << false
                                 << false;
        QTest::newRow("null origin") << none << QByteArray("null") << false << false << false;
        QTest::newRow("allowed (slash ignored)")
            << dash << QByteArray("https://dash.example") << true << true << false;
        QTest::newRow("allowed's subdomain")
            << dash << QByteArray("https://a.dash.example") << false << false << false;
        QTest::newRow("over TLS: own origin is https")
            << none << QByteArray("https://127.0.0.1:8765") << true << true << true;
        QTest::newRow("over TLS: own host over http")
            << none << QByteArray("http://127.0.0.1:8765") << false << false << true;
        QTest::newRow("any reads, never publishes")
            << any << QByteArray("https://evil.example") << true << false << false;
    }
    void allows()
    {
        QFETCH(QStringList, allowed);
        QFETCH(QByteArray, origin);
        QFETCH(bool, read);
        QFETCH(bool, publish);
        QFETCH(bool, tls);
        const Cors cors(allowed, tls);
        const HttpRequest r = request(origin);
        QCOMPARE(cors.allows(r, true), read);
        QCOMPARE(cors.allows(r, false), publish);
        const HttpHeaders headers = cors.headersFor(r, true);
        if (origin.isEmpty() || !read) {
            QVERIFY(headers.isEmpty()); // no Origin, or refused: no CORS headers at all
        } else {
            QCOMPARE(headers.value(0).first, QByteArray("Access-Control-Allow-Origin"));
            QCOMPARE(headers.value(0).second, origin); // echoed, never '*'
            QVERIFY(headers.contains({"Vary", "Origin"}));
        }
    }

    void preflight()
    {
        const Cors cors({QStringLiteral("https://dash.example")});
        const HttpHeaders publish
            = cors.preflightHeaders(request("https://dash.example"), "POST, OPTIONS");
        QVERIFY(publish.contains({"Access-Control-Allow-Origin", "https://dash.example"}));
        QVERIFY(publish.contains({"Access-Control-Allow-Methods", "POST, OPTIONS"}));
        QVERIFY(publish.contains(
            {"Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID"}));
        QVERIFY(publish.contains({"Access-Control-Max-Age", "600"}));
        QVERIFY(cors.preflightHeaders(request("https://evil.example"), "POST").isEmpty());
        // '*' lets anyone read, so a preflight for a read passes, one for a publish does not.
        const Cors any({QStringLiteral("*")});
        QVERIFY(!any.preflightHeaders(request("https://evil.example"), "GET").isEmpty());
        QVERIFY(any.preflightHeaders(request("https://evil.example"), "POST").isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_Cors)
#include "tst_cors.moc"
