#include "protocol/wsframe.h"
#include "wssession.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

/// WsSession on a real TCP connection (the rest of its behaviour is tested through the control
/// channel): it turns Nagle's algorithm off, so that each frame leaves at once, and a frame it
/// sends arrives whole; a masked text frame from the client comes out as a message.
class tst_WsSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void framesLeaveAtOnce()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY(server.hasPendingConnections());
        QTcpSocket *accepted = server.nextPendingConnection();
        QCOMPARE(accepted->socketOption(QAbstractSocket::LowDelayOption).toInt(), 0);
        WsSession session(accepted, {}, 64 * 1024, nullptr);
        // Without it a frame written while the previous one waits for its ACK waits too (up to
        // the peer's delayed ACK, 40 ms on Linux).
        QCOMPARE(accepted->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);

        QVERIFY(session.sendFrame(WsFrame::serverText("hello")));
        QByteArray got;
        QTRY_VERIFY((got += client.readAll(), got.size() == 7));
        QCOMPARE(got, QByteArray("\x81\x05hello", 7));

        QSignalSpy text(&session, &WsSession::textMessage);
        // A masked "hi" (RFC 6455 5.3): key 1 2 3 4.
        client.write(QByteArray("\x81\x82\x01\x02\x03\x04"
                                "\x69\x6b",
            8)); // "h" ^ 1, "i" ^ 2
        QTRY_COMPARE(text.size(), 1);
        QCOMPARE(text.at(0).at(0).toByteArray(), QByteArray("hi"));
    }
};

QTEST_GUILESS_MAIN(tst_WsSession)
#include "tst_wssession.moc"
