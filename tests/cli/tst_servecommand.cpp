#include "eventstore.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Pushboard;

/// `pushboard` and `pushboard serve` as a user runs them: the real executable in a QProcess.
class tst_ServeCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void commandLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("output"); // stdout for 0, stderr otherwise: must start with it
        QTest::newRow("version") << QStringList {QStringLiteral("--version")} << 0
                                 << QStringLiteral("pushboard " PUSHBOARD_VERSION "\n");
        QTest::newRow("help") << QStringList {QStringLiteral("--help")} << 0
                              << QStringLiteral("Usage: pushboard [COMMAND] [options]");
        QTest::newRow("serve help")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--help")} << 0
            << QStringLiteral("Usage: pushboard serve [options]\n");
        QTest::newRow("tail help") << QStringList {QStringLiteral("tail"), QStringLiteral("--help")}
                                   << 0 << QStringLiteral("Usage: pushboard tail [options] URL\n");
        QTest::newRow("bad max-connections")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--max-connections"),
                   QStringLiteral("0")}
            << 2
            << QStringLiteral("pushboard serve: --max-connections takes a whole number from 1 to "
                              "1000000, not '0'\n");
        QTest::newRow("bad allow-host")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--allow-host"),
                   QStringLiteral("http://x/")}
            << 2
            << QStringLiteral("pushboard serve: --allow-host takes a host name, not 'http://x/'\n");
        QTest::newRow("unknown command")
            << QStringList {QStringLiteral("frobnicate")} << 2
            << QStringLiteral("pushboard: unknown command 'frobnicate'\n");
        QTest::newRow("unknown option")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--bogus")} << 2
            << QStringLiteral("pushboard serve: Unknown option 'bogus'.");
        QTest::newRow("bad port")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--port"),
                   QStringLiteral("http")}
            << 2
            << QStringLiteral(
                   "pushboard serve: --port takes a whole number from 0 to 65535, not 'http'\n");
        QTest::newRow("port too big")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--port"),
                   QStringLiteral("70000")}
            << 2
            << QStringLiteral(
                   "pushboard serve: --port takes a whole number from 0 to 65535, not '70000'\n");
        QTest::newRow("bad interval") << QStringList {QStringLiteral("serve"),
            QStringLiteral("--interval"), QStringLiteral("5")}
                                      << 2
                                      << QStringLiteral("pushboard serve: --interval takes a whole "
                                                        "number from 10 to 86400000, not '5'\n");
        QTest::newRow("empty token")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--token"), QString()} << 2
            << QStringLiteral("pushboard serve: --token must not be empty\n");
        QTest::newRow("open bind without token")
            << QStringList {QStringLiteral("serve"), QStringLiteral("--bind"),
                   QStringLiteral("0.0.0.0")}
            << 1
            << QStringLiteral("pushboard serve: refusing to listen on 0.0.0.0 without --token");
    }
    void commandLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, output);
        QProcess process;
        if (arguments.value(0) == QLatin1String("serve"))
            arguments << QStringLiteral("--data-dir") << m_dir->path();
        process.start(QStringLiteral(PUSHBOARD_BIN), arguments);
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), exitCode);
        const QString text = QString::fromUtf8(
            exitCode == 0 ? process.readAllStandardOutput() : process.readAllStandardError());
        QVERIFY2(text.startsWith(output), qPrintable(text));
        if (exitCode == 1)
            QCOMPARE(text.count(QLatin1Char('\n')), 1); // One clear line.
    }

    void withoutADisplayTheDashboardStartsTheServer()
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"),
                m_dir->path()});
        QVERIFY(process.waitForReadyRead(30000));
        QVERIFY(process.readLine().startsWith("pushboard serve: listening on http://127.0.0.1:"));
        QVERIFY(process.readAllStandardError().startsWith(
            "pushboard: no display (DISPLAY is not set): starting the server without a window\n"));
        process.terminate();
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 0);
    }

    void dashboardWatchesTheServerAlreadyRunning_data()
    {
        QTest::addColumn<bool>("samePort"); // else the same data directory, another port
        QTest::newRow("port taken") << true;
        QTest::newRow("data directory taken") << false;
    }
    void dashboardWatchesTheServerAlreadyRunning()
    {
        QFETCH(bool, samePort);
        QProcess server;
        server.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--data-dir"), m_dir->path()});
        QVERIFY(server.waitForReadyRead(30000));
        const QByteArray listening = server.readLine();
        const QByteArray url = listening.mid(listening.indexOf("http://")).split(' ').value(0);
        QVERIFY2(url.startsWith("http://127.0.0.1:"), listening.constData());

        QTemporaryDir otherDir;
        QProcess dashboard;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), otherDir.filePath(QStringLiteral("config")));
        dashboard.setProcessEnvironment(env);
        dashboard.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("--port"),
                samePort ? QString::fromLatin1(url.mid(url.lastIndexOf(':') + 1))
                         : QStringLiteral("0"),
                QStringLiteral("--data-dir"), samePort ? otherDir.path() : m_dir->path()});
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += dashboard.readAllStandardOutput()).contains("instead\n"), 30000);
        QVERIFY2(out.endsWith(QByteArray("; watching the server at " + url + " instead\n")),
            out.constData());
        QCOMPARE(dashboard.state(), QProcess::Running); // not exit 1: it shows the other server
        dashboard.terminate();
        QVERIFY(dashboard.waitForFinished(30000));
        QCOMPARE(dashboard.exitCode(), 0);
        server.terminate();
        QVERIFY(server.waitForFinished(30000));
    }

    void dashboardOverTls_data()
    {
        QTest::addColumn<QString>("trust"); // own (its embedded server), pin, none
        QTest::addColumn<bool>("connects");
        QTest::newRow("its own TLS server") << "own" << true;
        QTest::newRow("--connect with --pin") << "pin" << true;
        QTest::newRow("--connect, no trust") << "none" << false;
    }
    void dashboardOverTls()
    {
        QFETCH(QString, trust);
        QFETCH(bool, connects);
        // The server: the dashboard's own, or a `serve` it connects to.
        QTemporaryDir otherDir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), otherDir.filePath(QStringLiteral("config")));
        QProcess server;
        QProcess dashboard;
        dashboard.setProcessEnvironment(env);
        QByteArray out;
        const QStringList tlsServer {QStringLiteral("--port"), QStringLiteral("0"),
            QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("--tls-self-signed")};
        QProcess *serving = &server;
        if (trust == QLatin1String("own")) {
            dashboard.start(QStringLiteral(PUSHBOARD_BIN), tlsServer);
            serving = &dashboard;
        } else {
            server.start(
                QStringLiteral(PUSHBOARD_BIN), QStringList {QStringLiteral("serve")} + tlsServer);
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += serving->readAllStandardOutput()).contains("SHA-256 "), 30000);
        const QString printed = QString::fromUtf8(out);
        const QString url = QRegularExpression(QStringLiteral("https://127\\.0\\.0\\.1:\\d+"))
                                .match(printed)
                                .captured();
        const QString fingerprint = QRegularExpression(QStringLiteral("SHA-256 ([0-9A-F:]{95})"))
                                        .match(printed)
                                        .captured(1);
        QVERIFY2(!url.isEmpty() && !fingerprint.isEmpty(), out.constData());
        if (trust != QLatin1String("own")) {
            QStringList arguments {QStringLiteral("--connect"), url};
            if (trust == QLatin1String("pin"))
                arguments << QStringLiteral("--pin") << fingerprint;
            dashboard.start(QStringLiteral(PUSHBOARD_BIN), arguments);
        }
        // What the server sees: the window's SSE stream and its control WebSocket, or nothing.
        QNetworkAccessManager nam;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(
            QSslCertificate::fromPath(m_dir->filePath(QStringLiteral("tls-ca.pem"))));
        const auto get = [&](const char *path) {
            QNetworkRequest request(QUrl(url + QLatin1String(path)));
            request.setSslConfiguration(configuration);
            QNetworkReply *reply = nam.get(request);
            QTest::qWaitFor([reply] { return reply->isFinished(); }, 30000);
            reply->deleteLater();
            return reply->readAll();
        };
        const auto transports = [&] {
            const QByteArray body = get("/api/connections");
            return QByteArray(QByteArray::number(body.count("\"transport\":\"sse\""))
                + QByteArray::number(body.count("\"transport\":\"ws\"")));
        };
        if (connects) {
            QTRY_COMPARE_WITH_TIMEOUT(transports(), QByteArray("11"), 30000);
            // Over TLS the window's stream runs on HTTP/2 (ALPN); its WebSocket on HTTP/1.1.
            QVERIFY(get("/api/connections").contains(R"("protocol":"h2")"));
        } else {
            // Refused: the window's stream and its controls each failed a handshake, and the
            // stream is not retried.
            const auto failedHandshakes = [&] {
                const QByteArray metrics = get("/metrics");
                const qsizetype at = metrics.indexOf("\npushboard_tls_handshakes_failed_total ");
                return at < 0 ? -1 : metrics.mid(at + 39).split('\n').value(0).toInt();
            };
            QTRY_VERIFY_WITH_TIMEOUT(failedHandshakes() >= 2, 30000);
            QCOMPARE(transports(), QByteArray("00"));
        }
        QCOMPARE(dashboard.state(), QProcess::Running);
        dashboard.terminate();
        QVERIFY(dashboard.waitForFinished(30000));
        QCOMPARE(dashboard.exitCode(), 0);
        if (server.state() != QProcess::NotRunning) {
            server.terminate();
            QVERIFY(server.waitForFinished(30000));
        }
    }

    void portInUseIsOneLineAndExit1()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        QProcess process;
        process.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("serve"), QStringLiteral("--port"),
                QString::number(squatter.serverPort()), QStringLiteral("--data-dir"),
                m_dir->path()});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 1);
        QCOMPARE(QString::fromUtf8(process.readAllStandardError()),
            QStringLiteral("pushboard serve: port %1 on 127.0.0.1 is already in use\n")
                .arg(squatter.serverPort()));
    }

    void corruptEventLogIsRefusedAndKept()
    {
        const QString path = m_dir->filePath(QStringLiteral("events.db"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'z'));
        }
        QProcess process;
        process.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--data-dir"), m_dir->path()});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 1);
        const QString error = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(error.startsWith(
                     QStringLiteral("pushboard serve: the event log %1 cannot be used").arg(path)),
            qPrintable(error));
        QCOMPARE(error.count(QLatin1Char('\n')), 1);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray(8192, 'z'));
    }

    void servesStopsOnSigtermAndContinuesAfterRestart()
    {
        quint64 newestBefore = 0;
        {
            QProcess server;
            const quint16 port = startServer(server);
            QVERIFY(port);
            QCOMPARE(httpStatus(port, "/api/health"), 200);

            // A second server on the same data dir is refused while the first runs.
            QProcess second;
            second.start(QStringLiteral(PUSHBOARD_BIN),
                {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                    QStringLiteral("--data-dir"), m_dir->path()});
            QVERIFY(second.waitForFinished(30000));
            QCOMPARE(second.exitCode(), 1);
            const QString error = QString::fromUtf8(second.readAllStandardError());
            QVERIFY2(error.contains(QStringLiteral("is in use by another pushboard (pid %1)")
                                        .arg(server.processId())),
                qPrintable(error));

            ::kill(pid_t(server.processId()), SIGTERM);
            QVERIFY(server.waitForFinished(30000));
            QCOMPARE(server.exitStatus(), QProcess::NormalExit);
            QCOMPARE(server.exitCode(), 0);
            QVERIFY(server.readAllStandardOutput().endsWith("pushboard serve: stopped\n"));
        }
        {
            EventStore store; // What the server sampled was flushed to disk.
            StoreOptions options;
            options.dataDir = m_dir->path();
            QVERIFY2(store.open(options), qPrintable(store.errorString()));
            newestBefore = store.newestId();
            QVERIFY(newestBefore >= 2); // At least memory and load from the first sample.
        }
        QProcess server;
        const quint16 port = startServer(server);
        QVERIFY(port);
        QNetworkReply *reply = m_nam.get(
            QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/events?lastEventId=%2")
                                     .arg(port)
                                     .arg(newestBefore))));
        QTRY_VERIFY_WITH_TIMEOUT(
            reply->bytesAvailable() > 0 && reply->peek(4096).contains("\nid: "), 15000);
        const QByteArray body = reply->readAll();
        const auto match
            = QRegularExpression(QStringLiteral("\nid: (\\d+)\n")).match(QString::fromUtf8(body));
        QVERIFY(match.hasMatch());
        QCOMPARE(
            match.captured(1).toULongLong(), newestBefore + 1); // Ids continue after the restart.
        reply->abort();
        reply->deleteLater();
        server.terminate();
        QVERIFY(server.waitForFinished(30000));
        QCOMPARE(server.exitCode(), 0);
    }

private:
    quint16 startServer(QProcess &server)
    {
        server.start(QStringLiteral(PUSHBOARD_BIN),
            {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("--interval"),
                QStringLiteral("100")});
        if (!server.waitForReadyRead(30000))
            return 0;
        const QString line = QString::fromUtf8(server.readLine());
        const auto match = QRegularExpression(
            QStringLiteral("^pushboard serve: listening on http://127\\.0\\.0\\.1:(\\d+) "))
                               .match(line);
        return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
    }
    int httpStatus(quint16 port, const QByteArray &path)
    {
        QNetworkReply *reply = m_nam.get(QNetworkRequest(
            QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(QString::fromUtf8(path)))));
        QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

    QNetworkAccessManager m_nam;
    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_ServeCommand)
#include "tst_servecommand.moc"
