#include "wscheck.h"

#include "protocol/wshandshake.h"
#include "protocol/wsreader.h"
#include "serverframereader.h"

#include <QRandomGenerator>

namespace Pushboard {

namespace {

using Verdict = CheckItem::Verdict;

constexpr qint64 AnswerMs = 5000; ///< For a pong, or the server's Close.
constexpr qint64 SizeAnswerMs = 10000;
constexpr qint64 Sizes[] = {1024, 64 * 1024 - 512, 1024 * 1024, 16 * 1024 * 1024};

QString sizeText(qint64 bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 0);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    return QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

struct WsCheck::Link
{
    explicit Link(const QElapsedTimer &clock)
        : connection(clock)
    { }

    ProbeConnection connection;
    QByteArray key;
    bool upgraded = false;
    std::optional<PerMessageDeflateParams> deflate;
    std::unique_ptr<ServerFrameReader> reader; ///< Once upgraded.
    QList<qint64> serverPings;
    QList<std::pair<QByteArray, qint64>> pongs;
    bool closeReceived = false;
    std::optional<quint16> closeCode; ///< Nothing: a Close without a code.
    QString closeReason;
    qint64 closeAtMs = -1;
    bool ended = false;
    qint64 endedAtMs = -1;
    QString endError;
};

QByteArray WsCheck::clientFrame(quint8 opcode, QByteArrayView payload)
{
    QByteArray frame;
    frame.reserve(payload.size() + 14);
    frame.append(char(0x80 | opcode));
    const quint64 length = quint64(payload.size());
    if (length < 126) {
        frame.append(char(0x80 | length));
    } else if (length <= 0xffff) {
        frame.append(char(0x80 | 126));
        frame.append(char(length >> 8));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((length >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(key, 4);
    const qsizetype start = frame.size();
    frame.append(payload.data(), payload.size());
    char *data = frame.data() + start;
    for (qsizetype i = 0; i < payload.size(); ++i)
        data[i] = char(data[i] ^ key[i % 4]);
    return frame;
}

WsCheck::WsCheck(const CheckOptions &options, QObject *parent)
    : EndpointCheck(options, QStringLiteral("websocket"), parent)
{
    const bool tls = options.url.scheme() == QLatin1String("wss");
    m_origin = (tls ? QByteArrayLiteral("https://") : QByteArrayLiteral("http://"))
        + options.url.host(QUrl::FullyEncoded).toLatin1();
    if (options.url.port() != -1)
        m_origin += ':' + QByteArray::number(options.url.port());
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &WsCheck::advance);
}

WsCheck::~WsCheck() = default;

std::unique_ptr<WsCheck::Link> WsCheck::openLink(const QByteArray &origin)
{
    auto link = std::make_unique<Link>(m_clock);
    Link *raw = link.get();
    QByteArray nonce(16, Qt::Uninitialized);
    for (char &byte : nonce)
        byte = char(QRandomGenerator::global()->bounded(256));
    raw->key = nonce.toBase64();
    ProbeConnection::Request request = baseRequest();
    request.alpn = {QByteArrayLiteral("http/1.1")};
    request.addHeader("Upgrade", "websocket");
    request.addHeader("Connection", "Upgrade");
    request.addHeader("Sec-WebSocket-Key", raw->key);
    request.addHeader("Sec-WebSocket-Version", "13");
    request.addHeader("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
    request.addHeader("Origin", origin);
    connect(&raw->connection, &ProbeConnection::headReceived, this, [raw] {
        const HttpHead &head = raw->connection.head();
        raw->upgraded = head.status == 101;
        raw->deflate
            = PerMessageDeflateParams::fromResponse(head.value("Sec-WebSocket-Extensions"));
        raw->reader = std::make_unique<ServerFrameReader>(raw->deflate);
    });
    connect(&raw->connection, &ProbeConnection::upgradedReceived, this,
        [this, raw](const QByteArray &bytes, qint64 atMs) { onUpgraded(*raw, bytes, atMs); });
    connect(&raw->connection, &ProbeConnection::finished, this,
        [this, raw](const QString &error, bool) {
            raw->ended = true;
            raw->endedAtMs = m_clock.elapsed();
            raw->endError = error;
            QMetaObject::invokeMethod(this, &WsCheck::advance, Qt::QueuedConnection);
        });
    raw->connection.start(request);
    return link;
}

void WsCheck::start()
{
    m_main = openLink(m_origin);
    m_foreign = openLink(m_options.foreignOrigin.toUtf8());
    m_tick.start();
}

bool WsCheck::hasAnswered() const
{
    return m_main && m_main->connection.hasHead();
}

void WsCheck::stop()
{
    m_stopped = true;
    for (Link *link : {m_main.get(), m_foreign.get(), m_sizes.get()}) {
        if (link && !link->ended) {
            link->connection.abort();
            link->ended = true;
            link->endedAtMs = m_clock.elapsed();
        }
    }
    conclude();
}

void WsCheck::onUpgraded(Link &link, const QByteArray &bytes, qint64 atMs)
{
    if (!link.reader)
        return;
    const QList<ServerFrameReader::Item> items = link.reader->feed(bytes);
    for (const ServerFrameReader::Item &item : items) {
        switch (item.kind) {
        case ServerFrameReader::Item::Kind::Ping:
            link.serverPings.append(atMs);
            link.connection.send(clientFrame(WsFrame::Pong, item.payload));
            break;
        case ServerFrameReader::Item::Kind::Pong:
            link.pongs.append({item.payload, atMs});
            break;
        case ServerFrameReader::Item::Kind::Close:
            link.closeReceived = true;
            link.closeAtMs = atMs;
            link.closeCode = item.code;
            link.closeReason = item.reason;
            // Echo it, unless this is the answer to our own Close (7.1.1: the server closes TCP).
            if (m_closeSentAtMs < 0 || &link != m_main.get())
                link.connection.send(clientFrame(WsFrame::Close, item.payload.left(2)));
            break;
        case ServerFrameReader::Item::Kind::Message:
            break;
        }
    }
    if (link.reader->isBroken() && !link.ended) {
        link.connection.abort();
        link.ended = true;
        link.endedAtMs = atMs;
        link.endError = QStringLiteral("an unreadable frame");
    }
}

void WsCheck::advance()
{
    if (m_concluded)
        return;
    const qint64 now = m_clock.elapsed();
    Link &main = *m_main;
    if (main.ended && !main.connection.hasHead()) {
        stop();
        return;
    }
    // The foreign Origin's answer is all that matters.
    if (m_foreign && !m_foreign->ended && m_foreign->connection.hasHead()) {
        if (m_foreign->upgraded)
            m_foreign->connection.send(
                clientFrame(WsFrame::Close, WsFrame::closePayload(1000, {})));
        m_foreign->connection.abort();
        m_foreign->ended = true;
        m_foreign->endedAtMs = now;
    }

    if (main.upgraded && !main.ended) {
        const qint64 since = now - main.connection.headAtMs();
        if (m_pingSentAtMs < 0 && since >= 1000) {
            m_pingPayload = QByteArrayLiteral("pushboard-check ")
                + QByteArray::number(QRandomGenerator::global()->generate());
            main.connection.send(clientFrame(WsFrame::Ping, m_pingPayload));
            m_pingSentAtMs = now;
        }
        if (m_pongAtMs < 0) {
            for (const auto &[payload, at] : main.pongs) {
                if (payload == m_pingPayload)
                    m_pongAtMs = at;
            }
        }
        if (m_closeSentAtMs < 0 && now >= observeMs() && !main.closeReceived) {
            main.connection.send(clientFrame(
                WsFrame::Close, WsFrame::closePayload(1000, QStringLiteral("check done"))));
            m_closeSentAtMs = now;
        }
        // After a Close each way the server closes TCP (7.1.1); do not wait for ever.
        const bool closedBothWays
            = m_closeSentAtMs >= 0 && main.closeReceived && now - main.closeAtMs >= 2000;
        if (closedBothWays || (m_closeSentAtMs >= 0 && now - m_closeSentAtMs >= AnswerMs + 2000)) {
            main.connection.abort();
            main.ended = true;
            main.endedAtMs = now;
        }
        if (main.closeReceived && m_closeSentAtMs < 0 && now - main.closeAtMs >= 2000) {
            main.connection.abort();
            main.ended = true;
            main.endedAtMs = now;
        }
    }
    if (main.upgraded && !m_sizes
        && main.connection.head().value("Sec-WebSocket-Accept") == webSocketAccept(main.key))
        m_sizes = openLink(m_origin);
    advanceSizes(now);

    const bool sizesDone = !m_sizes || m_sizesDone;
    const bool foreignDone = !m_foreign || m_foreign->ended;
    if (main.ended && sizesDone && foreignDone)
        conclude();
    else if (main.ended && !main.upgraded && foreignDone)
        conclude();
}

void WsCheck::advanceSizes(qint64 now)
{
    if (!m_sizes || m_sizesDone)
        return;
    Link &link = *m_sizes;
    if (!link.upgraded) {
        if (link.connection.hasHead() || link.ended) {
            link.connection.abort();
            link.ended = true;
            m_sizesDone = true;
        }
        return;
    }
    const auto pinged = [&link](int step) {
        const QByteArray payload = "size-" + QByteArray::number(step);
        return std::any_of(link.pongs.cbegin(), link.pongs.cend(),
            [&payload](const auto &pong) { return pong.first == payload; });
    };
    const auto finishSizes = [this, &link, now] {
        if (!link.ended && !link.closeReceived)
            link.connection.send(clientFrame(WsFrame::Close, WsFrame::closePayload(1000, {})));
        link.connection.abort();
        link.ended = true;
        link.endedAtMs = now;
        m_sizesDone = true;
    };
    if (m_sizeStep >= 0) {
        if (pinged(m_sizeStep)) {
            m_largestAccepted = Sizes[m_sizeStep];
        } else if (link.closeReceived || link.ended) {
            m_sizeRefusal = link.closeReceived
                ? QStringLiteral("closed with %1%2")
                      .arg(link.closeCode ? QString::number(*link.closeCode)
                                          : QStringLiteral("no code"),
                          link.closeReason.isEmpty()
                              ? QString()
                              : QStringLiteral(" '%1'").arg(link.closeReason.left(60)))
                : QStringLiteral("the connection dropped without a Close frame");
            return finishSizes();
        } else if (now - m_sizeSentAtMs >= SizeAnswerMs) {
            m_sizeRefusal = QStringLiteral("no pong within %1").arg(formatDuration(SizeAnswerMs));
            return finishSizes();
        } else {
            return;
        }
        if (m_sizeStep + 1 >= int(std::size(Sizes)))
            return finishSizes();
    }
    ++m_sizeStep;
    const qint64 size = Sizes[m_sizeStep];
    QByteArray message = "{\"pushboard-check\":\"";
    message += QByteArray(size - message.size() - 2, 'x');
    message += "\"}";
    link.connection.send(clientFrame(WsFrame::Text, message));
    link.connection.send(
        clientFrame(WsFrame::Ping, QByteArray("size-" + QByteArray::number(m_sizeStep))));
    m_sizeSentAtMs = now;
}

void WsCheck::conclude()
{
    if (m_concluded)
        return;
    m_concluded = true;
    m_tick.stop();
    if (!m_main->connection.hasHead()) {
        add(QStringLiteral("ws.reach"), QStringLiteral("Reachable"), Verdict::Fail,
            m_main->endError.isEmpty() ? QStringLiteral("stopped before the server answered")
                                       : m_main->endError,
            QStringLiteral("Nothing else can be checked without an answer."));
        finishReport(false);
        return;
    }
    judgeHandshake();
    judgeMain();
    judgeSizes();
    finishReport(true);
}

void WsCheck::judgeHandshake()
{
    const Link &main = *m_main;
    const HttpHead &head = main.connection.head();
    QStringList problems;
    if (head.status != 101)
        problems.append(QStringLiteral("status %1, not 101").arg(head.status));
    if (head.status == 101) {
        if (!head.hasToken("Upgrade", "websocket"))
            problems.append(
                QStringLiteral("Upgrade: '%1'").arg(QString::fromLatin1(head.value("Upgrade"))));
        if (!head.hasToken("Connection", "upgrade"))
            problems.append(QStringLiteral("Connection: '%1'")
                                .arg(QString::fromLatin1(head.value("Connection"))));
        if (head.value("Sec-WebSocket-Accept") != webSocketAccept(main.key))
            problems.append(
                QStringLiteral("Sec-WebSocket-Accept '%1', expected '%2'")
                    .arg(QString::fromLatin1(head.value("Sec-WebSocket-Accept").left(60)),
                        QString::fromLatin1(webSocketAccept(main.key))));
    }
    add(QStringLiteral("ws.handshake"), QStringLiteral("Handshake"),
        problems.isEmpty() ? Verdict::Pass : Verdict::Fail,
        problems.isEmpty()
            ? QStringLiteral("%1; accept key matches").arg(QString::fromLatin1(head.startLine()))
            : QString::fromLatin1(head.startLine()) + QStringLiteral(": ")
                + problems.join(QStringLiteral("; ")),
        QStringLiteral("A client must fail the connection unless the 101 answer has these exactly "
                       "(RFC 6455 4.1)."));

    const QByteArray protocol = head.value("Sec-WebSocket-Protocol");
    add(QStringLiteral("ws.subprotocol"), QStringLiteral("Subprotocol"),
        head.status != 101 ? Verdict::Skip : (protocol.isEmpty() ? Verdict::Pass : Verdict::Fail),
        protocol.isEmpty() ? QStringLiteral("none offered, none chosen")
                           : QStringLiteral("chose '%1', which was not offered")
                                 .arg(QString::fromLatin1(protocol.left(60))),
        QStringLiteral("A server may only choose a subprotocol the client offered; a client fails "
                       "the connection otherwise (4.1)."));

    const QByteArray extensions = head.value("Sec-WebSocket-Extensions");
    Verdict extensionVerdict = Verdict::Pass;
    QString extensionEvidence;
    if (head.status != 101) {
        extensionVerdict = Verdict::Skip;
    } else if (extensions.isEmpty()) {
        extensionEvidence = QStringLiteral("none accepted (permessage-deflate was offered)");
    } else {
        QStringList others;
        for (const QByteArray &extension : extensions.split(',')) {
            const QByteArray name = extension.split(';').first().trimmed();
            if (name != "permessage-deflate")
                others.append(QString::fromLatin1(name.left(40)));
        }
        if (!others.isEmpty() || !main.deflate) {
            extensionVerdict = Verdict::Fail;
            extensionEvidence = QStringLiteral("'%1': not what was offered")
                                    .arg(QString::fromLatin1(extensions.left(120)));
        } else {
            extensionEvidence
                = QStringLiteral("'%1'").arg(QString::fromLatin1(extensions.left(120)));
        }
    }
    add(QStringLiteral("ws.extensions"), QStringLiteral("Extensions"), extensionVerdict,
        extensionEvidence,
        QStringLiteral("An extension the client did not offer, or parameters it cannot use, fail "
                       "the connection (9.1, RFC 7692)."));
}

void WsCheck::judgeMain()
{
    const Link &main = *m_main;
    const bool open = main.upgraded;
    const QString notOpen = QStringLiteral("the WebSocket did not open");
    const qint64 lifetime
        = (main.endedAtMs >= 0 ? main.endedAtMs : m_clock.elapsed()) - main.connection.headAtMs();

    QStringList broken;
    const ServerFrameReader *reader = main.reader.get();
    if (reader) {
        for (const ServerFrameReader::Violation &violation : reader->violations())
            broken.append(QStringLiteral("%1 (%2 times; first %3)")
                              .arg(violation.rule)
                              .arg(violation.count)
                              .arg(violation.firstFrame));
    }
    add(QStringLiteral("ws.frames"), QStringLiteral("Server frames"),
        !open || !reader ? Verdict::Skip : (broken.isEmpty() ? Verdict::Pass : Verdict::Fail),
        !open || !reader       ? notOpen
            : broken.isEmpty() ? QStringLiteral("%1 frames, %2 messages, all as RFC 6455 says")
                                     .arg(reader->frames())
                                     .arg(reader->messages())
                               : QStringLiteral("%1 frames; %2")
                                     .arg(reader->frames())
                                     .arg(broken.join(QStringLiteral("; "))),
        QStringLiteral("Browsers close the connection (1002) on the first such frame; other "
                       "clients may misread it."));

    QList<qint64> gaps;
    for (qsizetype i = 1; i < main.serverPings.size(); ++i)
        gaps.append(main.serverPings.at(i) - main.serverPings.at(i - 1));
    std::sort(gaps.begin(), gaps.end());
    add(QStringLiteral("ws.server-pings"), QStringLiteral("Server pings"),
        !open || (m_stopped && main.serverPings.isEmpty())
            ? Verdict::Skip
            : (main.serverPings.isEmpty() ? Verdict::Warn : Verdict::Pass),
        !open
            ? notOpen
            : (main.serverPings.isEmpty()
                    ? QStringLiteral("no ping in %1").arg(formatDuration(lifetime))
                    : QStringLiteral("%1 pings in %2%3, each answered")
                          .arg(main.serverPings.size())
                          .arg(formatDuration(lifetime),
                              gaps.isEmpty() ? QString()
                                             : QStringLiteral(", every %1 (median)")
                                                   .arg(formatDuration(gaps.at(gaps.size() / 2))))),
        QStringLiteral("Without pings a server never learns that a client is gone, and idle "
                       "proxies close a silent connection."));

    Verdict pingVerdict = Verdict::Pass;
    QString pingEvidence;
    if (!open) {
        pingVerdict = Verdict::Skip;
        pingEvidence = notOpen;
    } else if (m_pingSentAtMs < 0) {
        pingVerdict = Verdict::Skip;
        pingEvidence = QStringLiteral("the connection closed before the ping");
    } else if (m_pongAtMs < 0) {
        pingVerdict = Verdict::Fail;
        pingEvidence = QStringLiteral("no pong with the ping's payload (%1 pongs in all)")
                           .arg(main.pongs.size());
    } else {
        pingEvidence = QStringLiteral("pong with the same payload after %1")
                           .arg(formatDuration(m_pongAtMs - m_pingSentAtMs));
    }
    add(QStringLiteral("ws.client-ping"), QStringLiteral("Answers a ping"), pingVerdict,
        pingEvidence,
        QStringLiteral("A ping MUST be answered with a pong carrying its payload (5.5.2); "
                       "clients use it to find dead connections."));

    Verdict idle = Verdict::Pass;
    QString idleEvidence;
    const qint64 idleMs = qint64(m_options.idleS) * 1000;
    const bool serverClosedFirst = main.closeReceived
        ? m_closeSentAtMs < 0 || main.closeAtMs < m_closeSentAtMs
        : m_closeSentAtMs < 0 && !m_stopped;
    const bool stoppedEarly = m_stopped && m_closeSentAtMs < 0 && !main.closeReceived;
    const qint64 openUntil = serverClosedFirst
        ? (main.closeReceived ? main.closeAtMs : main.endedAtMs)
        : (m_closeSentAtMs >= 0 ? m_closeSentAtMs : main.endedAtMs);
    const qint64 openFor = openUntil - main.connection.headAtMs();
    const QString serverClose = main.closeReceived
        ? QStringLiteral("code %1").arg(
            main.closeCode ? QString::number(*main.closeCode) : QStringLiteral("none"))
        : (main.endError.isEmpty() ? QStringLiteral("no Close frame") : main.endError);
    if (m_options.idleS <= 0) {
        idle = Verdict::Skip;
        idleEvidence = QStringLiteral("--idle 0");
    } else if (!open) {
        idle = Verdict::Skip;
        idleEvidence = notOpen;
    } else if (stoppedEarly) {
        idle = Verdict::Skip;
        idleEvidence
            = QStringLiteral("the check was stopped after %1").arg(formatDuration(lifetime));
    } else if (openFor >= idleMs) {
        // It outlived the time-out: whatever closed it then, it was not idleness.
        idleEvidence = QStringLiteral("open for %1").arg(formatDuration(openFor));
        if (serverClosedFirst)
            idleEvidence += QStringLiteral(", then the server closed it (%1)").arg(serverClose);
    } else {
        idle = Verdict::Fail;
        idleEvidence = QStringLiteral("the server closed it after %1 (%2)")
                           .arg(formatDuration(openFor), serverClose);
    }
    add(QStringLiteral("ws.idle"), QStringLiteral("Idle survival"), idle, idleEvidence,
        QStringLiteral("Every close costs a reconnect, and messages sent meanwhile are lost "
                       "unless the application replays them."));

    Verdict close = Verdict::Pass;
    QString closeEvidence;
    const QString code
        = main.closeCode ? QString::number(*main.closeCode) : QStringLiteral("no code");
    if (!open) {
        close = Verdict::Skip;
        closeEvidence = notOpen;
    } else if (stoppedEarly) {
        close = Verdict::Skip;
        closeEvidence = QStringLiteral("the check was stopped before its Close");
    } else if (m_closeSentAtMs >= 0) {
        if (!main.closeReceived) {
            close = Verdict::Fail;
            closeEvidence
                = QStringLiteral("sent Close 1000; %1")
                      .arg(main.ended && main.endedAtMs - m_closeSentAtMs < AnswerMs + 2000
                              ? QStringLiteral(
                                  "the server dropped the connection without a Close frame")
                              : QStringLiteral("no Close frame in %1")
                                    .arg(formatDuration(AnswerMs)));
        } else {
            closeEvidence = QStringLiteral("sent Close 1000; the server answered Close %1 after %2")
                                .arg(code, formatDuration(main.closeAtMs - m_closeSentAtMs));
            if (main.closeCode && !WsReader::isValidCloseCode(*main.closeCode))
                close = Verdict::Fail;
        }
    } else if (main.closeReceived) {
        closeEvidence = QStringLiteral("the server closed first with %1").arg(code);
        if (main.closeCode && !WsReader::isValidCloseCode(*main.closeCode))
            close = Verdict::Fail;
    } else {
        close = Verdict::Fail;
        closeEvidence
            = QStringLiteral("the connection ended without a Close frame (%1)")
                  .arg(main.endError.isEmpty() ? QStringLiteral("TCP closed") : main.endError);
    }
    add(QStringLiteral("ws.close"), QStringLiteral("Clean close"), close, closeEvidence,
        QStringLiteral("A Close answered with a valid code tells both sides nothing was cut off; "
                       "a dropped TCP connection reads as 1006."));

    const Link &foreign = *m_foreign;
    Verdict originVerdict = Verdict::Pass;
    QString originEvidence;
    if (!foreign.connection.hasHead()) {
        originVerdict = Verdict::Skip;
        originEvidence = QStringLiteral("no answer: %1").arg(foreign.endError);
    } else if (foreign.upgraded) {
        originVerdict = Verdict::Warn;
        originEvidence
            = QStringLiteral("Origin %1 was accepted (101)").arg(m_options.foreignOrigin);
    } else {
        originEvidence = QStringLiteral("Origin %1: %2")
                             .arg(m_options.foreignOrigin,
                                 QString::fromLatin1(foreign.connection.head().startLine()));
    }
    add(QStringLiteral("ws.origin"), QStringLiteral("Foreign Origin"), originVerdict,
        originEvidence,
        QStringLiteral("Browsers send cookies with a WebSocket from any page: a server that "
                       "accepts any Origin is open to cross-site WebSocket hijacking."));
}

void WsCheck::judgeSizes()
{
    Verdict verdict = Verdict::Pass;
    QString evidence;
    if (!m_sizes || m_sizeStep < 0) {
        verdict = Verdict::Skip;
        evidence = QStringLiteral("the handshake did not succeed");
    } else if (m_sizeRefusal.isEmpty()) {
        verdict = m_sizeStep + 1 >= int(std::size(Sizes)) ? Verdict::Warn : Verdict::Skip;
        evidence = QStringLiteral("accepted every size up to %1").arg(sizeText(m_largestAccepted));
    } else {
        const bool told = m_sizeRefusal.startsWith(QLatin1String("closed with 1009"))
            || m_sizeRefusal.startsWith(QLatin1String("closed with 1008"));
        verdict = told ? Verdict::Pass : Verdict::Warn;
        evidence = m_largestAccepted
            ? QStringLiteral("largest accepted %1; %2: %3")
                  .arg(sizeText(m_largestAccepted), sizeText(Sizes[m_sizeStep]), m_sizeRefusal)
            : QStringLiteral("refuses client messages: the first (%1) %2")
                  .arg(sizeText(Sizes[m_sizeStep]), m_sizeRefusal);
    }
    add(QStringLiteral("ws.max-message"), QStringLiteral("Largest message"), verdict, evidence,
        QStringLiteral("A server without a limit holds whatever a client sends; one with a limit "
                       "says so with 1009 (Message Too Big), not a dropped connection."));
}

} // namespace Pushboard
