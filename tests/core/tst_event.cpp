#include "event.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Pushboard;

class tst_Event : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void topic_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("valid");
        QTest::newRow("builtin") << QStringLiteral("system.cpu") << true;
        QTest::newRow("single char") << QStringLiteral("a") << true;
        QTest::newRow("digit first") << QStringLiteral("9lives") << true;
        QTest::newRow("all punctuation kinds") << QStringLiteral("a.b_c-d") << true;
        QTest::newRow("64 chars") << QString(64, QLatin1Char('x')) << true;
        QTest::newRow("65 chars") << QString(65, QLatin1Char('x')) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("upper case") << QStringLiteral("System") << false;
        QTest::newRow("dot first") << QStringLiteral(".hidden") << false;
        QTest::newRow("dash first") << QStringLiteral("-x") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("slash") << QStringLiteral("a/b") << false;
        QTest::newRow("non-ascii") << QStringLiteral("caf\u00e9") << false;
        QTest::newRow("newline") << QStringLiteral("a\nb") << false;
    }
    void topic()
    {
        QFETCH(QString, topic);
        QFETCH(bool, valid);
        QCOMPARE(isValidTopic(topic), valid);
    }

    void compactJson_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("object") << QJsonValue(QJsonObject {{QStringLiteral("a"), 1}})
                                << QByteArray(R"({"a":1})");
        QTest::newRow("array") << QJsonValue(QJsonArray {1, true}) << QByteArray("[1,true]");
        QTest::newRow("string with newline")
            << QJsonValue(QStringLiteral("x\ny")) << QByteArray(R"("x\ny")");
        QTest::newRow("number") << QJsonValue(12.5) << QByteArray("12.5");
        QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
        QTest::newRow("false") << QJsonValue(false) << QByteArray("false");
    }
    void compactJson()
    {
        QFETCH(QJsonValue, value);
        QFETCH(QByteArray, json);
        QCOMPARE(Pushboard::compactJson(value), json);
    }

    void eventId_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint64>("id");
        QTest::newRow("zero") << QByteArray("0") << true << quint64(0);
        QTest::newRow("plain") << QByteArray("42") << true << quint64(42);
        QTest::newRow("max") << QByteArray("18446744073709551615") << true
                             << quint64(18446744073709551615ULL);
        QTest::newRow("overflow") << QByteArray("18446744073709551616") << false << quint64(0);
        QTest::newRow("empty") << QByteArray() << false << quint64(0);
        QTest::newRow("negative") << QByteArray("-1") << false << quint64(0);
        QTest::newRow("plus") << QByteArray("+1") << false << quint64(0);
        QTest::newRow("space") << QByteArray(" 1") << false << quint64(0);
        QTest::newRow("hex") << QByteArray("0x10") << false << quint64(0);
    }
    void eventId()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, ok);
        QFETCH(quint64, id);
        quint64 parsed = 0;
        QCOMPARE(parseEventId(text, &parsed), ok);
        QCOMPARE(parsed, id);
    }
};

QTEST_GUILESS_MAIN(tst_Event)
#include "tst_event.moc"
