#pragma once

#include <QCommandLineParser>
#include <QString>

#include <cstdio>

namespace Pushboard::Cli {

/// Writes `line` and a newline to `stream` (stdout or stderr) and flushes it.
void printLine(FILE *stream, const QString &line);

/// The parser's help text with the usage line naming `command` (e.g. "pushboard tail") instead
/// of the path the program was started with, which QCommandLineParser puts there.
[[nodiscard]] QString helpText(const QCommandLineParser &parser, const QString &command);

} // namespace Pushboard::Cli
