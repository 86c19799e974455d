// QML tests of the dashboard's pages. Qt Charts needs a QApplication, and QUICK_TEST_MAIN
// crashes on a ChartView, so main() is written out (docs/architecture.md). A real server runs in
// this process; QML finds it through the PushboardTest.Server singleton.
#include "procmetricsource.h"
#include "serverhost.h"

#include <QApplication>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(Pushboard_ClientPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_InspectorPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_LabPlugin)
Q_IMPORT_QML_PLUGIN(Pushboard_UiPlugin)

namespace {

/// The test server, as QML sees it.
class TestServerInfo : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString url READ url CONSTANT)
public:
    explicit TestServerInfo(QString url)
        : m_url(std::move(url))
    { }
    [[nodiscard]] QString url() const { return m_url; }
    /// Publishes an event, as POST /api/publish would.
    Q_INVOKABLE void publish(const QString &topic, const QString &json)
    {
        m_host->store()->append({Pushboard::EventDraft {topic, json.toUtf8()}});
    }
    Pushboard::ServerHost *m_host = nullptr;

private:
    QString m_url;
};

class Setup : public QObject
{
    Q_OBJECT
public:
    Setup()
    {
        std::vector<std::unique_ptr<Pushboard::MetricSource>> sources;
        sources.push_back(std::make_unique<Pushboard::ProcMetricSource>());
        m_host = std::make_unique<Pushboard::ServerHost>(std::move(sources));
        Pushboard::ServerConfig config;
        config.port = 0;
        config.intervalMs = 200;
        config.store.dataDir = m_dir.path();
        if (!m_host->start(config))
            qFatal("test server: %s", qPrintable(m_host->errorString()));
        m_info = std::make_unique<TestServerInfo>(
            QStringLiteral("http://127.0.0.1:%1").arg(m_host->port()));
        m_info->m_host = m_host.get();
    }

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        qmlRegisterSingletonInstance("PushboardTest", 1, 0, "Server", m_info.get());
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Pushboard::ServerHost> m_host;
    std::unique_ptr<TestServerInfo> m_info;
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Setup setup;
    return quick_test_main_with_setup(argc, argv, "tst_dashboard", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "main.moc"
