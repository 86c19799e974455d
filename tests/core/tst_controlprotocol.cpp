#include "protocol/controlprotocol.h"

#include <QJsonDocument>
#include <QTest>

using namespace Pushboard;
using Op = ControlProtocol::ClientMessage::Op;

class tst_ControlProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseGood()
    {
        QString error;
        QJsonValue ref;
        auto m = ControlProtocol::parse(
            R"({"op":"subscribe","topics":["a","b","a"],"after":"42","ref":7})", &error, &ref);
        QVERIFY2(m, qPrintable(error));
        QCOMPARE(int(m->op), int(Op::Subscribe));
        QCOMPARE(m->topics, (QStringList {QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(m->after, std::optional<quint64>(42));
        QCOMPARE(m->ref.toInt(), 7);

        m = ControlProtocol::parse(R"({"op":"subscribe"})", &error, &ref);
        QVERIFY(m && m->topics.isEmpty() && !m->after && m->ref.isUndefined());

        m = ControlProtocol::parse(
            R"({"op":"publish","topic":"t","data":null,"ref":"x"})", &error, &ref);
        QVERIFY(m && m->op == Op::Publish && m->data.isNull()
            && m->ref.toString() == QLatin1String("x"));

        m = ControlProtocol::parse(
            R"({"op":"control","action":"stall","args":{"ms":5}})", &error, &ref);
        QVERIFY(m && m->op == Op::Control && m->action == QLatin1String("stall")
            && m->args.value(QStringLiteral("ms")).toInt() == 5);

        m = ControlProtocol::parse(R"({"op":"unsubscribe"})", &error, &ref);
        QVERIFY(m && m->op == Op::Unsubscribe);
    }

    void parseBad_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QJsonValue>("ref");
        const QJsonValue none(QJsonValue::Undefined);
        QTest::newRow("not json") << QByteArray("hello") << QStringLiteral("bad JSON") << none;
        QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("a message is a JSON object")
                               << none;
        QTest::newRow("no op") << QByteArray(R"({"ref":1})") << QStringLiteral("\"op\" is missing")
                               << QJsonValue(1);
        QTest::newRow("unknown op")
            << QByteArray(R"({"op":"dance","ref":"r"})") << QStringLiteral("unknown op 'dance'")
            << QJsonValue(QStringLiteral("r"));
        QTest::newRow("topics not array") << QByteArray(R"({"op":"subscribe","topics":"a"})")
                                          << QStringLiteral("\"topics\" must be an array") << none;
        QTest::newRow("bad topic") << QByteArray(R"({"op":"subscribe","topics":["A"]})")
                                   << QStringLiteral("bad topic \"A\"") << none;
        QTest::newRow("after number") << QByteArray(R"({"op":"subscribe","after":5})")
                                      << QStringLiteral("\"after\" must be an event id") << none;
        QTest::newRow("after text") << QByteArray(R"({"op":"subscribe","after":"x"})")
                                    << QStringLiteral("\"after\" must be an event id") << none;
        QTest::newRow("publish bad topic")
            << QByteArray(R"({"op":"publish","topic":"no spaces","data":1})")
            << QStringLiteral("\"topic\" must be a topic name") << none;
        QTest::newRow("publish no data") << QByteArray(R"({"op":"publish","topic":"t"})")
                                         << QStringLiteral("\"data\" is missing") << none;
        QTest::newRow("control no action") << QByteArray(R"({"op":"control"})")
                                           << QStringLiteral("\"action\" must be a string") << none;
        QTest::newRow("control args array")
            << QByteArray(R"({"op":"control","action":"x","args":[]})")
            << QStringLiteral("\"args\" must be an object") << none;
    }
    void parseBad()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, error);
        QFETCH(QJsonValue, ref);
        QString reason;
        QJsonValue parsedRef;
        QVERIFY(!ControlProtocol::parse(frame, &reason, &parsedRef));
        QVERIFY2(reason.startsWith(error), qPrintable(reason));
        QCOMPARE(parsedRef, ref);
    }

    void encode()
    {
        const Event e {12, QStringLiteral("system.load"), 99, R"({"1m":0.5})"};
        QCOMPARE(ControlProtocol::event(e),
            QByteArray(
                R"({"op":"event","id":"12","topic":"system.load","time":99,"data":{"1m":0.5}})"));
        QVERIFY(QJsonDocument::fromJson(ControlProtocol::event(e)).isObject());
        QCOMPARE(ControlProtocol::gap(3, 9), QByteArray(R"({"op":"gap","from":"3","to":"9"})"));
        QCOMPARE(ControlProtocol::reset(4), QByteArray(R"({"op":"reset","newest":"4"})"));
        QCOMPARE(ControlProtocol::ack(QJsonValue(5), {{QStringLiteral("id"), QStringLiteral("8")}}),
            QByteArray(R"({"id":"8","op":"ack","ref":5})"));
        QCOMPARE(
            ControlProtocol::ack(QJsonValue(QJsonValue::Undefined)), QByteArray(R"({"op":"ack"})"));
        QCOMPARE(ControlProtocol::error(QJsonValue(QStringLiteral("r")), QStringLiteral("no")),
            QByteArray(R"({"error":"no","op":"error","ref":"r"})"));
        QCOMPARE(ControlProtocol::state({{QStringLiteral("paused"), true}}),
            QByteArray(R"({"op":"state","paused":true})"));
    }
};

QTEST_GUILESS_MAIN(tst_ControlProtocol)
#include "tst_controlprotocol.moc"
