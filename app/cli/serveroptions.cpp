#include "serveroptions.h"

#include <QStandardPaths>

namespace Pushboard::Cli {

namespace {

std::optional<int> intOption(
    const QCommandLineParser &parser, const QString &name, int min, int max, QString *error)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("--%1 takes a whole number from %2 to %3, not '%4'")
                     .arg(name)
                     .arg(min)
                     .arg(max)
                     .arg(parser.value(name));
        return std::nullopt;
    }
    return value;
}

} // namespace

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

void addServerOptions(QCommandLineParser &parser)
{
    const ServerConfig defaults;
    parser.addOptions({
        {QStringLiteral("bind"),
            QStringLiteral("Address to listen on (default %1).").arg(defaults.bindAddress),
            QStringLiteral("ADDR"), defaults.bindAddress},
        {QStringLiteral("port"),
            QStringLiteral("Port to listen on, 0 for any free one (default %1).")
                .arg(defaults.port),
            QStringLiteral("N"), QString::number(defaults.port)},
        {QStringLiteral("allow-origin"),
            QStringLiteral(
                "Let web pages from ORIGIN use this server (repeatable; '*': any, reads only)."),
            QStringLiteral("ORIGIN")},
        {QStringLiteral("token"),
            QStringLiteral("Require this bearer token on every endpoint but /api/health."),
            QStringLiteral("T")},
        {QStringLiteral("data-dir"),
            QStringLiteral("Where the event log lives (default %1).").arg(defaultDataDir()),
            QStringLiteral("DIR"), defaultDataDir()},
        {QStringLiteral("interval"),
            QStringLiteral("Metric sampling interval in ms (default %1).").arg(defaults.intervalMs),
            QStringLiteral("MS"), QString::number(defaults.intervalMs)},
        {QStringLiteral("keepalive"),
            QStringLiteral("Seconds between keepalives (default %1).").arg(defaults.keepaliveS),
            QStringLiteral("S"), QString::number(defaults.keepaliveS)},
    });
}

std::optional<ServerConfig> serverConfigFrom(const QCommandLineParser &parser, QString *error)
{
    ServerConfig config;
    config.bindAddress = parser.value(QStringLiteral("bind"));
    config.token = parser.value(QStringLiteral("token"));
    config.allowedOrigins = parser.values(QStringLiteral("allow-origin"));
    config.store.dataDir = parser.value(QStringLiteral("data-dir"));
    const auto port = intOption(parser, QStringLiteral("port"), 0, 65535, error);
    const auto interval = port
        ? intOption(parser, QStringLiteral("interval"), 10, 24 * 3600 * 1000, error)
        : std::nullopt;
    const auto keepalive
        = interval ? intOption(parser, QStringLiteral("keepalive"), 1, 3600, error) : std::nullopt;
    if (!keepalive)
        return std::nullopt;
    if (parser.isSet(QStringLiteral("token")) && config.token.isEmpty()) {
        *error = QStringLiteral("--token must not be empty");
        return std::nullopt;
    }
    if (config.store.dataDir.isEmpty()) {
        *error = QStringLiteral("no data directory: pass --data-dir DIR");
        return std::nullopt;
    }
    config.port = quint16(*port);
    config.intervalMs = *interval;
    config.keepaliveS = *keepalive;
    return config;
}

} // namespace Pushboard::Cli
