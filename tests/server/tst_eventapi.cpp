#include "eventapi.h"
#include "httptestclient.h"
#include "pollservice.h"
#include "sseclient.h"
#include "ssepublisher.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>

using namespace Pushboard;

/// `POST /api/publish`, `GET /api/snapshot` and `GET /api/topics` against a real server.
class tst_EventApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
        m_http.setPort(m_server->port());
    }
    void cleanup() { m_server.reset(); }

    void publishReachesSubscribersAndPollers()
    {
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        QNetworkReply *poll = m_http.nam().get(QNetworkRequest(m_http.url("/api/events?wait=60")));
        QTRY_COMPARE(m_server->host->pollService()->waiterCount(), 1);

        const HttpAnswer answer = m_http.post(
            "/api/publish", R"({"topic":"chat.room-1","data":{"text":"hi","n":[1,2]}})");
        QCOMPARE(answer.status, 202);
        QCOMPARE(answer.json(), (QJsonObject {{QStringLiteral("id"), QStringLiteral("1")}}));

        QTRY_COMPARE(sse.eventIds(), QByteArrayList {"1"});
        QCOMPARE(sse.blocks().at(1).event, QByteArray("chat.room-1"));
        QVERIFY(sse.blocks().at(1).data.endsWith(R"(,"data":{"n":[1,2],"text":"hi"}})"));
        QTRY_VERIFY(poll->isFinished());
        const QJsonObject event = QJsonDocument::fromJson(poll->readAll())
                                      .object()
                                      .value(QStringLiteral("events"))
                                      .toArray()
                                      .at(0)
                                      .toObject();
        QCOMPARE(event.value(QStringLiteral("topic")).toString(), QStringLiteral("chat.room-1"));
        QCOMPARE(
            event.value(QStringLiteral("data")).toObject().value(QStringLiteral("text")).toString(),
            QStringLiteral("hi"));
        poll->deleteLater();
    }

    void publishAnyJsonValue_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("stored");
        QTest::newRow("null") << QByteArray("null") << QByteArray("null");
        QTest::newRow("number") << QByteArray("12.5") << QByteArray("12.5");
        QTest::newRow("string") << QByteArray(R"("line1\nline2")")
                                << QByteArray(R"("line1\nline2")");
        QTest::newRow("array") << QByteArray("[ true , false ]") << QByteArray("[true,false]");
        QTest::newRow("unicode") << QByteArray(R"("caf\u00e9 ☕")")
                                 << QByteArray("\"caf\xc3\xa9 \xe2\x98\x95\"");
    }
    void publishAnyJsonValue()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, stored);
        const HttpAnswer answer
            = m_http.post("/api/publish", R"({"topic":"t","data":)" + data + "}");
        QCOMPARE(answer.status, 202);
        QCOMPARE(m_server->store().after(0).constFirst().data, stored);
    }

    void badPublishStoresNothingAndDisturbsNobody_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << QByteArray("topic=x") << 400
                                  << QStringLiteral("bad JSON at offset");
        QTest::newRow("truncated")
            << QByteArray(R"({"topic":"x","data":)") << 400 << QStringLiteral("bad JSON");
        QTest::newRow("empty") << QByteArray() << 400 << QStringLiteral("bad JSON");
        QTest::newRow("not an object")
            << QByteArray("42") << 400 << QStringLiteral("bad JSON"); // Qt: not a document
        QTest::newRow("empty array") << QByteArray("[]") << 400 << QStringLiteral("an empty batch");
        QTest::newRow("array, one bad")
            << QByteArray(R"([{"topic":"x","data":1},{"topic":"x"}])") << 400
            << QStringLiteral("event 1 of the array: \"data\" is missing");
        QTest::newRow("array of numbers")
            << QByteArray("[1]") << 400 << QStringLiteral("event 0 of the array: an event must be");
        QByteArray many = "[";
        for (int i = 0; i <= EventApi::MaxBatchEvents; ++i)
            many += R"({"topic":"x","data":1},)";
        many.back() = ']';
        QTest::newRow("too many") << many << 413
                                  << QStringLiteral("at most 1000 events per request");
        QTest::newRow("no topic") << QByteArray(R"({"data":1})") << 400
                                  << QStringLiteral("\"topic\" must be a string");
        QTest::newRow("topic number") << QByteArray(R"({"topic":5,"data":1})") << 400
                                      << QStringLiteral("\"topic\" must be a string");
        QTest::newRow("bad topic") << QByteArray(R"({"topic":"A B","data":1})") << 400
                                   << QStringLiteral("bad topic 'A B'");
        QTest::newRow("long topic")
            << QByteArray(R"({"topic":")" + QByteArray(65, 'a') + R"(","data":1})") << 400
            << QStringLiteral("bad topic");
        QTest::newRow("no data") << QByteArray(R"({"topic":"x"})") << 400
                                 << QStringLiteral("\"data\" is missing");
        QTest::newRow("over 64 KiB")
            << QByteArray(R"({"topic":"x","data":")" + QByteArray(70000, 'a') + R"("})") << 413
            << QStringLiteral("request body of 70023 bytes is over the limit of 65536");
    }
    void badPublishStoresNothingAndDisturbsNobody()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, error);
        rejects(body, "application/json", status, error);
    }

    void badNdjsonStoresNothing_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("bad line") << QByteArray("{\"topic\":\"x\",\"data\":1}\n{oops}\n")
                                  << QStringLiteral("line 2: bad JSON at offset");
        QTest::newRow("array line")
            << QByteArray("\n\n[1]\n") << QStringLiteral("line 3: an event must be");
        QTest::newRow("only blank lines")
            << QByteArray("\n \n") << QStringLiteral("an empty batch");
    }
    void badNdjsonStoresNothing()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        rejects(body, "application/x-ndjson", 400, error);
    }

    void batchesInOneTransaction_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("array")
            << QByteArray("application/json")
            << QByteArray(
                   R"([{"topic":"a","data":1},{"topic":"b","data":{"x":2}},{"topic":"a","data":null}])");
        QTest::newRow("ndjson") << QByteArray("application/x-ndjson; charset=utf-8")
                                << QByteArray(
                                       "{\"topic\":\"a\",\"data\":1}\r\n\n{\"topic\":\"b\","
                                       "\"data\":{\"x\":2}}\n{\"topic\":\"a\",\"data\":null}");
    }
    void batchesInOneTransaction()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        SseTestClient sse;
        sse.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);
        const HttpAnswer answer
            = m_http.post("/api/publish", body, {{QByteArray("Content-Type"), contentType}});
        QCOMPARE(answer.status, 202);
        QCOMPARE(answer.json().value(QStringLiteral("ids")).toArray(),
            (QJsonArray {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}));
        const EventList stored = m_server->store().after(0);
        QCOMPARE(stored.size(), 3);
        QCOMPARE(stored.at(1).topic, QStringLiteral("b"));
        QCOMPARE(stored.at(1).data, QByteArray(R"({"x":2})"));
        QCOMPARE(stored.at(2).data, QByteArray("null"));
        QTRY_COMPARE(sse.eventIds(), (QByteArrayList {"1", "2", "3"}));
        // One append: the subscribers got the three in one write of the store's appended().
        QCOMPARE(m_server->store().newestId(), 3u);
    }

private:
    /// Sends `body` on a raw socket and checks the answer; nothing is stored and a watching
    /// subscriber still gets the next good publish.
    void rejects(
        const QByteArray &body, const QByteArray &contentType, int status, const QString &error)
    {
        SseTestClient watcher;
        watcher.get(m_server->port(), "/events");
        QTRY_COMPARE(m_server->host->ssePublisher()->streams().size(), 1);

        // Raw socket: QNetworkAccessManager would not send an empty POST body the same way.
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
        socket.write("POST /api/publish HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
            + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QTRY_VERIFY(received.contains("\r\n\r\n") && received.endsWith('}'));
        QCOMPARE(received.mid(9, 3).toInt(), status);
        const QString reason
            = QJsonDocument::fromJson(received.mid(received.indexOf("\r\n\r\n") + 4))
                  .object()
                  .value(QStringLiteral("error"))
                  .toString();
        QVERIFY2(reason.startsWith(error), qPrintable(reason));

        QCOMPARE(m_server->store().newestId(), 0u);
        QCOMPARE(m_http.post("/api/publish", R"({"topic":"after","data":1})").status, 202);
        QTRY_COMPARE(watcher.eventIds(), QByteArrayList {"1"});
    }

private Q_SLOTS:
    void snapshotAndTopics()
    {
        QCOMPARE(
            m_http.get("/api/snapshot").json().value(QStringLiteral("events")).toArray().size(), 0);
        QCOMPARE(
            m_http.get("/api/topics").json().value(QStringLiteral("topics")).toArray().size(), 0);
        for (const char *body :
            {R"({"topic":"b","data":1})", R"({"topic":"a","data":2})", R"({"topic":"b","data":3})"})
            QCOMPARE(m_http.post("/api/publish", body).status, 202);

        const QJsonArray snapshot
            = m_http.get("/api/snapshot").json().value(QStringLiteral("events")).toArray();
        QCOMPARE(snapshot.size(), 2);
        QCOMPARE(
            snapshot.at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("2"));
        QCOMPARE(snapshot.at(1).toObject().value(QStringLiteral("topic")).toString(),
            QStringLiteral("b"));
        QCOMPARE(snapshot.at(1).toObject().value(QStringLiteral("data")).toInt(), 3);

        const QJsonArray topics
            = m_http.get("/api/topics").json().value(QStringLiteral("topics")).toArray();
        QCOMPARE(topics.size(), 2);
        QCOMPARE(topics.at(0).toObject(),
            (QJsonObject {{QStringLiteral("topic"), QStringLiteral("a")},
                {QStringLiteral("count"), 1}, {QStringLiteral("newestId"), QStringLiteral("2")}}));
        QCOMPARE(topics.at(1).toObject().value(QStringLiteral("count")).toInt(), 2);
    }

private:
    std::unique_ptr<TestServer> m_server;
    HttpTestClient m_http;
};

QTEST_GUILESS_MAIN(tst_EventApi)
#include "tst_eventapi.moc"
