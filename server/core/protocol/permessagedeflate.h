#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

namespace Pushboard {

/// The parameters of the permessage-deflate extension (RFC 7692) a server accepted, read from
/// its `Sec-WebSocket-Extensions` response header.
struct PerMessageDeflateParams
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 15;
    int clientMaxWindowBits = 15;

    /// The accepted parameters, or nothing when the header does not accept permessage-deflate.
    [[nodiscard]] static std::optional<PerMessageDeflateParams> fromResponse(QByteArrayView header);
};

/// Inflates the messages of one direction of a permessage-deflate connection (RFC 7692 7.2.2):
/// a message's payload, with 0x00 0x00 0xff 0xff appended, through a raw DEFLATE stream (zlib)
/// that keeps its window from message to message unless the sender said no context takeover.
/// Output is bounded (a small message may inflate to gigabytes): past `maxOutput` the message
/// is an error.
class MessageInflater
{
public:
    MessageInflater(bool noContextTakeover, qsizetype maxOutput);
    ~MessageInflater();
    MessageInflater(const MessageInflater &) = delete;
    MessageInflater &operator=(const MessageInflater &) = delete;

    /// The inflated message, or false with errorString() (the stream is unusable afterwards).
    bool inflate(QByteArrayView compressed, QByteArray &out);
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    bool m_noContextTakeover;
    qsizetype m_maxOutput;
    bool m_failed = false;
    QString m_error;
};

} // namespace Pushboard
