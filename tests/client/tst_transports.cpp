#include "streamclient.h"
#include "testserver.h"

#include <QTest>

using namespace Pushboard;
using Transport = StreamClient::Transport;

Q_DECLARE_METATYPE(Pushboard::StreamClient::Transport)

/// Every transport against a real Pushboard server: live events, the same data string for each,
/// and a resume across a server restart with nothing lost and nothing delivered twice.
class tst_Transports : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        m_server->config.retryMs = 50;
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void resumeAcrossRestart_data()
    {
        QTest::addColumn<Transport>("transport");
        QTest::newRow("sse") << Transport::Sse;
        QTest::newRow("ws") << Transport::WebSocket;
        QTest::newRow("poll") << Transport::Poll;
        QTest::newRow("longpoll") << Transport::LongPoll;
    }
    void resumeAcrossRestart()
    {
        QFETCH(Transport, transport);
        StreamClient client;
        QList<SseMessage> got;
        connect(&client, &StreamClient::message, this, [&](const SseMessage &m) { got.append(m); });
        StreamClient::Options options;
        options.transport = transport;
        options.url = url(transport);
        options.topics = {QStringLiteral("test.n")};
        options.retryMs = 50;
        options.lastEventId = QStringLiteral("0"); // everything the log holds
        m_server->append(2);
        m_server->append(1, QStringLiteral("other")); // filtered out
        client.start(options);
        QTRY_COMPARE(got.size(), 2);
        QTRY_COMPARE(client.state(), StreamClient::State::Open);
        m_server->append(1); // live: id 4
        QTRY_COMPARE(got.size(), 3);

        // The same event reads the same on every transport: what the SSE stream carries.
        const Event stored = m_server->store().after(3).constFirst();
        QCOMPARE(got.at(2).type, QStringLiteral("test.n"));
        QCOMPARE(got.at(2).lastEventId, QStringLiteral("4"));
        QCOMPARE(got.at(2).data, QStringLiteral("{\"time\":%1,\"data\":0}").arg(stored.timeMs));

        m_server->config.port = m_server->port();
        m_server->host.reset(); // the server goes away...
        QTRY_VERIFY(client.state() == StreamClient::State::Reconnecting);
        QVERIFY(m_server->start()); // ...and comes back on the same port and data dir
        m_server->append(3); // 5, 6, 7: published before the client is back
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 6, 15000); // it reconnects and resumes by itself
        m_server->append(1); // and live again: 8
        QTRY_COMPARE(got.size(), 7);
        QStringList ids;
        for (const SseMessage &m : got)
            ids.append(m.lastEventId);
        QCOMPARE(ids.join(QLatin1Char(',')), QStringLiteral("1,2,4,5,6,7,8"));
    }

private:
    QUrl url(Transport transport) const
    {
        const QString base = QStringLiteral("127.0.0.1:%1").arg(m_server->port());
        switch (transport) {
        case Transport::Sse:
            return QUrl(QStringLiteral("http://%1/events").arg(base));
        case Transport::WebSocket:
            return QUrl(QStringLiteral("ws://%1/ws").arg(base));
        case Transport::Poll:
        case Transport::LongPoll:
            return QUrl(QStringLiteral("http://%1/api/events").arg(base));
        }
        return {};
    }

    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_Transports)
#include "tst_transports.moc"
