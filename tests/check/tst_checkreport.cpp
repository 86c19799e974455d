#include "checkreport.h"

#include <QJsonArray>
#include <QTest>

using namespace Pushboard;
using Verdict = CheckItem::Verdict;

/// The report's exit code, JSON form (docs/check.md) and terminal form.
class TestCheckReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitCode_data();
    void exitCode();
    void json();
    void text();
};

void TestCheckReport::exitCode_data()
{
    QTest::addColumn<QList<Verdict>>("verdicts");
    QTest::addColumn<bool>("reached");
    QTest::addColumn<int>("code");
    QTest::newRow("all pass") << QList<Verdict> {Verdict::Pass, Verdict::Pass} << true << 0;
    QTest::newRow("skips do not count")
        << QList<Verdict> {Verdict::Pass, Verdict::Skip} << true << 0;
    QTest::newRow("a warning") << QList<Verdict> {Verdict::Warn, Verdict::Pass} << true << 1;
    QTest::newRow("a failure wins") << QList<Verdict> {Verdict::Warn, Verdict::Fail} << true << 2;
    QTest::newRow("unreachable") << QList<Verdict> {Verdict::Fail} << false << 3;
}

void TestCheckReport::exitCode()
{
    QFETCH(QList<Verdict>, verdicts);
    QFETCH(bool, reached);
    QFETCH(int, code);
    CheckReport report;
    report.reached = reached;
    for (Verdict verdict : verdicts)
        report.items.append({QStringLiteral("x"), QStringLiteral("X"), verdict, {}, {}});
    QCOMPARE(report.exitCode(), code);
}

void TestCheckReport::json()
{
    CheckReport report;
    report.url = QUrl(QStringLiteral("https://user:secret@example.org/events"));
    report.transport = QStringLiteral("sse");
    report.durationMs = 1500;
    report.items.append({QStringLiteral("sse.status"), QStringLiteral("Status"), Verdict::Pass,
        QStringLiteral("HTTP/1.1 200 OK"), QStringLiteral("why")});
    report.items.append({QStringLiteral("sse.retry"), QStringLiteral("retry: sent"), Verdict::Warn,
        QStringLiteral("none"), QStringLiteral("why not")});
    const QJsonObject json = report.toJson();
    QCOMPARE(json.value(QLatin1String("format")).toInt(), 1);
    QCOMPARE(
        json.value(QLatin1String("url")).toString(), QStringLiteral("https://example.org/events"));
    QCOMPARE(json.value(QLatin1String("exitCode")).toInt(), 1);
    QCOMPARE(
        json.value(QLatin1String("summary")).toObject().value(QLatin1String("warn")).toInt(), 1);
    const QJsonArray items = json.value(QLatin1String("items")).toArray();
    QCOMPARE(items.size(), 2);
    const QJsonObject second = items.at(1).toObject();
    QCOMPARE(second.value(QLatin1String("id")).toString(), QStringLiteral("sse.retry"));
    QCOMPARE(second.value(QLatin1String("verdict")).toString(), QStringLiteral("warn"));
    QCOMPARE(second.value(QLatin1String("evidence")).toString(), QStringLiteral("none"));
    QCOMPARE(second.value(QLatin1String("why")).toString(), QStringLiteral("why not"));
}

void TestCheckReport::text()
{
    CheckReport report;
    report.url = QUrl(QStringLiteral("ws://127.0.0.1:1/ws"));
    report.transport = QStringLiteral("websocket");
    report.items.append({QStringLiteral("ws.close"), QStringLiteral("Clean close"), Verdict::Fail,
        QStringLiteral("no Close frame"), QStringLiteral("it matters")});
    report.items.append({QStringLiteral("ws.origin"), QStringLiteral("Foreign Origin"),
        Verdict::Pass, QStringLiteral("403"), QStringLiteral("hidden when it passes")});
    const QString plain = report.toText(false);
    QVERIFY(plain.contains(QLatin1String("FAIL  Clean close     no Close frame")));
    QVERIFY(plain.contains(QLatin1String("it matters")));
    QVERIFY(!plain.contains(QLatin1String("hidden when it passes")));
    QVERIFY(plain.contains(QLatin1String("1 passed, 0 warned, 1 failed, 0 skipped")));
    QVERIFY(!plain.contains(QLatin1Char('\x1b')));
    QVERIFY(report.toText(true).contains(QLatin1String("\x1b[1;31mFAIL\x1b[0m")));
}

QTEST_GUILESS_MAIN(TestCheckReport)
#include "tst_checkreport.moc"
