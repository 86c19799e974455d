#include "labfigures.h"

#include <QJsonArray>
#include <QTest>

using namespace Pushboard::Lab;

/// LabResult and its parts: nearest-rank percentiles, the per-lane JSON (bytes split into
/// payload and overhead, per event), the CSV (quoting, one line per lane) and the text table.
class tst_LabFigures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentiles_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("p50");
        QTest::addColumn<double>("p99");
        QTest::addColumn<double>("max");
        QTest::newRow("one") << QList<double> {7} << 7.0 << 7.0 << 7.0;
        QTest::newRow("two") << QList<double> {1, 9} << 1.0 << 9.0 << 9.0;
        QTest::newRow("unsorted") << QList<double> {5, 1, 3, 2, 4} << 3.0 << 5.0 << 5.0;
        QList<double> hundred;
        for (int i = 100; i >= 1; --i)
            hundred.append(i);
        QTest::newRow("1..100") << hundred << 50.0 << 99.0 << 100.0;
    }
    void percentiles()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, p50);
        QFETCH(double, p99);
        QFETCH(double, max);
        const Percentiles p = Percentiles::of({values.begin(), values.end()});
        QCOMPARE(p.p50, p50);
        QCOMPARE(p.p99, p99);
        QCOMPARE(p.max, max);
        QCOMPARE(p.samples, values.size());
    }

    void noSamples()
    {
        const Percentiles p = Percentiles::of({});
        QCOMPARE(p.samples, 0);
        QCOMPARE(p.toJson(), QJsonObject({{QStringLiteral("samples"), 0}}));
    }

    void laneJsonSplitsTheBytes()
    {
        LaneFigures f;
        f.name = QStringLiteral("sse");
        f.events = 4;
        f.expected = 4;
        f.bytesToServer = 100;
        f.bytesToClient = 500;
        f.payloadBytes = 200;
        f.extra.insert(QStringLiteral("note"), 1);
        const QJsonObject json = f.toJson();
        const QJsonObject bytes = json.value(QStringLiteral("bytes")).toObject();
        QCOMPARE(bytes.value(QStringLiteral("wire")).toInteger(), 600);
        QCOMPARE(bytes.value(QStringLiteral("overhead")).toInteger(), 400);
        const QJsonObject perEvent = bytes.value(QStringLiteral("perEvent")).toObject();
        QCOMPARE(perEvent.value(QStringLiteral("wire")).toDouble(), 150.0);
        QCOMPARE(perEvent.value(QStringLiteral("payload")).toDouble(), 50.0);
        QCOMPARE(perEvent.value(QStringLiteral("overhead")).toDouble(), 100.0);
        QCOMPARE(json.value(QStringLiteral("note")).toInt(), 1);
        // Without events there is nothing to divide by.
        f.events = 0;
        QVERIFY(!f.toJson().value(QStringLiteral("bytes")).toObject().contains(u"perEvent"));
    }

    void resultJsonCsvAndText()
    {
        LabResult result;
        result.scenario = QStringLiteral("idle");
        result.elapsedS = 12.5;
        for (const char *name : {"poll", "sse"}) {
            LaneFigures f;
            f.name = QString::fromLatin1(name);
            f.label = QStringLiteral("a, \"quoted\" label");
            f.events = 2;
            f.latencyMs = Percentiles::of({1.5, 2.5});
            result.lanes.append(f);
        }
        result.marks.append({3.25, QStringLiteral("server stopped")});
        const QJsonObject json = result.toJson();
        QCOMPARE(json.value(QStringLiteral("order")).toArray().size(), 2);
        QVERIFY(json.value(QStringLiteral("transports")).toObject().contains(u"poll"));
        QCOMPARE(json.value(QStringLiteral("marks")).toArray().at(0).toObject().value(u"text"),
            QStringLiteral("server stopped"));

        const QList<QByteArray> lines = result.toCsv().split('\n');
        QCOMPARE(lines.size(), 4); // header, two lanes, and the empty rest after the last CRLF
        QVERIFY(lines.at(0).startsWith("scenario,transport,events,"));
        QVERIFY(lines.at(1).startsWith("idle,poll,2,0,0,0,0,1.50,2.50,2.50,"));
        QCOMPARE(lines.at(0).count(','), lines.at(1).count(','));
        QVERIFY(result.lane(QStringLiteral("sse")));
        QVERIFY(!result.lane(QStringLiteral("ws")));
        QVERIFY(result.toText().contains(u"server stopped"));
    }
};

QTEST_GUILESS_MAIN(tst_LabFigures)
#include "tst_labfigures.moc"
