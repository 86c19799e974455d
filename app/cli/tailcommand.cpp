#include "tailcommand.h"

#include "event.h"
#include "streamclient.h"
#include "terminal.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>

namespace Pushboard::Cli {

namespace {

void writeLine(FILE *stream, const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

QByteArray jsonString(const QString &text)
{
    return compactJson(QJsonValue(text));
}

} // namespace

int runTail(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Print the events of an SSE, WebSocket or Pushboard polling stream as JSON lines."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"),
        QStringLiteral("http(s):// for SSE or polling, ws(s):// for WebSocket."));
    parser.addOptions({
        {QStringLiteral("transport"),
            QStringLiteral("sse, ws, poll or longpoll (default: from the URL's scheme)."),
            QStringLiteral("T")},
        {QStringLiteral("topics"),
            QStringLiteral("Only these topics (comma-separated; Pushboard servers)."),
            QStringLiteral("A,B")},
        {QStringLiteral("token"), QStringLiteral("Send Authorization: Bearer T."),
            QStringLiteral("T")},
        {QStringLiteral("last-event-id"), QStringLiteral("Resume after this event id."),
            QStringLiteral("ID")},
        {QStringLiteral("max-events"), QStringLiteral("Exit 0 after N events."),
            QStringLiteral("N")},
        {QStringLiteral("duration"), QStringLiteral("Exit 0 after S seconds."),
            QStringLiteral("S")},
        {QStringLiteral("no-reconnect"),
            QStringLiteral("Do not reconnect when the stream ends or fails.")},
        {QStringLiteral("http2"),
            QStringLiteral("HTTP/2 only: prior knowledge on http://, refuse an https:// server "
                           "that does not choose it (default: HTTP/2 over TLS when offered).")},
    });
    parser.addOptions(tlsTrustOptions());
    const auto usage = [](const QString &message) {
        writeLine(stderr,
            QStringLiteral("pushboard tail: %1 (see pushboard tail --help)").arg(message).toUtf8());
        return 2;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        writeLine(stdout, helpText(parser, QStringLiteral("pushboard tail")).toUtf8());
        return 0;
    }
    const QStringList positional = parser.positionalArguments().mid(1); // after "tail"
    if (positional.size() != 1)
        return usage(
            positional.isEmpty() ? QStringLiteral("no URL given") : QStringLiteral("one URL only"));
    const QUrl url(positional.constFirst(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    const bool web = scheme == QLatin1String("ws") || scheme == QLatin1String("wss");
    if (!url.isValid() || url.host().isEmpty()
        || (!web && scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return usage(QStringLiteral("'%1' is not an http(s):// or ws(s):// URL")
                         .arg(positional.constFirst()));

    StreamClient::Options options;
    options.url = url;
    options.transport = StreamClient::transportFor(url);
    if (parser.isSet(QStringLiteral("transport"))) {
        const QString transport = parser.value(QStringLiteral("transport"));
        const bool ok = (transport == QLatin1String("ws")) == web
            && (transport == QLatin1String("sse") || transport == QLatin1String("ws")
                || transport == QLatin1String("poll") || transport == QLatin1String("longpoll"));
        if (!ok)
            return usage(
                QStringLiteral("--transport %1 does not fit %2").arg(transport, url.scheme()));
        options.transport = transport == QLatin1String("poll") ? StreamClient::Transport::Poll
            : transport == QLatin1String("longpoll")           ? StreamClient::Transport::LongPoll
            : transport == QLatin1String("ws")                 ? StreamClient::Transport::WebSocket
                                                               : StreamClient::Transport::Sse;
    }
    QString error;
    const auto topics = parseTopicList(parser.value(QStringLiteral("topics")), &error);
    if (!topics)
        return usage(error);
    options.topics = *topics;
    options.token = parser.value(QStringLiteral("token"));
    const auto tls = tlsTrust(parser, &error);
    if (!tls)
        return usage(error);
    options.tls = *tls;
    options.http2 = parser.isSet(QStringLiteral("http2"));
    if (options.http2 && options.transport == StreamClient::Transport::WebSocket)
        return usage(QStringLiteral("--http2 is for http(s):// streams: WebSocket runs on "
                                    "HTTP/1.1"));
    options.lastEventId = parser.value(QStringLiteral("last-event-id"));
    options.reconnect = !parser.isSet(QStringLiteral("no-reconnect"));
    qint64 maxEvents = -1;
    if (parser.isSet(QStringLiteral("max-events"))) {
        bool ok = false;
        maxEvents = parser.value(QStringLiteral("max-events")).toLongLong(&ok);
        if (!ok || maxEvents < 1)
            return usage(QStringLiteral("--max-events takes a whole number of at least 1"));
    }
    double durationS = -1;
    if (parser.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        durationS = parser.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || durationS <= 0 || durationS > 365 * 24 * 3600)
            return usage(QStringLiteral("--duration takes a positive number of seconds"));
    }

    StreamClient client;
    int exitCode = 0;
    qint64 printed = 0;
    bool everOpen = false;
    QObject::connect(&client, &StreamClient::message, &client, [&](const SseMessage &message) {
        writeLine(stdout,
            "{\"type\":" + jsonString(message.type) + ",\"data\":" + jsonString(message.data)
                + ",\"lastEventId\":" + jsonString(message.lastEventId) + '}');
        if (maxEvents > 0 && ++printed >= maxEvents) {
            client.stop();
            QCoreApplication::exit(0);
        }
    });
    QObject::connect(&client, &StreamClient::stateChanged, &client,
        [&](StreamClient::State state, qint64 delayMs, const QString &reason) {
            QByteArray line = "{\"state\":" + jsonString(StreamClient::stateName(state));
            if (state == StreamClient::State::Reconnecting)
                line += ",\"delayMs\":" + QByteArray::number(delayMs);
            if (state == StreamClient::State::Open)
                line += ",\"protocol\":" + jsonString(client.protocol());
            if (!client.lastEventId().isEmpty())
                line += ",\"lastEventId\":" + jsonString(client.lastEventId());
            if (!reason.isEmpty())
                line += ",\"reason\":" + jsonString(reason);
            writeLine(stderr, line + '}');
            if (state == StreamClient::State::Open)
                everOpen = true;
            if (state == StreamClient::State::Error) {
                exitCode = 1;
                QCoreApplication::exit(1);
            } else if (state == StreamClient::State::Closed && reason != QLatin1String("stopped")) {
                exitCode = everOpen
                    ? 0
                    : 1; // --no-reconnect: an ended stream is fine, a refused one is not
                QCoreApplication::exit(exitCode);
            }
        });
    if (durationS > 0)
        QTimer::singleShot(qint64(durationS * 1000), &client, [&] {
            client.stop();
            QCoreApplication::exit(0);
        });
    quitOnTerminationSignals(QCoreApplication::instance());
    client.start(options);
    const int code = QCoreApplication::exec();
    // Let the network stack finish what it deferred (Qt's HTTP/2 client deletes its connection
    // later): nothing is left allocated at exit.
    client.stop();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return code;
}

} // namespace Pushboard::Cli
