#include "permessagedeflate.h"

#include <QList>

#include <optional>
#include <zlib.h>

namespace Pushboard {

std::optional<PerMessageDeflateParams> PerMessageDeflateParams::fromResponse(QByteArrayView header)
{
    // Extensions are comma-separated; parameters follow the name after semicolons (RFC 6455 9.1).
    for (const QByteArray &extension : header.toByteArray().split(',')) {
        const QList<QByteArray> parts = extension.split(';');
        if (parts.constFirst().trimmed().compare("permessage-deflate", Qt::CaseInsensitive) != 0)
            continue;
        PerMessageDeflateParams params;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray part = parts.at(i).trimmed();
            const qsizetype eq = part.indexOf('=');
            const QByteArray name = (eq < 0 ? part : part.first(eq)).trimmed().toLower();
            QByteArray value = eq < 0 ? QByteArray() : part.sliced(eq + 1).trimmed();
            if (value.startsWith('"') && value.endsWith('"') && value.size() >= 2)
                value = value.sliced(1, value.size() - 2);
            const int bits = value.toInt();
            if (name == "server_no_context_takeover")
                params.serverNoContextTakeover = true;
            else if (name == "client_no_context_takeover")
                params.clientNoContextTakeover = true;
            else if (name == "server_max_window_bits" && bits >= 8 && bits <= 15)
                params.serverMaxWindowBits = bits;
            else if (name == "client_max_window_bits" && bits >= 8 && bits <= 15)
                params.clientMaxWindowBits = bits;
        }
        return params;
    }
    return std::nullopt;
}

struct MessageInflater::Stream
{
    z_stream z {};
    bool open = false;
};

MessageInflater::MessageInflater(bool noContextTakeover, qsizetype maxOutput)
    : m_stream(std::make_unique<Stream>())
    , m_noContextTakeover(noContextTakeover)
    , m_maxOutput(maxOutput)
{
    // A window of 2^15 inflates what any smaller window compressed.
    m_stream->open = inflateInit2(&m_stream->z, -MAX_WBITS) == Z_OK;
    if (!m_stream->open) {
        m_failed = true;
        m_error = QStringLiteral("zlib could not start an inflate stream");
    }
}

MessageInflater::~MessageInflater()
{
    if (m_stream->open)
        inflateEnd(&m_stream->z);
}

bool MessageInflater::inflate(QByteArrayView compressed, QByteArray &out)
{
    if (m_failed)
        return false;
    QByteArray input = compressed.toByteArray();
    input.append("\x00\x00\xff\xff", 4);
    z_stream &z = m_stream->z;
    z.next_in = reinterpret_cast<Bytef *>(input.data());
    z.avail_in = uInt(input.size());
    char buffer[16 * 1024];
    while (true) {
        z.next_out = reinterpret_cast<Bytef *>(buffer);
        z.avail_out = sizeof buffer;
        const int rc = ::inflate(&z, Z_SYNC_FLUSH);
        const qsizetype produced = qsizetype(sizeof buffer - z.avail_out);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            m_failed = true;
            m_error = QStringLiteral("the payload is not valid DEFLATE data (%1)")
                          .arg(QString::fromUtf8(z.msg ? z.msg : "zlib error"));
            return false;
        }
        if (out.size() + produced > m_maxOutput) {
            m_failed = true;
            m_error = QStringLiteral("the message inflates to more than %1 bytes").arg(m_maxOutput);
            return false;
        }
        out.append(buffer, produced);
        if (rc == Z_STREAM_END) {
            // A final block (BFINAL) ends this DEFLATE stream; the next message starts a new one.
            inflateReset(&z);
            if (z.avail_in <= 4)
                break;
            continue;
        }
        if (z.avail_in == 0 && z.avail_out != 0)
            break;
        if (rc == Z_BUF_ERROR && z.avail_out != 0)
            break; // No progress possible: the input is used up.
    }
    if (m_noContextTakeover)
        inflateReset(&z);
    return true;
}

} // namespace Pushboard
