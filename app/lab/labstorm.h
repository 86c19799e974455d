#pragma once

#include "labexperiment.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <vector>

class QTcpSocket;

namespace Pushboard {
class ServerHost;
} // namespace Pushboard

namespace Pushboard::Lab {

/// The reconnect storm: a thousand SSE clients (plain sockets, each sending the request an
/// EventSource sends) on the run's own server, dropped by the server at once, twice: first
/// they come back after a fixed `retry`, then after `retry` plus a random share of a window.
/// For each round it records when every client tried again and when the server answered it,
/// drawn as the number of clients served per 50 ms after the drop.
class LabStorm : public LabExperiment
{
    Q_OBJECT

public:
    static constexpr int Clients = 1000;
    static constexpr int RetryMs = 1000;
    static constexpr int JitterWindowMs = 2000;
    static constexpr int BinMs = 50;

    explicit LabStorm(const Scenario &scenario, QObject *parent = nullptr);
    ~LabStorm() override;

    [[nodiscard]] LabResult result() const override;

protected:
    bool begin() override;
    void end() override;

private:
    enum class Policy { Fixed, Jittered };
    struct Client
    {
        QTcpSocket *socket = nullptr;
        bool served = false;
        bool awaitingDrop = false; ///< A round began: the server's close is on its way.
        QByteArray head;
        qint64 attemptUs = -1; ///< This round's first attempt, after the drop.
        qint64 servedUs = -1; ///< This round: when the server answered 200.
        int failures = 0;
    };
    struct Round
    {
        Policy policy;
        qint64 dropUs = -1;
        std::vector<double> attemptsMs; ///< Per client, after the drop.
        std::vector<double> servedMs;
        int failed = 0;
        bool done = false;
    };

    void connectClient(int index);
    void onConnected(int index);
    void onReadyRead(int index);
    void onClosed(int index);
    void startRound(Policy policy);
    void check();
    [[nodiscard]] qint64 delayMs(Policy policy);
    [[nodiscard]] Round *current();

    QTemporaryDir m_dataDir;
    std::unique_ptr<ServerHost> m_host;
    std::vector<Client> m_clients;
    int m_clientCount = Clients;
    QByteArray m_request; ///< What an EventSource sends.
    QRandomGenerator m_random {20261201};
    QList<Round> m_rounds;
    int m_connecting = 0; ///< Initial connections started so far.
    QTimer m_ticker;
    QTimer m_pacer;
};

} // namespace Pushboard::Lab
