#include "serveroptions.h"

#include "hostcheck.h"
#include "rediseventlog.h"
#include "tlscredentials.h"

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

QString tlsSummary(const ServerConfig &config, const QString &fingerprint, bool created)
{
    if (!config.tlsSelfSigned)
        return QStringLiteral("TLS certificate %1, SHA-256 %2")
            .arg(config.tlsCertFile, fingerprint);
    return QStringLiteral("TLS certificate (%1, self-signed) SHA-256 %2; clients trust it with "
                          "--pin %2 or --ca %3")
        .arg(created ? QStringLiteral("new") : QStringLiteral("kept"), fingerprint,
            Tls::selfSignedFiles(config.store.dataDir).authority);
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
        {QStringLiteral("allow-host"),
            QStringLiteral("Accept NAME in the Host header besides loopback names and the bound "
                           "address (repeatable; '*': any, e.g. behind a proxy)."),
            QStringLiteral("NAME")},
        {QStringLiteral("max-connections"),
            QStringLiteral("Open connections served at once; more get 503 (default %1).")
                .arg(defaults.limits.maxConnections),
            QStringLiteral("N"), QString::number(defaults.limits.maxConnections)},
        {QStringLiteral("max-streams"),
            QStringLiteral("Streams one HTTP/2 connection may have open at once; more are refused "
                           "(default %1).")
                .arg(defaults.limits.maxConcurrentStreams),
            QStringLiteral("N"), QString::number(defaults.limits.maxConcurrentStreams)},
        {QStringLiteral("token"),
            QStringLiteral("Require this bearer token on every endpoint but /api/health."),
            QStringLiteral("T")},
        {QStringLiteral("data-dir"),
            QStringLiteral("Where the event log lives (default %1).").arg(defaultDataDir()),
            QStringLiteral("DIR"), defaultDataDir()},
        {QStringLiteral("backplane"),
            QStringLiteral("Share one event log with other servers in Redis instead of the SQLite "
                           "log in the data directory."),
            QStringLiteral("redis://HOST:PORT[/DB]")},
        {QStringLiteral("no-metrics"),
            QStringLiteral("Publish no metrics of this machine (only what clients publish).")},
        {QStringLiteral("interval"),
            QStringLiteral("Metric sampling interval in ms (default %1).").arg(defaults.intervalMs),
            QStringLiteral("MS"), QString::number(defaults.intervalMs)},
        {QStringLiteral("keepalive"),
            QStringLiteral("Seconds between keepalives (default %1).").arg(defaults.keepaliveS),
            QStringLiteral("S"), QString::number(defaults.keepaliveS)},
        {QStringLiteral("tls-cert"),
            QStringLiteral(
                "Serve HTTPS and WSS with this PEM certificate (chain); needs --tls-key."),
            QStringLiteral("FILE")},
        {QStringLiteral("tls-key"), QStringLiteral("The PEM private key of --tls-cert."),
            QStringLiteral("FILE")},
        {QStringLiteral("tls-self-signed"),
            QStringLiteral("Serve HTTPS and WSS with a certificate made (once) in the data "
                           "directory; prints the SHA-256 fingerprint clients pin.")},
    });
}

std::optional<ServerConfig> serverConfigFrom(const QCommandLineParser &parser, QString *error)
{
    ServerConfig config;
    config.bindAddress = parser.value(QStringLiteral("bind"));
    config.token = parser.value(QStringLiteral("token"));
    config.allowedOrigins = parser.values(QStringLiteral("allow-origin"));
    config.allowedHosts = parser.values(QStringLiteral("allow-host"));
    config.store.dataDir = parser.value(QStringLiteral("data-dir"));
    const auto port = intOption(parser, QStringLiteral("port"), 0, 65535, error);
    const auto interval = port
        ? intOption(parser, QStringLiteral("interval"), 10, 24 * 3600 * 1000, error)
        : std::nullopt;
    const auto keepalive
        = interval ? intOption(parser, QStringLiteral("keepalive"), 1, 3600, error) : std::nullopt;
    const auto maxConnections = keepalive
        ? intOption(parser, QStringLiteral("max-connections"), 1, 1000 * 1000, error)
        : std::nullopt;
    const auto maxStreams = maxConnections
        ? intOption(parser, QStringLiteral("max-streams"), 1, 100 * 1000, error)
        : std::nullopt;
    if (!maxStreams)
        return std::nullopt;
    for (const QString &host : std::as_const(config.allowedHosts)) {
        if (host != QLatin1String("*") && HostCheck::hostName(host.toUtf8()).isEmpty()) {
            *error = QStringLiteral("--allow-host takes a host name, not '%1'").arg(host);
            return std::nullopt;
        }
    }
    if (parser.isSet(QStringLiteral("token")) && config.token.isEmpty()) {
        *error = QStringLiteral("--token must not be empty");
        return std::nullopt;
    }
    config.tlsCertFile = parser.value(QStringLiteral("tls-cert"));
    config.tlsKeyFile = parser.value(QStringLiteral("tls-key"));
    config.tlsSelfSigned = parser.isSet(QStringLiteral("tls-self-signed"));
    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty()) {
        *error = QStringLiteral("--tls-cert and --tls-key go together");
        return std::nullopt;
    }
    if (config.tlsSelfSigned && !config.tlsCertFile.isEmpty()) {
        *error = QStringLiteral("--tls-self-signed or --tls-cert, not both");
        return std::nullopt;
    }
    if (config.store.dataDir.isEmpty()) {
        *error = QStringLiteral("no data directory: pass --data-dir DIR");
        return std::nullopt;
    }
    config.backplane = parser.value(QStringLiteral("backplane"));
    if (parser.isSet(QStringLiteral("backplane")) && !RedisAddress::parse(config.backplane, error))
        return std::nullopt;
    config.sampleMetrics = !parser.isSet(QStringLiteral("no-metrics"));
    config.port = quint16(*port);
    config.intervalMs = *interval;
    config.keepaliveS = *keepalive;
    config.limits.maxConnections = *maxConnections;
    config.limits.maxConcurrentStreams = *maxStreams;
    return config;
}

} // namespace Pushboard::Cli
