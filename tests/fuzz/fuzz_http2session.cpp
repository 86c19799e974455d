// Arbitrary HTTP/2 frames from a client, after a valid connection preface, against a real
// server (ServerHost on 127.0.0.1 with its routes, its event streams and long polls): the
// server must not crash, leak or stop serving. Each input is one new connection; after it the
// server must still answer another client (checked every 256 inputs).
#include "metricsource.h"
#include "serverhost.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace {

QCoreApplication *app = nullptr;
QTemporaryDir *dir = nullptr;
Pushboard::ServerHost *host = nullptr;

void spin(int turns)
{
    for (int i = 0; i < turns; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

/// Opens a connection, sends `bytes`, reads what comes for a while, and returns it.
QByteArray exchange(const QByteArray &bytes)
{
    QTcpSocket client;
    client.connectToHost(QStringLiteral("127.0.0.1"), host->port());
    for (int i = 0; i < 200 && client.state() != QAbstractSocket::ConnectedState; ++i)
        spin(1);
    client.write(bytes);
    QByteArray received;
    for (int i = 0; i < 20; ++i) {
        spin(1);
        received += client.readAll();
    }
    client.abort();
    spin(3);
    return received;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    app = new QCoreApplication(*argc, *argv);
    dir = new QTemporaryDir;
    Pushboard::ServerConfig config;
    config.port = 0;
    config.store.dataDir = dir->path();
    config.limits.maxBodyBytes = 4096;
    config.limits.maxHeadBytes = 4096;
    config.limits.maxConcurrentStreams = 8;
    config.sseQueueLimit = 64 * 1024;
    host = new Pushboard::ServerHost({});
    if (!host->start(config))
        abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QByteArray preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    static quint64 runs = 0;
    exchange(preface + QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    // Still serving: a plain HTTP/1.1 request gets its answer.
    if (++runs % 256 == 0) {
        const QByteArray answer
            = exchange("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        if (!answer.startsWith("HTTP/1.1 200 OK"))
            abort();
    }
    return 0;
}
