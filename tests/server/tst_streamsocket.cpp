#include "streamsocket.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

/// A StreamSocket over a real loopback connection: order, queueing against a reader that does
/// not read, and the three ways a stream ends.
class tst_StreamSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<QTcpServer>();
        QVERIFY(m_server->listen(QHostAddress::LocalHost));
        m_client = std::make_unique<QTcpSocket>();
        // A small receive buffer, set before connecting: else loopback absorbs ~32 MB.
        m_client->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        m_client->connectToHost(QHostAddress::LocalHost, m_server->serverPort());
        QTRY_VERIFY(m_server->hasPendingConnections());
        QPointer<QTcpSocket> accepted = m_server->nextPendingConnection();
        m_stream = StreamSocket::takeOver(accepted);
        QVERIFY(m_stream);
        QVERIFY(m_stream->isOpen());
        QVERIFY(m_stream->peer().startsWith(QStringLiteral("127.0.0.1:")));
        QTRY_VERIFY(!accepted); // the QTcpSocket let go of the descriptor and went
    }
    void cleanup()
    {
        m_stream.reset();
        m_client.reset();
        m_server.reset();
    }

    void writesArriveInOrder()
    {
        QByteArray received;
        connect(
            m_client.get(), &QTcpSocket::readyRead, this, [&] { received += m_client->readAll(); });
        QByteArray expected;
        for (int i = 0; i < 100; ++i) {
            const QByteArray chunk = "event " + QByteArray::number(i) + '\n';
            QVERIFY(m_stream->write(chunk));
            expected += chunk;
        }
        QTRY_COMPARE(received, expected);
        QCOMPARE(m_stream->queuedBytes(), 0);
    }

    void queuesWhatTheKernelDoesNotTakeAndDrainsIt()
    {
        QSignalSpy written(m_stream.get(), &StreamSocket::bytesWritten);
        const QByteArray chunk(64 * 1024, 'q');
        int chunks = 0;
        // The client does not read: sooner or later the kernel's buffers are full.
        while (m_stream->queuedBytes() == 0 && chunks < 2000) {
            QVERIFY(m_stream->write(chunk + QByteArray::number(chunks)));
            ++chunks;
        }
        QVERIFY(m_stream->queuedBytes() > 0);
        QByteArray expected;
        for (int i = 0; i < chunks; ++i)
            expected += chunk + QByteArray::number(i);
        QByteArray received;
        connect(
            m_client.get(), &QTcpSocket::readyRead, this, [&] { received += m_client->readAll(); });
        received += m_client->readAll();
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), expected.size(), 30000);
        QCOMPARE(received, expected); // nothing lost, nothing reordered
        QTRY_COMPARE(m_stream->queuedBytes(), 0);
        QVERIFY(!written.isEmpty());
    }

    void peerLeavingIsNoticed()
    {
        QSignalSpy disconnected(m_stream.get(), &StreamSocket::disconnected);
        m_client->abort();
        QTRY_COMPARE(disconnected.size(), 1);
        QVERIFY(!m_stream->isOpen());
        QVERIFY(!m_stream->write("late")); // never writes to a closed descriptor
    }

    void closeSendsWhatIsQueuedThenEnds()
    {
        QSignalSpy disconnected(m_stream.get(), &StreamSocket::disconnected);
        QVERIFY(m_stream->write("last words"));
        m_stream->close();
        QVERIFY(!m_stream->isOpen());
        QByteArray received;
        connect(
            m_client.get(), &QTcpSocket::readyRead, this, [&] { received += m_client->readAll(); });
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        received += m_client->readAll();
        QCOMPARE(received, QByteArray("last words"));
        QCOMPARE(disconnected.size(), 0); // close() is ours, not the peer's
    }

    void abortDropsTheQueue()
    {
        QSignalSpy disconnected(m_stream.get(), &StreamSocket::disconnected);
        while (m_stream->queuedBytes() == 0)
            QVERIFY(m_stream->write(QByteArray(64 * 1024, 'a')));
        m_stream->abort();
        QVERIFY(!m_stream->isOpen());
        QCOMPARE(m_stream->queuedBytes(), 0);
        QVERIFY(!m_stream->write("x"));
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(disconnected.size(), 0);
    }

    void takeOverNeedsAConnectedSocket()
    {
        QPointer<QTcpSocket> unconnected = new QTcpSocket;
        QVERIFY(!StreamSocket::takeOver(unconnected));
        QTRY_VERIFY(!unconnected); // taken over means owned: deleted with the failed attempt
    }

private:
    std::unique_ptr<QTcpServer> m_server;
    std::unique_ptr<QTcpSocket> m_client;
    std::unique_ptr<StreamSocket> m_stream;
};

QTEST_GUILESS_MAIN(tst_StreamSocket)
#include "tst_streamsocket.moc"
