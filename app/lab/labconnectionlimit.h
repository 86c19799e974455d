#pragma once

#include "labexperiment.h"

#include <QPointer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <vector>

class QNetworkAccessManager;
class QTcpServer;

namespace Pushboard {
class ServerHost;
class StreamClient;
} // namespace Pushboard

namespace Pushboard::Lab {

/// The six-connection scenario: twenty SSE streams from one client to one server, over
/// HTTP/1.1 and over HTTP/2, counted on the server (streams open, TCP connections). Four parts:
/// Qt's network access manager (what the client library uses; one manager shared by the twenty
/// streams, as one browser is) over HTTP/1.1 and HTTP/2, then Chromium (headless, started by
/// the run, with a page of twenty EventSources) over both, when it is installed.
///
/// Two servers of its own: clear-text HTTP/1.1, and TLS with a self-signed certificate that
/// offers h2. The page comes from a third, tiny HTTP server, an origin both servers allow.
class LabConnectionLimit : public LabExperiment
{
    Q_OBJECT

public:
    static constexpr int Streams = 20;

    explicit LabConnectionLimit(const Scenario &scenario, QObject *parent = nullptr);
    ~LabConnectionLimit() override;

    [[nodiscard]] LabResult result() const override;
    /// The browser the run uses: `preferred`, else $CHROMIUM, else `chromium` on the PATH;
    /// empty when there is none.
    [[nodiscard]] static QString findChromium(const QString &preferred);

protected:
    bool begin() override;
    void end() override;

private:
    struct Part
    {
        QString name;
        QString label;
        bool browser = false;
        bool http2 = false;
        bool done = false;
        QString error;
        int streamsOpen = 0;
        int connections = 0;
        int received = -1; ///< Streams that got the probe event.
        QList<QPointF> openOverTime; ///< (s into the part, streams open on the server).
    };

    void startPart(int index);
    void samplePart();
    void probe();
    void endPart();
    /// Stops the current part's clients (Qt's, or the browser).
    void stopClients();
    [[nodiscard]] ServerHost *hostOf(const Part &part) const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServerHost> m_plain;
    std::unique_ptr<ServerHost> m_tls;
    QTcpServer *m_pages = nullptr;
    QString m_chromium;
    QList<Part> m_parts;
    int m_current = -1;
    double m_partStartS = 0;
    int m_settleMs = 2000;
    double m_stableSinceS = 0;
    bool m_probing = false;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::vector<std::unique_ptr<StreamClient>> m_clients;
    int m_received = 0; ///< Qt streams that got the probe.
    int m_browserReceived = 0; ///< The page's streams that said they got it.
    QPointer<QProcess> m_browser;
    QString m_browserOutput;
    std::unique_ptr<QTemporaryDir> m_profile;
    QTimer m_sampler;
};

} // namespace Pushboard::Lab
