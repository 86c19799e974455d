#pragma once

#include "eventstore.h"
#include "metricsource.h"
#include "serverhost.h"

#include <QTemporaryDir>

#include <memory>

/// A real ServerHost on 127.0.0.1, port 0, in a fresh data directory, with no metric sources:
/// every event a test sees, the test appended or published itself.
class TestServer
{
public:
    TestServer()
    {
        config.port = 0;
        config.store.dataDir = m_dir.path();
    }

    /// (Re)starts with `config`; the data directory stays.
    [[nodiscard]] bool start()
    {
        host.reset();
        host = std::make_unique<Pushboard::ServerHost>(
            std::vector<std::unique_ptr<Pushboard::MetricSource>> {});
        return host->start(config);
    }
    [[nodiscard]] QString errorString() const { return host ? host->errorString() : QString(); }
    [[nodiscard]] quint16 port() const { return host->port(); }
    [[nodiscard]] Pushboard::EventStore &store() const { return *host->store(); }

    /// Appends `count` events of `topic` with payloads 0, 1, 2, ...
    Pushboard::EventList append(int count, const QString &topic = QStringLiteral("test.n"))
    {
        QList<Pushboard::EventDraft> drafts;
        for (int i = 0; i < count; ++i)
            drafts.append(Pushboard::EventDraft {topic, QByteArray::number(i)});
        return host->store()->append(drafts);
    }

private:
    QTemporaryDir m_dir; // First: it must outlive the host that holds its lock file.

public:
    Pushboard::ServerConfig config;
    std::unique_ptr<Pushboard::ServerHost> host;
};
