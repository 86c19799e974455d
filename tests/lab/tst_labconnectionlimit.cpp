#include "labconnectionlimit.h"

#include <QJsonObject>
#include <QTest>

using namespace Pushboard::Lab;

/// The six-connection scenario with Qt's client (the browser half is the browser tier's):
/// twenty streams through one network access manager get six connections and six streams over
/// HTTP/1.1, and one connection with all twenty streams over HTTP/2, counted on the server,
/// and exactly the open streams receive the probe event. A browser that cannot be started is
/// said in its lanes, and the run goes on.
class tst_LabConnectionLimit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sixOverHttp1TwentyOverHttp2()
    {
        LabConnectionLimit run(*scenario(QStringLiteral("six-connections")));
        LabExperiment::Options options;
        options.chromium = QStringLiteral("/nonexistent/chromium");
        QVERIFY2(run.start(options), qPrintable(run.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(run.isFinished(), 90'000);
        const LabResult result = run.result();
        QCOMPARE(result.lanes.size(), 4);
        for (const QString &name : {QStringLiteral("chromium-h1"), QStringLiteral("chromium-h2")}) {
            const QString error
                = result.lane(name)->extra.value(QStringLiteral("error")).toString();
            QVERIFY2(error.startsWith(u"cannot start /nonexistent/chromium: "), qPrintable(error));
        }
        const LaneFigures *h1 = result.lane(QStringLiteral("qt-h1"));
        const LaneFigures *h2 = result.lane(QStringLiteral("qt-h2"));
        QVERIFY(h1 && h2);
        QCOMPARE(h1->extra.value(QStringLiteral("streamsOpen")).toInt(), 6);
        QCOMPARE(h1->extra.value(QStringLiteral("tcpConnections")).toInt(), 6);
        QCOMPARE(h1->extra.value(QStringLiteral("received")).toInt(), 6);
        QCOMPARE(h2->extra.value(QStringLiteral("streamsOpen")).toInt(), 20);
        QCOMPARE(h2->extra.value(QStringLiteral("tcpConnections")).toInt(), 1);
        QCOMPARE(h2->extra.value(QStringLiteral("received")).toInt(), 20);
        QCOMPARE(h2->extra.value(QStringLiteral("protocol")).toString(), QStringLiteral("h2"));
    }

    void findChromium()
    {
        QCOMPARE(LabConnectionLimit::findChromium(QStringLiteral("/opt/x/chrome")),
            QStringLiteral("/opt/x/chrome"));
    }
};

QTEST_GUILESS_MAIN(tst_LabConnectionLimit)
#include "tst_labconnectionlimit.moc"
