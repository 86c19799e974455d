#include "protocol/sseencoder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Pushboard;

class tst_SseEncoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void event_data()
    {
        QTest::addColumn<Event>("event");
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("object payload")
            << Event {7, QStringLiteral("system.load"), 1700000000123, R"({"1m":0.4})"}
            << QByteArray("id: 7\nevent: system.load\ndata: "
                          "{\"time\":1700000000123,\"data\":{\"1m\":0.4}}\n\n");
        QTest::newRow("scalar payload") << Event {1, QStringLiteral("x"), 5,
            "true"} << QByteArray("id: 1\nevent: x\ndata: {\"time\":5,\"data\":true}\n\n");
        QTest::newRow("escaped newline stays one data line")
            << Event {2, QStringLiteral("chat"), 5, R"("a\nb")"}
            << QByteArray("id: 2\nevent: chat\ndata: {\"time\":5,\"data\":\"a\\nb\"}\n\n");
    }
    void event()
    {
        QFETCH(Event, event);
        QFETCH(QByteArray, wire);
        QCOMPARE(SseEncoder::event(event), wire);
    }

    void eventDataIsValidJson()
    {
        const QByteArray wire
            = SseEncoder::event(Event {3, QStringLiteral("t"), 9, R"([1,{"k":"v"}])"});
        const QByteArray dataLine = wire.split('\n').at(2);
        QVERIFY(dataLine.startsWith("data: "));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(dataLine.mid(6), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object().value(QStringLiteral("time")).toInt(), 9);
        QVERIFY(doc.object().value(QStringLiteral("data")).isArray());
    }

    void controlBlocks()
    {
        QCOMPARE(SseEncoder::retry(2000), QByteArray("retry: 2000\n\n"));
        QCOMPARE(SseEncoder::comment("keepalive"), QByteArray(": keepalive\n\n"));
        QCOMPARE(SseEncoder::gap(3, 10),
            QByteArray("event: gap\ndata: {\"from\":\"3\",\"to\":\"10\"}\n\n"));
        QCOMPARE(SseEncoder::reset(12),
            QByteArray("id: 12\nevent: reset\ndata: {\"newest\":\"12\"}\n\n"));
    }
};

QTEST_GUILESS_MAIN(tst_SseEncoder)
#include "tst_sseencoder.moc"
