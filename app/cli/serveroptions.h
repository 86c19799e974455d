#pragma once

#include "serverconfig.h"

#include <QCommandLineParser>

#include <optional>

namespace Pushboard::Cli {

/// Adds the options every server-running command shares (docs/protocol.md, "Processes and
/// options").
void addServerOptions(QCommandLineParser &parser);

/// Reads them back. On a bad value returns nothing and sets `error` to a one-line reason.
[[nodiscard]] std::optional<ServerConfig> serverConfigFrom(
    const QCommandLineParser &parser, QString *error);

/// The data directory used without `--data-dir` (the platform's app data location).
[[nodiscard]] QString defaultDataDir();

/// One line for a server started with TLS: the certificate's fingerprint and how clients trust
/// it (`--pin`, and for a self-signed one `--ca` with the local CA file).
[[nodiscard]] QString tlsSummary(
    const ServerConfig &config, const QString &fingerprint, bool created);

} // namespace Pushboard::Cli
