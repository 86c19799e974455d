#include "terminal.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace Pushboard::Cli {

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stream);
    std::fflush(stream);
}

QString helpText(const QCommandLineParser &parser, const QString &command)
{
    QString text = parser.helpText();
    const QString usage = QStringLiteral("Usage: ");
    if (!text.startsWith(usage))
        return text;
    const qsizetype end = text.indexOf(QLatin1Char('\n'));
    QString line = text.left(end);
    const QString program = QCoreApplication::arguments().value(0);
    // "Usage: PROGRAM [options] serve": the program becomes `command`, and the command's own
    // word goes where a parser lists it as its positional argument.
    line.replace(usage.size(), program.size(), command);
    const QString word = command.section(QLatin1Char(' '), 1);
    if (!word.isEmpty() && line.endsWith(QLatin1Char(' ') + word))
        line.chop(word.size() + 1);
    return line + text.mid(end);
}

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QList<QCommandLineOption> tlsTrustOptions()
{
    return {
        {QStringLiteral("ca"),
            QStringLiteral("Trust the certificate authorities in this PEM file too (https, wss)."),
            QStringLiteral("FILE")},
        {QStringLiteral("pin"),
            QStringLiteral("Trust exactly the server certificate with this SHA-256 fingerprint."),
            QStringLiteral("SHA256")},
    };
}

std::optional<TlsTrust> tlsTrust(const QCommandLineParser &parser, QString *error)
{
    return TlsTrust::fromOptions(
        parser.value(QStringLiteral("ca")), parser.value(QStringLiteral("pin")), error);
}

} // namespace Pushboard::Cli
