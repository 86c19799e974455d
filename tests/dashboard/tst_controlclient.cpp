#include "controlclient.h"
#include "faultstate.h"
#include "samplingscheduler.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pushboard;

/// The controls panel's client against a real server: the state it shows, the controls it sends,
/// errors, the token, and coming back after the server restarts.
class tst_ControlClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void showsStateAndSendsControls()
    {
        ControlClient client;
        QSignalSpy states(&client, &ControlClient::stateChanged);
        client.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_VERIFY(client.isConnected());
        QTRY_VERIFY(!client.state().isEmpty()); // sent on connect
        QCOMPARE(client.state().value(QStringLiteral("interval")).toInt(), 1000);
        QVERIFY(!client.state().contains(QStringLiteral("op")));

        client.control(QStringLiteral("setInterval"), {{QStringLiteral("ms"), 250}});
        QTRY_COMPARE(client.state().value(QStringLiteral("interval")).toInt(), 250);
        QCOMPARE(m_server->host->scheduler()->interval(), 250); // on the real server
        client.control(QStringLiteral("setLatency"), {{QStringLiteral("ms"), 40}});
        QTRY_COMPARE(client.state().value(QStringLiteral("latency")).toInt(), 40);
        QCOMPARE(m_server->host->faults()->latency(), 40);
        QVERIFY(client.lastError().isEmpty());
    }

    void errorsAreShownAndClearedByTheNextControl()
    {
        ControlClient client;
        client.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_VERIFY(client.isConnected());
        client.control(QStringLiteral("launchRockets"));
        QTRY_VERIFY(!client.lastError().isEmpty());
        QVERIFY2(client.lastError().contains(QStringLiteral("launchRockets")),
            qPrintable(client.lastError()));
        client.control(QStringLiteral("pauseSources"));
        QVERIFY(client.lastError().isEmpty());
        QTRY_VERIFY(client.state().value(QStringLiteral("paused")).toBool());
    }

    void tokenIsSent()
    {
        m_server->config.token = QStringLiteral("s3");
        QVERIFY(m_server->start());
        ControlClient client;
        client.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QSignalSpy connected(&client, &ControlClient::connectedChanged);
        QTRY_VERIFY(!connected.isEmpty()); // the refused handshake ends as a change too
        QVERIFY(!client.isConnected());
        client.setToken(QStringLiteral("s3"));
        QTRY_VERIFY(client.isConnected());
    }

    void reopeningDoesNotLoop()
    {
        // Found with the inspector: a second open() (a new URL or token) aborted the connected
        // socket, whose `disconnected` armed the retry, which aborted the new one 2 s later,
        // and so on for ever.
        ControlClient client;
        client.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_VERIFY(client.isConnected());
        client.setUrl(QStringLiteral("http://localhost:%1").arg(m_server->port()));
        QTRY_VERIFY(client.isConnected());
        QVERIFY(!client.isRetryPending());
        client.setToken(QStringLiteral("unused"));
        QTRY_VERIFY(client.isConnected());
        QVERIFY(!client.isRetryPending());
    }

    void reconnectsWhenTheServerComesBack()
    {
        ControlClient client;
        client.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
        QTRY_VERIFY(client.isConnected());
        const quint16 port = m_server->port();
        m_server->host->stop();
        QTRY_VERIFY(!client.isConnected());
        m_server->config.port = port;
        QVERIFY(m_server->start());
        QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 20000); // retried every 2 s
    }

private:
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_ControlClient)
#include "tst_controlclient.moc"
