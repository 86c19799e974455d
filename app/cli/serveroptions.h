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

} // namespace Pushboard::Cli
