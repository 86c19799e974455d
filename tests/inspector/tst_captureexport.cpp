#include "captureexport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace Pushboard;

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("../core/data/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

constexpr quint16 ServerPort = 18801;
constexpr qint64 T0 = 1'796'000'000'000'000; // µs since the epoch

/// A log holding three sessions recorded from a real server (the fixtures), the server's
/// bytes fed in reads of varying sizes as a socket delivers them.
void record(CaptureLog &log)
{
    const QStringList names {QStringLiteral("ws-session"), QStringLiteral("sse-replay"),
        QStringLiteral("poll-keepalive")};
    qint64 t = T0;
    quint64 id = 1;
    for (const QString &name : names) {
        log.wireOpened(id,
            {QStringLiteral("127.0.0.1"), quint16(50000 + id), QStringLiteral("127.0.0.1"),
                ServerPort},
            t);
        const QByteArray request = fixture(name + QStringLiteral(".request"));
        const QByteArray response = fixture(name + QStringLiteral(".response"));
        // The first request head alone; the rest of the client's bytes once the response's
        // head has arrived (a WebSocket client waits for the 101).
        const qsizetype head = request.indexOf("\r\n\r\n") + 4;
        const qsizetype responseHead = response.indexOf("\r\n\r\n") + 4;
        log.wireBytes(id, WireDirection::ToServer, request.first(head), t += 1000);
        const qsizetype pieces[] = {97, 1000, 13, 4096};
        qsizetype at = 0;
        bool restSent = head == request.size();
        for (int i = 0; at < response.size(); ++i) {
            const qsizetype n = qMin(pieces[i % 4], response.size() - at);
            log.wireBytes(id, WireDirection::ToClient, response.sliced(at, n), t += 700);
            at += n;
            if (!restSent && at >= responseHead) {
                log.wireBytes(id, WireDirection::ToServer, request.sliced(head), t += 500);
                restSent = true;
            }
        }
        log.wireClosed(id, QStringLiteral("the client closed"), t += 1000);
        ++id;
    }
}

} // namespace

/// The exports: JSON with every item, HAR 1.2 checked field by field, and pcapng checked by
/// Wireshark itself: every WebSocket frame's FIN, opcode, MASK, length and payload and every
/// HTTP head that tshark dissects from our file must be what our decoders say.
class tst_CaptureExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        record(m_log);
        QVERIFY(m_log.items().size() > 40);
    }

    void json()
    {
        const QJsonObject root = QJsonDocument::fromJson(CaptureExport::toJson(m_log)).object();
        QCOMPARE(root.value(u"format").toString(), QStringLiteral("pushboard-capture"));
        const QJsonArray items = root.value(u"items").toArray();
        QCOMPARE(items.size(), qsizetype(m_log.items().size()));
        QCOMPARE(root.value(u"connections").toArray().size(), 3);
        // Every item's raw bytes round-trip, and put together they are what was recorded.
        QByteArray server[4];
        for (const QJsonValue &v : items) {
            const QJsonObject item = v.toObject();
            QVERIFY(item.contains(u"fields"));
            QVERIFY(!item.value(u"summary").toString().isEmpty());
            if (item.value(u"direction").toString() == u"receive")
                server[item.value(u"connection").toInt()]
                    += QByteArray::fromBase64(item.value(u"raw").toString().toLatin1());
        }
        QCOMPARE(server[1], fixture(QStringLiteral("ws-session.response")));
        QCOMPARE(server[3], fixture(QStringLiteral("poll-keepalive.response")));
        bool masked = false; // The client's first fragment, with its masking key.
        for (const QJsonValue &v : items) {
            const QJsonObject ws = v.toObject().value(u"ws").toObject();
            masked = masked
                || (ws.value(u"maskingKey").toString() == u"37fa213d"
                    && !ws.value(u"fin").toBool());
        }
        QVERIFY(masked);
    }

    void har()
    {
        const QJsonObject root = QJsonDocument::fromJson(CaptureExport::toHar(m_log)).object();
        const QJsonObject log = root.value(u"log").toObject();
        QCOMPARE(log.value(u"version").toString(), QStringLiteral("1.2"));
        QCOMPARE(log.value(u"creator").toObject().value(u"name").toString(),
            QStringLiteral("pushboard"));
        const QJsonArray entries = log.value(u"entries").toArray();
        QCOMPARE(entries.size(), 4); // ws, sse, two polls
        // HAR 1.2's required fields, on every entry.
        for (const QJsonValue &v : entries) {
            const QJsonObject e = v.toObject();
            for (const char *key :
                {"startedDateTime", "time", "request", "response", "cache", "timings"})
                QVERIFY2(e.contains(QLatin1String(key)), key);
            QVERIFY(QDateTime::fromString(e.value(u"startedDateTime").toString(), Qt::ISODateWithMs)
                        .isValid());
            const QJsonObject rq = e.value(u"request").toObject();
            for (const char *key : {"method", "url", "httpVersion", "cookies", "headers",
                     "queryString", "headersSize", "bodySize"})
                QVERIFY2(rq.contains(QLatin1String(key)), key);
            QVERIFY(QUrl(rq.value(u"url").toString()).isValid());
            QVERIFY(rq.value(u"url").toString().startsWith(u"http://"));
            const QJsonObject rs = e.value(u"response").toObject();
            for (const char *key : {"status", "statusText", "httpVersion", "cookies", "headers",
                     "content", "redirectURL", "headersSize", "bodySize"})
                QVERIFY2(rs.contains(QLatin1String(key)), key);
            QVERIFY(rs.value(u"content").toObject().contains(u"size"));
            QVERIFY(rs.value(u"content").toObject().contains(u"mimeType"));
            const QJsonObject timings = e.value(u"timings").toObject();
            for (const char *key : {"send", "wait", "receive"})
                QVERIFY2(timings.value(QLatin1String(key)).toDouble() >= 0, key);
        }
        const QJsonObject ws = entries.at(0).toObject();
        QCOMPARE(ws.value(u"request").toObject().value(u"url").toString(),
            QStringLiteral("http://localhost:18801/ws"));
        QCOMPARE(ws.value(u"response").toObject().value(u"status").toInt(), 101);
        QCOMPARE(ws.value(u"_resourceType").toString(), QStringLiteral("websocket"));
        const QJsonArray messages = ws.value(u"_webSocketMessages").toArray();
        QVERIFY(messages.size() > 3);
        const QJsonObject first = messages.at(0).toObject(); // The server's state, on connect.
        QCOMPARE(first.value(u"type").toString(), QStringLiteral("receive"));
        QCOMPARE(first.value(u"opcode").toInt(), 1);
        QVERIFY(first.value(u"data").toString().contains(u"\"op\":\"state\""));
        QVERIFY(first.value(u"time").toDouble() > 1.7e9);
        bool subscribe = false; // The client's fragmented message, whole.
        for (const QJsonValue &m : messages) {
            subscribe = subscribe
                || (m.toObject().value(u"type").toString() == u"send"
                    && m.toObject().value(u"data").toString().startsWith(
                        u"{\"op\": \"subscribe\""));
        }
        QVERIFY(subscribe);

        const QJsonObject sse = entries.at(1).toObject();
        QCOMPARE(sse.value(u"request")
                     .toObject()
                     .value(u"queryString")
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"value")
                     .toString(),
            QStringLiteral("system.load"));
        const QJsonArray events = sse.value(u"_eventSourceMessages").toArray();
        QVERIFY(events.size() > 5);
        QCOMPARE(events.at(0).toObject().value(u"type").toString(), QStringLiteral("system.load"));
        QCOMPARE(events.at(0).toObject().value(u"id").toString(), QStringLiteral("5"));

        const QJsonObject poll = entries.at(2).toObject();
        QCOMPARE(
            poll.value(u"response").toObject().value(u"content").toObject().value(u"size").toInt(),
            211);
        QVERIFY(poll.value(u"response")
                    .toObject()
                    .value(u"content")
                    .toObject()
                    .value(u"text")
                    .toString()
                    .startsWith(u"{\"events\""));
    }

    void pcapngAgreesWithWireshark()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty())
            QFAIL("tshark is not installed (apt-get install tshark; scripts/test installs it)");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("capture.pcapng"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(CaptureExport::toPcapng(m_log));
        file.close();
        if (qEnvironmentVariableIsSet("PUSHBOARD_KEEP_PCAPNG"))
            QFile::copy(path, qEnvironmentVariable("PUSHBOARD_KEEP_PCAPNG"));

        QProcess process;
        process.start(tshark,
            {QStringLiteral("-r"), path, QStringLiteral("-n"), QStringLiteral("-d"),
                QStringLiteral("tcp.port==%1,http").arg(ServerPort), QStringLiteral("-Y"),
                QStringLiteral("http || websocket"), QStringLiteral("-T"), QStringLiteral("json"),
                QStringLiteral("-e"), QStringLiteral("tcp.stream"), QStringLiteral("-e"),
                QStringLiteral("http.request.method"), QStringLiteral("-e"),
                QStringLiteral("http.request.uri"), QStringLiteral("-e"),
                QStringLiteral("http.response.code"), QStringLiteral("-e"),
                QStringLiteral("http.request.line"), QStringLiteral("-e"),
                QStringLiteral("http.response.line"), QStringLiteral("-e"),
                QStringLiteral("websocket.fin"), QStringLiteral("-e"),
                QStringLiteral("websocket.opcode"), QStringLiteral("-e"),
                QStringLiteral("websocket.mask"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload_length"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload_length_ext_16"), QStringLiteral("-e"),
                QStringLiteral("websocket.masking_key"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload.text"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload.close.status_code"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload.ping"), QStringLiteral("-e"),
                QStringLiteral("websocket.payload.pong")});
        QVERIFY(process.waitForFinished(120'000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QJsonArray packets = QJsonDocument::fromJson(process.readAllStandardOutput()).array();
        QVERIFY(!packets.isEmpty());

        // What tshark saw, as lines: one per HTTP head and per WebSocket frame, in wire order.
        QStringList theirs;
        std::map<QString, QString> theirLines;
        for (const QJsonValue &p : packets) {
            const QJsonObject layers
                = p.toObject().value(u"_source").toObject().value(u"layers").toObject();
            auto all = [&layers](const char *name) {
                QStringList out;
                for (const QJsonValue &v : layers.value(QLatin1String(name)).toArray())
                    out.append(v.toString());
                return out;
            };
            const QString stream = all("tcp.stream").value(0);
            // Two heads in one packet share one list of header lines: compare the lines per
            // stream and direction, in order, and the start lines one by one.
            const QStringList methods = all("http.request.method");
            for (qsizetype i = 0; i < methods.size(); ++i)
                theirs.append(QStringLiteral("%1 request %2 %3")
                                  .arg(stream, methods.at(i), all("http.request.uri").value(i)));
            for (const QString &code : all("http.response.code"))
                theirs.append(QStringLiteral("%1 response %2").arg(stream, code));
            theirLines[stream + QStringLiteral(" request")]
                += all("http.request.line").join(QString());
            theirLines[stream + QStringLiteral(" response")]
                += all("http.response.line").join(QString());
            const QStringList fin = all("websocket.fin");
            const QStringList opcode = all("websocket.opcode");
            const QStringList mask = all("websocket.mask");
            const QStringList length = all("websocket.payload_length");
            const QStringList ext16 = all("websocket.payload_length_ext_16");
            const QStringList key = all("websocket.masking_key");
            const QStringList text = all("websocket.payload.text");
            const QStringList close = all("websocket.payload.close.status_code");
            int e16 = 0, k = 0, t = 0, c = 0;
            for (int i = 0; i < fin.size(); ++i) {
                const int op = opcode.value(i).toInt();
                QString line
                    = QStringLiteral("%1 ws fin=%2 op=%3 mask=%4 len=%5")
                          .arg(stream,
                              fin.value(i) == u"1" || fin.value(i) == u"True" ? QStringLiteral("1")
                                                                              : QStringLiteral("0"))
                          .arg(op)
                          .arg(mask.value(i) == u"1" || mask.value(i) == u"True" ? 1 : 0)
                          .arg(length.value(i).toInt() == 126 ? ext16.value(e16++)
                                                              : length.value(i));
                if (mask.value(i) == u"1" || mask.value(i) == u"True")
                    line += u" key=" + key.value(k++).remove(u':');
                if (op == 1 && fin.value(i) != u"0" && fin.value(i) != u"False")
                    line += u" text=" + text.value(t++);
                if (op == 8)
                    line += u" close=" + close.value(c++);
                theirs.append(line);
            }
        }

        // What our decoders say about the same bytes.
        QStringList ours;
        std::map<QString, QString> ourLines;
        for (const WireItem &item : m_log.items()) {
            const QString stream = QString::number(item.connection - 1);
            if (item.kind == WireItem::Kind::RequestHead
                || item.kind == WireItem::Kind::ResponseHead) {
                QString lines;
                for (const auto &[name, value] : item.head->headers)
                    lines += QString::fromLatin1(name + ": " + value) + QStringLiteral("\r\n");
                if (item.head->isRequest)
                    ours.append(QStringLiteral("%1 request %2 %3")
                                    .arg(stream, QString::fromLatin1(item.head->method),
                                        QString::fromLatin1(item.head->target)));
                else
                    ours.append(
                        QStringLiteral("%1 response %2").arg(stream).arg(item.head->status));
                ourLines[stream
                    + (item.head->isRequest ? QStringLiteral(" request")
                                            : QStringLiteral(" response"))]
                    += lines;
            } else if (item.kind == WireItem::Kind::WsFrame) {
                const WsFrame &f = *item.frame;
                QString line = QStringLiteral("%1 ws fin=%2 op=%3 mask=%4 len=%5")
                                   .arg(stream)
                                   .arg(f.fin ? 1 : 0)
                                   .arg(f.opcode)
                                   .arg(f.masked ? 1 : 0)
                                   .arg(f.length);
                if (f.masked)
                    line += u" key=" + QString::fromLatin1(f.maskingKey.toHex());
                if (f.opcode == WsFrame::Text && f.fin)
                    line += u" text=" + QString::fromUtf8(item.payload);
                if (f.opcode == WsFrame::Close)
                    line += u" close=" + QString::number(item.closeCode);
                ours.append(line);
            }
        }
        ours.sort(); // Per-line comparison; the order within a packet is tshark's.
        theirs.sort();
        for (qsizetype i = 0; i < qMax(ours.size(), theirs.size()); ++i) {
            if (ours.value(i) != theirs.value(i))
                qWarning("first difference at %lld:\n ours:   %s\n tshark: %s", i,
                    qPrintable(ours.value(i)), qPrintable(theirs.value(i)));
            QCOMPARE(theirs.value(i), ours.value(i));
        }
        for (auto &[key, lines] : ourLines)
            QCOMPARE(theirLines[key], lines);
        QCOMPARE(ours.filter(QStringLiteral(" ws ")).size(), 79); // Every frame of the session.
    }

private:
    CaptureLog m_log;
};

QTEST_GUILESS_MAIN(tst_CaptureExport)
#include "tst_captureexport.moc"
