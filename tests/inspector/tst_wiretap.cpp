#include "wire/capturelog.h"
#include "wiretap.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Pushboard;

namespace {

/// The upstream: a plain TCP server whose one accepted socket the test drives by hand.
struct Upstream
{
    QTcpServer server;
    QTcpSocket *socket = nullptr;

    Upstream()
    {
        server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server,
            [this] { socket = server.nextPendingConnection(); });
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
    }
};

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(42);
    for (char &c : bytes)
        c = char(generator.bounded(256));
    return bytes;
}

bool hasMark(const CaptureLog &log, const QString &text)
{
    for (const WireMark &mark : log.marks()) {
        if (mark.text.contains(text))
            return true;
    }
    return false;
}

} // namespace

/// WireTap between a real client socket and a real upstream on 127.0.0.1: bytes forwarded
/// exactly both ways (checksums on both sides, a large transfer written in pieces), recorded in
/// the log as they pass, and each fault's effect on what the client sees.
class tst_WireTap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_log = std::make_unique<CaptureLog>();
        m_upstream = std::make_unique<Upstream>();
        m_tap = std::make_unique<WireTap>(m_log.get());
        QVERIFY(m_tap->listen(QHostAddress::LocalHost, 0, m_upstream->url()));
        m_client = std::make_unique<QTcpSocket>();
        m_client->connectToHost(QHostAddress::LocalHost, m_tap->port());
        QVERIFY(m_client->waitForConnected(10'000));
    }
    void cleanup()
    {
        m_client.reset();
        m_tap.reset();
        m_upstream.reset();
        m_log.reset();
    }

    void forwardsExactlyBothWays()
    {
        QTRY_VERIFY(m_upstream->socket);
        const QByteArray up = randomBytes(3 * 1024 * 1024 + 17);
        const QByteArray down = randomBytes(5 * 1024 * 1024 + 3);
        for (qsizetype at = 0; at < up.size(); at += 100'000)
            m_client->write(up.sliced(at, qMin<qsizetype>(100'000, up.size() - at)));
        for (qsizetype at = 0; at < down.size(); at += 777'777)
            m_upstream->socket->write(down.sliced(at, qMin<qsizetype>(777'777, down.size() - at)));
        QByteArray gotUp;
        QByteArray gotDown;
        QTRY_VERIFY_WITH_TIMEOUT(
            (gotUp += m_upstream->socket->readAll(), gotDown += m_client->readAll(),
                gotUp.size() >= up.size() && gotDown.size() >= down.size()),
            60'000);
        const auto sha = [](const QByteArray &b) {
            return QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex();
        };
        QCOMPARE(sha(gotUp), sha(up));
        QCOMPARE(sha(gotDown), sha(down));
        // The log saw the same bytes, each way.
        const WireConnection *c = m_log->connection(1);
        QVERIFY(c);
        QCOMPARE(c->bytes[0], up.size());
        QCOMPARE(c->bytes[1], down.size());
        QByteArray recorded;
        for (const WireChunk &chunk : m_log->chunks()) {
            if (chunk.direction == WireDirection::ToClient)
                recorded += chunk.bytes;
        }
        QCOMPARE(sha(recorded), sha(down));
        // Closing one side closes the other, and the log says who.
        m_client->disconnectFromHost();
        QTRY_COMPARE(m_upstream->socket->state(), QAbstractSocket::UnconnectedState);
        QTRY_VERIFY(!m_log->connection(1)->isOpen());
        QCOMPARE(m_log->connection(1)->closeReason, QStringLiteral("the client closed"));
    }

    void latencyDelaysEveryByte()
    {
        QTRY_VERIFY(m_upstream->socket);
        m_tap->setFaults({300, 0, false, false});
        QVERIFY(hasMark(*m_log, QStringLiteral("latency 300 ms")));
        QElapsedTimer clock;
        clock.start();
        m_upstream->socket->write("data: x\n\n");
        QTRY_COMPARE(m_client->bytesAvailable(), 9);
        QVERIFY(clock.elapsed() >= 300); // Never sooner; how much later depends on the machine.
        clock.restart();
        m_client->write("ping");
        QTRY_COMPARE(m_upstream->socket->bytesAvailable(), 4);
        QVERIFY(clock.elapsed() >= 300);
    }

    void bandwidthLimit()
    {
        QTRY_VERIFY(m_upstream->socket);
        m_tap->setFaults({0, 2000, false, false});
        QElapsedTimer clock;
        clock.start();
        m_upstream->socket->write(QByteArray(3000, 'x'));
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += m_client->readAll(), got.size() == 3000), 30'000);
        // 3000 bytes at 2000 B/s with a 200-byte burst take at least 1.4 s.
        QVERIFY2(clock.elapsed() >= 1400, qPrintable(QString::number(clock.elapsed())));
    }

    void stallHoldsTheServersBytes()
    {
        QTRY_VERIFY(m_upstream->socket);
        m_tap->setFaults({0, 0, true, false});
        m_upstream->socket->write("id: 1\ndata: held\n\n");
        QTRY_COMPARE(m_log->connection(1)->bytes[1], 18); // The relay has them...
        QCoreApplication::processEvents();
        QCOMPARE(m_client->bytesAvailable(), 0); // ...and holds them,
        m_client->write("GET / HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(m_upstream->socket->bytesAvailable(), 18); // while the client's go on.
        m_tap->setFaults({});
        QTRY_COMPARE(m_client->bytesAvailable(), 18);
        QCOMPARE(m_client->readAll(), QByteArray("id: 1\ndata: held\n\n"));
    }

    void bufferingProxy_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<bool>("held");
        const QByteArray sse = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
        const QByteArray noBuffering = "X-Accel-Buffering: no\r\n";
        const QByteArray json = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
        const int honour = int(WireTap::Buffering::HonourHeader);
        const int ignore = int(WireTap::Buffering::IgnoreHeader);
        QTest::newRow("stream held") << honour << sse << true;
        QTest::newRow("stream asks not to be") << honour << QByteArray(sse + noBuffering) << false;
        QTest::newRow("header ignored") << ignore << QByteArray(sse + noBuffering) << true;
        QTest::newRow("a complete answer passes") << ignore << json << false;
        QTest::newRow("off") << int(WireTap::Buffering::Off) << sse << false;
    }
    void bufferingProxy()
    {
        QFETCH(int, mode);
        QFETCH(QByteArray, head);
        QFETCH(bool, held);
        QTRY_VERIFY(m_upstream->socket);
        WireTap::Faults faults;
        faults.buffering = WireTap::Buffering(mode);
        m_tap->setFaults(faults);
        const QByteArray start = head + "\r\n";
        const QByteArray event = "data: " + QByteArray(94, 'x') + "\n\n"; // 102 bytes
        m_upstream->socket->write(start + event);
        QTRY_COMPARE(m_log->connection(1)->bytes[1], start.size() + event.size());
        QCoreApplication::processEvents();
        if (!held) {
            QTRY_COMPARE(m_client->bytesAvailable(), start.size() + event.size());
            return;
        }
        QCOMPARE(m_client->bytesAvailable(), 0); // Gathered, not passed on...
        qint64 sent = start.size() + event.size();
        while (sent + event.size() < WireTap::BufferBytes) {
            m_upstream->socket->write(event);
            sent += event.size();
        }
        QTRY_COMPARE(m_log->connection(1)->bytes[1], sent);
        QCoreApplication::processEvents();
        QCOMPARE(m_client->bytesAvailable(), 0); // ...until BufferBytes have gathered:
        m_upstream->socket->write(event);
        sent += event.size();
        QTRY_COMPARE(m_client->bytesAvailable(), sent); // then all of it at once.
        QVERIFY(hasMark(*m_log, QStringLiteral("buffering proxy: %1 bytes").arg(sent)));
        // Off again: what comes next passes at once.
        m_tap->setFaults({});
        m_upstream->socket->write(event);
        QTRY_COMPARE(m_client->bytesAvailable(), sent + event.size());
    }

    void perConnectionFaults()
    {
        QTRY_VERIFY(m_upstream->socket);
        m_tap->setConnectionFaults(1, {0, 0, true, false});
        QVERIFY(hasMark(*m_log, QStringLiteral("relay faults: stall")));
        m_upstream->socket->write("abc");
        QTRY_COMPARE(m_log->connection(1)->bytes[1], 3);
        QCoreApplication::processEvents();
        QCOMPARE(m_client->bytesAvailable(), 0);
        m_tap->setConnectionFaults(1, {});
        QTRY_COMPARE(m_client->bytesAvailable(), 3);
    }

    void cutMidFrame()
    {
        QTRY_VERIFY(m_upstream->socket);
        QTRY_VERIFY(m_tap->openConnections().contains(1));
        m_tap->cutMidFrame(1);
        m_upstream->socket->write(QByteArray::fromHex("817e0100") + QByteArray(256, 'x'));
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        QVERIFY(m_client->readAll().size() < 260); // Part of the frame, never all of it.
        QVERIFY(hasMark(*m_log, QStringLiteral("cut: ")));
        QCOMPARE(m_log->connection(1)->closeReason, QStringLiteral("cut mid-frame by the relay"));
        QTRY_COMPARE(m_upstream->socket->state(), QAbstractSocket::UnconnectedState);
    }

    void dropNow()
    {
        QTRY_VERIFY(m_upstream->socket);
        QTRY_VERIFY(m_tap->openConnections().contains(1));
        m_tap->dropNow();
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        QTRY_COMPARE(m_upstream->socket->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(m_log->connection(1)->closeReason, QStringLiteral("dropped by the relay"));
        QVERIFY(m_tap->openConnections().isEmpty());
    }

    void blackHole()
    {
        m_tap->setFaults({0, 0, false, true});
        QTcpSocket second;
        second.connectToHost(QHostAddress::LocalHost, m_tap->port());
        QVERIFY(second.waitForConnected(10'000));
        second.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY(
            m_log->connection(2) && m_log->connection(2)->bytes[0] == 33); // Read, recorded...
        QVERIFY(hasMark(*m_log, QStringLiteral("black hole")));
        QCoreApplication::processEvents();
        QCOMPARE(second.bytesAvailable(), 0); // ...and never answered,
        QCOMPARE(second.state(), QAbstractSocket::ConnectedState); // nor closed.
        QCOMPARE(m_log->items().back().kind, WireItem::Kind::RequestHead);
    }

    void unreachableUpstream()
    {
        CaptureLog log;
        WireTap tap(&log);
        QTcpServer closed; // A port nobody listens on any more.
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        QVERIFY(tap.listen(
            QHostAddress::LocalHost, 0, QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, tap.port());
        QVERIFY(client.waitForConnected(10'000));
        QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
        QTRY_VERIFY(log.connection(1) && !log.connection(1)->isOpen());
        QVERIFY(log.connection(1)->closeReason.startsWith(u"the upstream could not be reached"));
    }

    void badUpstreamIsRefused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("https") << QStringLiteral("https://example.org");
        QTest::newRow("no host") << QStringLiteral("http:///events");
        QTest::newRow("other scheme") << QStringLiteral("ftp://127.0.0.1/");
    }
    void badUpstreamIsRefused()
    {
        QFETCH(QString, url);
        CaptureLog log;
        WireTap tap(&log);
        QVERIFY(!tap.listen(QHostAddress::LocalHost, 0, QUrl(url)));
        QVERIFY(tap.errorString().contains(u"http:// or ws://"));
    }

private:
    std::unique_ptr<CaptureLog> m_log;
    std::unique_ptr<Upstream> m_upstream;
    std::unique_ptr<WireTap> m_tap;
    std::unique_ptr<QTcpSocket> m_client;
};

QTEST_GUILESS_MAIN(tst_WireTap)
#include "tst_wiretap.moc"
