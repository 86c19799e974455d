#include "faultyservers.h"
#include "ssecheck.h"
#include "verdicts.h"

#include <QTest>

using namespace Pushboard;
using Fault = FaultySseServer::Fault;

/// The SSE check against deliberately broken servers: each fault makes exactly the items it
/// should fail (or warn) come out so, and every other item passes.
class TestSseCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void faults_data();
    void faults();
    void unreachable();
    void notAStream();
    void silentServer();
};

void TestSseCheck::faults_data()
{
    QTest::addColumn<Fault>("fault");
    QTest::addColumn<bool>("buffered");
    QTest::addColumn<QVariantMap>("expected"); // item id -> verdict, for those that do not pass

    // Clear text: browsers use HTTP/1.1 whatever the server offers. These servers never close
    // and never answer 204.
    const QVariantMap always {{QStringLiteral("sse.http2"), QStringLiteral("warn")},
        {QStringLiteral("sse.reconnect"), QStringLiteral("skip")},
        {QStringLiteral("sse.204"), QStringLiteral("skip")}};
    const auto with = [&always](const QVariantMap &more) {
        QVariantMap map = always;
        map.insert(more);
        return map;
    };
    QTest::newRow("correct") << Fault::None << false << always;
    QTest::newRow("wrong content type")
        << Fault::WrongContentType << false
        << with({{QStringLiteral("sse.content-type"), QStringLiteral("fail")}});
    // Without ids there is nothing to resume from: those items cannot be measured.
    QTest::newRow("no ids") << Fault::NoIds << false
                            << with({{QStringLiteral("sse.ids"), QStringLiteral("fail")},
                                   {QStringLiteral("sse.resume"), QStringLiteral("skip")},
                                   {QStringLiteral("sse.resume-unknown"), QStringLiteral("skip")},
                                   {QStringLiteral("sse.resume-old"), QStringLiteral("skip")}});
    // The proxy also holds the first body bytes until its first flush.
    QTest::newRow("buffering proxy")
        << Fault::None << true
        << with({{QStringLiteral("sse.buffering"), QStringLiteral("fail")},
               {QStringLiteral("sse.first-byte"), QStringLiteral("warn")}});
    // A fixed tail is resent to every client: one that resumes sees it twice, one with an
    // unknown id sees old events, and one far behind loses everything before the tail.
    QTest::newRow("fixed tail") << Fault::FixedTail << false
                                << with({{QStringLiteral("sse.resume"), QStringLiteral("fail")},
                                       {QStringLiteral("sse.resume-unknown"),
                                           QStringLiteral("warn")},
                                       {QStringLiteral("sse.resume-old"), QStringLiteral("fail")}});
    QTest::newRow("replay loses one")
        << Fault::LosingReplay << false
        << with({{QStringLiteral("sse.resume"), QStringLiteral("fail")}});
    QTest::newRow("history limit")
        << Fault::HistoryLimit << false
        << with({{QStringLiteral("sse.resume-old"), QStringLiteral("fail")}});
    // A quiet topic: no event to judge ids, resumes or buffering by.
    QTest::newRow("no keepalive")
        << Fault::NoKeepalive << false
        << with({{QStringLiteral("sse.keepalive"), QStringLiteral("fail")},
               {QStringLiteral("sse.ids"), QStringLiteral("skip")},
               {QStringLiteral("sse.types"), QStringLiteral("skip")},
               {QStringLiteral("sse.buffering"), QStringLiteral("skip")},
               {QStringLiteral("sse.resume"), QStringLiteral("skip")},
               {QStringLiteral("sse.resume-unknown"), QStringLiteral("skip")},
               {QStringLiteral("sse.resume-old"), QStringLiteral("skip")}});
    // A server that ends its streams: the reconnect after its close is checked (and passes);
    // staying open for the idle period does not, but the reconnect worked, so a warning.
    QTest::newRow("closes after 3 s")
        << Fault::ClosesAfter3s << false
        << QVariantMap {{QStringLiteral("sse.http2"), QStringLiteral("warn")},
               {QStringLiteral("sse.204"), QStringLiteral("skip")},
               {QStringLiteral("sse.idle"), QStringLiteral("warn")}};
    QTest::newRow("compressed") << Fault::Compressed << false
                                << with({{QStringLiteral("sse.compression"),
                                       QStringLiteral("warn")}});
}

void TestSseCheck::faults()
{
    QFETCH(Fault, fault);
    QFETCH(bool, buffered);
    QFETCH(QVariantMap, expected);

    FaultySseServer server(fault);
    QVERIFY(server.port() != 0);
    for (int i = 0; i < 10; ++i)
        server.publish(); // history before the check, so that id 1 is very old
    std::unique_ptr<BufferingProxy> proxy;
    if (buffered)
        proxy = std::make_unique<BufferingProxy>(server.port());

    CheckOptions options;
    options.url = QUrl(
        QStringLiteral("http://127.0.0.1:%1/events").arg(proxy ? proxy->port() : server.port()));
    options.durationS = 6;
    options.idleS = 5;
    SseCheck check(options);
    check.start();
    QTRY_VERIFY_WITH_TIMEOUT(check.isFinished(), 90 * 1000);

    const CheckReport &report = check.report();
    QVERIFY(report.reached);
    QCOMPARE(report.items.size(), 17);
    QVERIFY(compareVerdicts(report, expected));
    const int want = expected.values().contains(QStringLiteral("fail")) ? 2 : 1;
    QCOMPARE(report.exitCode(), want);
}

void TestSseCheck::unreachable()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();

    CheckOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(port));
    SseCheck check(options);
    check.start();
    QTRY_VERIFY(check.isFinished());
    QCOMPARE(check.report().exitCode(), 3);
    QCOMPARE(check.report().items.size(), 1);
    QCOMPARE(check.report().items.constFirst().id, QStringLiteral("sse.reach"));
    QVERIFY(check.report().items.constFirst().evidence.contains(QLatin1String("refused")));
}

void TestSseCheck::notAStream()
{
    // A server that answers in something else than HTTP, then closes: unreachable as a stream,
    // and the check ends at once rather than waiting out its duration.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, &server, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        socket->write("SSH-2.0-OpenSSH_9.2\r\n");
        socket->disconnectFromHost();
    });
    CheckOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(server.serverPort()));
    SseCheck check(options);
    check.start();
    QTRY_VERIFY(check.isFinished());
    QCOMPARE(check.report().exitCode(), 3);
    QVERIFY2(check.report().items.constFirst().evidence.contains(QLatin1String("not an HTTP")),
        qPrintable(check.report().items.constFirst().evidence));
}

void TestSseCheck::silentServer()
{
    // Accepts, reads, never answers: the check does not wait for ever.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    CheckOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(server.serverPort()));
    options.durationS = 30;
    options.idleS = 0;
    SseCheck check(options);
    check.start();
    QTRY_VERIFY_WITH_TIMEOUT(check.isFinished(), 60 * 1000);
    QCOMPARE(check.report().exitCode(), 3);
    QCOMPARE(check.report().items.constFirst().evidence, QStringLiteral("no answer within 10 s"));
}

QTEST_GUILESS_MAIN(TestSseCheck)
#include "tst_ssecheck.moc"
