#include "serverframereader.h"

#include "protocol/utf8.h"
#include "protocol/wsreader.h"

namespace Pushboard {

namespace {

QString frameText(qint64 number, const WsFrame &frame)
{
    return QStringLiteral("frame %1: opcode 0x%2, FIN %3, RSV %4%5%6, MASK %7, length %8")
        .arg(number)
        .arg(frame.opcode, 0, 16)
        .arg(int(frame.fin))
        .arg(int(frame.rsv1))
        .arg(int(frame.rsv2))
        .arg(int(frame.rsv3))
        .arg(int(frame.masked))
        .arg(frame.length);
}

} // namespace

ServerFrameReader::ServerFrameReader(std::optional<PerMessageDeflateParams> deflate)
    : m_deflate(deflate)
{
    if (m_deflate)
        m_inflater = std::make_unique<MessageInflater>(
            m_deflate->serverNoContextTakeover, MaxMessageBytes);
}

ServerFrameReader::~ServerFrameReader() = default;

int ServerFrameReader::violationCount() const
{
    int count = 0;
    for (const Violation &violation : m_violations)
        count += violation.count;
    return count;
}

void ServerFrameReader::violation(const WsFrame &frame, const QString &rule)
{
    for (Violation &known : m_violations) {
        if (known.rule == rule) {
            ++known.count;
            return;
        }
    }
    if (m_violations.size() < 16)
        m_violations.append({rule, 1, frameText(m_frames, frame)});
}

QList<ServerFrameReader::Item> ServerFrameReader::feed(QByteArrayView bytes)
{
    QList<Item> out;
    if (m_broken)
        return out;
    m_decoder.feed(bytes);
    while (const auto next = m_decoder.next())
        frame(*next, out);
    if (m_decoder.error() != WsFrameDecoder::Error::None) {
        WsFrame header;
        header.length = m_decoder.pendingLength();
        ++m_frames;
        violation(header,
            m_decoder.error() == WsFrameDecoder::Error::TooLarge
                ? QStringLiteral("a frame over %1 MiB, more than any client should hold")
                      .arg(MaxFrameBytes / (1024 * 1024))
                : QStringLiteral("a 64-bit length with its top bit set (5.2)"));
        m_broken = true;
    }
    return out;
}

void ServerFrameReader::frame(const WsFrame &frame, QList<Item> &out)
{
    ++m_frames;
    if (m_closed)
        violation(frame, QStringLiteral("a frame after the server's Close (5.5.1)"));
    if (frame.masked)
        violation(frame, QStringLiteral("masked: a server MUST NOT mask its frames (5.1)"));
    const bool first = !frame.isControl() && frame.opcode != WsFrame::Continuation;
    if (frame.rsv2 || frame.rsv3 || (frame.rsv1 && !(m_deflate && first)))
        violation(frame, QStringLiteral("a reserved bit no negotiated extension defines (5.2)"));
    const quint8 op = frame.opcode;
    if (op != WsFrame::Continuation && op != WsFrame::Text && op != WsFrame::Binary
        && op != WsFrame::Close && op != WsFrame::Ping && op != WsFrame::Pong) {
        violation(frame, QStringLiteral("a reserved opcode (5.2)"));
        return;
    }
    if (frame.isControl() && (!frame.fin || frame.length > 125))
        violation(frame, QStringLiteral("a control frame fragmented or over 125 bytes (5.5)"));

    if (op == WsFrame::Ping || op == WsFrame::Pong) {
        Item item;
        item.kind = op == WsFrame::Ping ? Item::Kind::Ping : Item::Kind::Pong;
        item.payload = frame.payload;
        out.append(item);
        return;
    }
    if (op == WsFrame::Close) {
        if (m_closed)
            return;
        m_closed = true;
        Item item;
        item.kind = Item::Kind::Close;
        item.payload = frame.payload;
        if (frame.payload.size() == 1) {
            violation(frame, QStringLiteral("a Close payload of one byte (5.5.1)"));
        } else if (frame.payload.size() >= 2) {
            const quint16 code
                = quint16((quint8(frame.payload.at(0)) << 8) | quint8(frame.payload.at(1)));
            item.code = code;
            const QByteArrayView reason = QByteArrayView(frame.payload).sliced(2);
            item.reason = QString::fromUtf8(reason);
            if (!WsReader::isValidCloseCode(code))
                violation(
                    frame, QStringLiteral("close code %1, which may not be sent (7.4)").arg(code));
            if (!isValidUtf8(reason))
                violation(frame, QStringLiteral("a close reason that is not UTF-8 (5.5.1)"));
        }
        out.append(item);
        return;
    }

    if (op == WsFrame::Continuation) {
        if (!m_inMessage) {
            violation(frame, QStringLiteral("a continuation with no message to continue (5.4)"));
            return;
        }
    } else {
        if (m_inMessage)
            violation(frame, QStringLiteral("a new message inside a fragmented one (5.4)"));
        m_inMessage = true;
        m_messageText = op == WsFrame::Text;
        m_messageCompressed = frame.rsv1 && m_deflate;
        m_message.clear();
    }
    if (m_message.size() + frame.payload.size() > MaxMessageBytes) {
        violation(
            frame, QStringLiteral("a message over %1 MiB").arg(MaxMessageBytes / (1024 * 1024)));
        m_inMessage = false;
        m_message.clear();
        return;
    }
    m_message += frame.payload;
    if (!frame.fin)
        return;
    m_inMessage = false;
    ++m_messages;
    Item item;
    item.text = m_messageText;
    item.payload = std::exchange(m_message, {});
    if (m_messageCompressed) {
        QByteArray inflated;
        if (!m_inflater->inflate(item.payload, inflated)) {
            violation(
                frame, QStringLiteral("a compressed message that does not inflate (RFC 7692)"));
            m_deflate.reset(); // its window is lost: later messages cannot be read either
            return;
        }
        item.payload = inflated;
    }
    if (item.text && !isValidUtf8(item.payload))
        violation(frame, QStringLiteral("a text message that is not UTF-8 (8.1)"));
    out.append(item);
}

} // namespace Pushboard
