#pragma once

#include "tlstrust.h"

#include <QCommandLineParser>
#include <QString>

#include <cstdio>

namespace Pushboard::Cli {

/// Writes `line` and a newline to `stream` (stdout or stderr) and flushes it.
void printLine(FILE *stream, const QString &line);

/// The parser's help text with the usage line naming `command` (e.g. "pushboard tail") instead
/// of the path the program was started with, which QCommandLineParser puts there.
[[nodiscard]] QString helpText(const QCommandLineParser &parser, const QString &command);

/// `--ca FILE` and `--pin SHA256`, the trust options of the commands that connect to servers.
[[nodiscard]] QList<QCommandLineOption> tlsTrustOptions();

/// The trust `parser`'s tlsTrustOptions() ask for; nothing, and `error` says why, for an
/// unreadable file or a malformed pin.
[[nodiscard]] std::optional<TlsTrust> tlsTrust(const QCommandLineParser &parser, QString *error);

/// Writes `bytes` to `path` whole or not at all (QSaveFile); false with `error` set.
bool writeFile(const QString &path, const QByteArray &bytes, QString *error);

} // namespace Pushboard::Cli
