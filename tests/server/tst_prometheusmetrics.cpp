#include "httptestclient.h"
#include "prometheusmetrics.h"
#include "sseclient.h"
#include "ssepublisher.h"
#include "testserver.h"

#include <QRegularExpression>
#include <QTest>

using namespace Pushboard;

namespace {

/// A strict reader of the Prometheus text format 0.0.4: returns "" and fills `samples`
/// ("name{labels}" → value) when `text` is valid, else the first problem.
QString parseExposition(const QByteArray &text, QMap<QString, double> *samples)
{
    static const QRegularExpression help(
        QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$"));
    static const QRegularExpression type(QStringLiteral(
        "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? ([^ ]+)$)"));
    if (!text.endsWith('\n'))
        return QStringLiteral("does not end with a newline");
    QMap<QString, QString> types;
    QSet<QString> helped, finished;
    QString current;
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        if (const auto m = help.match(line); m.hasMatch()) {
            if (helped.contains(m.captured(1)))
                return QStringLiteral("second HELP for ") + m.captured(1);
            helped.insert(m.captured(1));
            continue;
        }
        if (const auto m = type.match(line); m.hasMatch()) {
            const QString name = m.captured(1);
            if (types.contains(name) || finished.contains(name))
                return QStringLiteral("second TYPE for ") + name;
            if (!current.isEmpty())
                finished.insert(current);
            types.insert(name, m.captured(2));
            current = name;
            if (m.captured(2) == QLatin1String("counter")
                && !name.endsWith(QLatin1String("_total")))
                return QStringLiteral("counter without _total: ") + name;
            continue;
        }
        const auto m = sample.match(line);
        if (!m.hasMatch())
            return QStringLiteral("not a valid line: ") + line;
        if (m.captured(1) != current)
            return QStringLiteral("sample outside its family: ") + line;
        bool ok = false;
        const double value = m.captured(3).toDouble(&ok);
        if (!ok)
            return QStringLiteral("bad value: ") + line;
        samples->insert(m.captured(1) + m.captured(2), value);
    }
    for (auto it = types.cbegin(); it != types.cend(); ++it) {
        if (!helped.contains(it.key()))
            return QStringLiteral("no HELP for ") + it.key();
    }
    return {};
}

} // namespace

/// `/metrics`: the exposition format, checked strictly, and the figures it reports.
class tst_PrometheusMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strictParserRejectsBadInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("no newline") << QByteArray("# HELP a x\n# TYPE a gauge\na 1");
        QTest::newRow("no type") << QByteArray("a 1\n");
        QTest::newRow("bad value") << QByteArray("# HELP a x\n# TYPE a gauge\na one\n");
        QTest::newRow("counter name") << QByteArray("# HELP a x\n# TYPE a counter\na 1\n");
        QTest::newRow("bad label") << QByteArray("# HELP a x\n# TYPE a gauge\na{1x=\"y\"} 1\n");
        QTest::newRow("no help") << QByteArray("# TYPE a gauge\na 1\n");
    }
    void strictParserRejectsBadInput()
    {
        QFETCH(QByteArray, text);
        QMap<QString, double> samples;
        QVERIFY(!parseExposition(text, &samples).isEmpty());
    }

    void renderIsValid()
    {
        ServerMetrics metrics;
        metrics.openConnections.insert(QStringLiteral("sse"), 3);
        TransportStats sse;
        sse.eventsDelivered = 12345678901ull;
        sse.bytesSent = 7;
        metrics.transports.insert(QStringLiteral("sse"), sse);
        metrics.eventsPublished = 42;
        metrics.uptimeSeconds = 1.5;
        QMap<QString, double> samples;
        const QString problem = parseExposition(PrometheusMetrics::render(metrics), &samples);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(samples.value(QStringLiteral("pushboard_connections{transport=\"sse\"}")), 3.0);
        QCOMPARE(
            samples.value(QStringLiteral("pushboard_events_delivered_total{transport=\"sse\"}")),
            12345678901.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_events_published_total")), 42.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_uptime_seconds")), 1.5);
    }

    void liveFigures()
    {
        TestServer server;
        QVERIFY(server.start());
        HttpTestClient http(server.port());
        server.append(2);
        SseTestClient live, resumed;
        live.get(server.port(), "/events");
        resumed.get(server.port(), "/events?lastEventId=0");
        QTRY_COMPARE(server.host->ssePublisher()->streams().size(), 2);
        QCOMPARE(http.post("/api/publish", R"({"topic":"x","data":1})").status, 202);
        QTRY_COMPARE(live.eventIds().size(), 1);
        QTRY_COMPARE(resumed.eventIds().size(), 3);
        QCOMPARE(http.get("/api/events?after=0").status, 200);
        QCOMPARE(http.get("/nope").status, 404);

        const HttpAnswer answer = http.get("/metrics");
        QCOMPARE(answer.status, 200);
        QCOMPARE(
            answer.header("Content-Type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        QMap<QString, double> samples;
        const QString problem = parseExposition(answer.body, &samples);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(samples.value(QStringLiteral("pushboard_connections{transport=\"sse\"}")), 2.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_events_published_total")), 3.0);
        QCOMPARE(
            samples.value(QStringLiteral("pushboard_events_delivered_total{transport=\"sse\"}")),
            4.0);
        QCOMPARE(
            samples.value(QStringLiteral("pushboard_events_delivered_total{transport=\"poll\"}")),
            3.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_replays_total{transport=\"sse\"}")), 1.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_requests_rejected_total")), 1.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_log_events")), 3.0);
        QCOMPARE(samples.value(QStringLiteral("pushboard_bytes_sent_total{transport=\"sse\"}")),
            double(live.body.size() + resumed.body.size()));
    }
};

QTEST_GUILESS_MAIN(tst_PrometheusMetrics)
#include "tst_prometheusmetrics.moc"
