#include "servercontrols.h"
#include "serverhost.h"
#include "streamclient.h"
#include "testserver.h"

#include <QJsonObject>
#include <QTest>

using namespace Pushboard;
using Transport = StreamClient::Transport;

Q_DECLARE_METATYPE(Pushboard::StreamClient::Transport)

/// Every transport against a real Pushboard server: live events, the same data string for each,
/// a resume across a server restart with nothing lost and nothing delivered twice, and every
/// injected fault, with a topic filter and without: events published while the fault lasts all
/// arrive, exactly once and in order, once it is over. (Polling under latency once answered with
/// one event and a `next` past three others.)
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

    void shortPollingCatchesUpPageByPage()
    {
        // 350 waiting events are 4 pages (PollConnection::PageSize): each full page is followed
        // at once, so all arrive although the interval between polls is an hour.
        StreamClient client;
        int got = 0;
        connect(&client, &StreamClient::message, this, [&] { ++got; });
        StreamClient::Options options;
        options.transport = Transport::Poll;
        options.url = url(Transport::Poll);
        options.topics = {QStringLiteral("test.n")};
        options.lastEventId = QStringLiteral("0");
        options.pollIntervalMs = 3600 * 1000;
        m_server->append(350);
        client.start(options);
        QTRY_COMPARE(got, 350);
    }

    void everyEventOnceInOrder_data()
    {
        QTest::addColumn<Transport>("transport");
        QTest::addColumn<QString>("fault");
        QTest::addColumn<bool>("filtered");
        const std::pair<const char *, Transport> transports[]
            = {{"sse", Transport::Sse}, {"ws", Transport::WebSocket}, {"poll", Transport::Poll},
                {"longpoll", Transport::LongPoll}};
        for (const auto &[name, transport] : transports) {
            for (const char *fault : {"latency", "stall", "drop", "burst"}) {
                for (const bool filtered : {false, true}) {
                    QTest::addRow("%s %s%s", name, fault, filtered ? " filtered" : "")
                        << transport << QString::fromLatin1(fault) << filtered;
                }
            }
        }
    }
    void everyEventOnceInOrder()
    {
        QFETCH(Transport, transport);
        QFETCH(QString, fault);
        QFETCH(bool, filtered);
        const QString topic = QStringLiteral("test.n");
        const QString other = QStringLiteral("other");

        StreamClient client;
        QStringList ids;
        QStringList types;
        connect(&client, &StreamClient::message, this, [&](const SseMessage &m) {
            ids.append(m.lastEventId);
            types.append(m.type);
        });
        QStringList expected;
        const auto publish = [&](const QString &t) {
            const EventList stored = m_server->append(1, t);
            if (!filtered || t == topic)
                expected.append(QString::number(stored.constFirst().id));
        };
        publish(topic); // 1: the stream starts with it
        StreamClient::Options options;
        options.transport = transport;
        options.url = url(transport);
        options.retryMs = 50;
        options.lastEventId = QStringLiteral("0");
        if (filtered)
            options.topics = {topic};
        client.start(options);
        QTRY_COMPARE(ids, expected);
        QTRY_COMPARE(client.state(), StreamClient::State::Open);

        ServerControls *controls = m_server->host->controls();
        const auto control = [controls](const char *action, const QJsonObject &args) {
            const auto error = controls->apply(QLatin1String(action), args, nullptr);
            QVERIFY2(!error, qPrintable(error.value_or(QString())));
        };
        if (fault == QLatin1String("latency"))
            control("setLatency", {{QStringLiteral("ms"), 300}});
        else if (fault == QLatin1String("stall"))
            control("stall", {{QStringLiteral("ms"), 600}});
        else if (fault == QLatin1String("drop"))
            control("dropConnections", {{QStringLiteral("transport"), QStringLiteral("all")}});

        // Publish in rounds while the fault lasts, so that answers and streams are under way
        // (held, reconnecting, parked) when the next events are stored.
        for (int round = 0; round < 4; ++round) {
            publish(topic);
            publish(other);
            publish(topic);
            if (fault == QLatin1String("burst") && round == 1) {
                const quint64 before = m_server->host->store()->newestId();
                control(
                    "burst", {{QStringLiteral("topic"), topic}, {QStringLiteral("count"), 250}});
                // Stored by the next group commit.
                QTRY_COMPARE(m_server->host->store()->newestId(), before + 250);
                for (quint64 id = before + 1; id <= m_server->host->store()->newestId(); ++id)
                    expected.append(QString::number(id));
            }
            QTest::qWait(120); // spacing between rounds, not a measurement
        }
        if (fault == QLatin1String("latency"))
            control("setLatency", {{QStringLiteral("ms"), 0}});
        QTRY_COMPARE_WITH_TIMEOUT(ids, expected, 20000);
        publish(topic); // and live again afterwards
        QTRY_COMPARE_WITH_TIMEOUT(ids, expected, 20000);
        QVERIFY(!types.contains(QStringLiteral("gap")) && !types.contains(QStringLiteral("reset")));
        if (filtered)
            QVERIFY(!types.contains(other));
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
