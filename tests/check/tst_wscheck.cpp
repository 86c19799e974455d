#include "faultyservers.h"
#include "protocol/wsframedecoder.h"
#include "verdicts.h"
#include "wscheck.h"

#include <QTest>

using namespace Pushboard;
using Fault = FaultyWsServer::Fault;

/// The WebSocket check against deliberately broken servers, and the frames it sends.
class TestWsCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clientFrame_data();
    void clientFrame();
    void faults_data();
    void faults();
    void refusedHandshake();
    void silentServer();
    void stoppedEarly();
};

void TestWsCheck::clientFrame_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("headerSize");
    QTest::newRow("empty") << 0 << 6;
    QTest::newRow("125") << 125 << 6;
    QTest::newRow("126: 16-bit length") << 126 << 8;
    QTest::newRow("65535") << 65535 << 8;
    QTest::newRow("65536: 64-bit length") << 65536 << 14;
}

void TestWsCheck::clientFrame()
{
    QFETCH(int, size);
    QFETCH(int, headerSize);
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = char(i * 7);
    const QByteArray bytes = WsCheck::clientFrame(WsFrame::Binary, payload);
    WsFrameDecoder decoder(1024 * 1024);
    decoder.feed(bytes);
    const auto frame = decoder.next();
    QVERIFY(frame);
    QVERIFY(frame->fin);
    QVERIFY(frame->masked); // a client MUST mask (RFC 6455 5.3)
    QCOMPARE(frame->opcode, quint8(WsFrame::Binary));
    QCOMPARE(frame->headerSize, headerSize);
    QCOMPARE(frame->payload, payload);
    QCOMPARE(decoder.bufferedBytes(), 0);
}

void TestWsCheck::faults_data()
{
    QTest::addColumn<Fault>("fault");
    QTest::addColumn<QVariantMap>("expected");
    QTest::newRow("correct") << Fault::None << QVariantMap {};
    QTest::newRow("masked server frames")
        << Fault::MaskedFrames
        << QVariantMap {{QStringLiteral("ws.frames"), QStringLiteral("fail")}};
    QTest::newRow("no pings") << Fault::NoPings
                              << QVariantMap {
                                     {QStringLiteral("ws.server-pings"), QStringLiteral("warn")}};
    QTest::newRow("any origin") << Fault::AnyOrigin
                                << QVariantMap {
                                       {QStringLiteral("ws.origin"), QStringLiteral("warn")}};
}

void TestWsCheck::faults()
{
    QFETCH(Fault, fault);
    QFETCH(QVariantMap, expected);

    FaultyWsServer server(fault);
    QVERIFY(server.port() != 0);
    CheckOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(server.port()));
    options.durationS = 3;
    options.idleS = 2;
    WsCheck check(options);
    check.start();
    QTRY_VERIFY_WITH_TIMEOUT(check.isFinished(), 90 * 1000);

    const CheckReport &report = check.report();
    QVERIFY(report.reached);
    QCOMPARE(report.items.size(), 10);
    QVERIFY(compareVerdicts(report, expected));
    // The largest message: 63.5 KiB went through, 1 MiB was refused with 1009.
    QVERIFY2(
        report.item(QStringLiteral("ws.max-message"))->evidence.contains(QLatin1String("1009")),
        qPrintable(report.item(QStringLiteral("ws.max-message"))->evidence));
}

void TestWsCheck::refusedHandshake()
{
    // An HTTP server that is not a WebSocket endpoint: the handshake fails, the rest cannot be
    // measured, and the endpoint was reached.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, &server, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            socket->readAll();
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        });
    });
    CheckOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/nowhere").arg(server.serverPort()));
    WsCheck check(options);
    check.start();
    QTRY_VERIFY(check.isFinished());
    const CheckReport &report = check.report();
    QVERIFY(report.reached);
    QCOMPARE(report.exitCode(), 2);
    QCOMPARE(CheckItem::verdictName(report.item(QStringLiteral("ws.handshake"))->verdict),
        QStringLiteral("fail"));
    QVERIFY(report.item(QStringLiteral("ws.handshake"))->evidence.contains(QLatin1String("404")));
    for (const QString &id :
        {QStringLiteral("ws.frames"), QStringLiteral("ws.close"), QStringLiteral("ws.max-message")})
        QCOMPARE(CheckItem::verdictName(report.item(id)->verdict), QStringLiteral("skip"));
}

void TestWsCheck::silentServer()
{
    // Accepts, reads, never answers the handshake: the check ends, unreachable.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    CheckOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(server.serverPort()));
    options.durationS = 30;
    options.idleS = 0;
    WsCheck check(options);
    check.start();
    QTRY_VERIFY_WITH_TIMEOUT(check.isFinished(), 60 * 1000);
    QCOMPARE(check.report().exitCode(), 3);
    QCOMPARE(check.report().items.constFirst().id, QStringLiteral("ws.reach"));
    QCOMPARE(check.report().items.constFirst().evidence, QStringLiteral("no answer within 10 s"));
}

void TestWsCheck::stoppedEarly()
{
    // Stopped as soon as the handshake is answered (Ctrl-C, the dashboard's Stop): what needs
    // time is skipped, not failed; nothing seen so far was wrong.
    FaultyWsServer server(Fault::NoPings);
    CheckOptions options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(server.port()));
    WsCheck check(options);
    check.start();
    QTRY_VERIFY(check.hasAnswered());
    check.stop();
    QVERIFY(check.isFinished());
    const CheckReport &report = check.report();
    QCOMPARE(report.exitCode(), 0);
    QCOMPARE(CheckItem::verdictName(report.item(QStringLiteral("ws.handshake"))->verdict),
        QStringLiteral("pass"));
    for (const QString &id : {QStringLiteral("ws.server-pings"), QStringLiteral("ws.client-ping"),
             QStringLiteral("ws.idle"), QStringLiteral("ws.close")})
        QVERIFY2(report.item(id)->verdict == CheckItem::Verdict::Skip,
            qPrintable(id + QStringLiteral(": ") + report.item(id)->evidence));
}

QTEST_GUILESS_MAIN(TestWsCheck)
#include "tst_wscheck.moc"
