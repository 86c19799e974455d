#pragma once

#include <QByteArrayView>
#include <QString>

namespace Pushboard {

/// The WHATWG Encoding standard's UTF-8 decoder, incremental: bytes may arrive split anywhere,
/// and every invalid sequence becomes exactly one U+FFFD per "maximal subpart" (so `E2 82 0A` is
/// U+FFFD and a line feed, as in every browser). Qt 6.4's QStringDecoder differs on truncated
/// sequences, which is why the SSE parser and the WebSocket text checks use this one.
class Utf8Decoder
{
public:
    /// Appends the characters that `bytes` complete to `out`. A sequence cut at the end of
    /// `bytes` waits for the next call.
    void decode(QByteArrayView bytes, QString &out);
    /// The stream has ended: a sequence still incomplete becomes U+FFFD.
    void finish(QString &out);
    /// Forgets an incomplete sequence (a new stream starts).
    void reset() { *this = Utf8Decoder(); }

    /// True when at least one U+FFFD was produced for invalid input since the last reset().
    [[nodiscard]] bool hadErrors() const { return m_errors; }

private:
    char32_t m_codePoint = 0;
    int m_needed = 0;
    int m_seen = 0;
    uchar m_lower = 0x80;
    uchar m_upper = 0xbf;
    bool m_errors = false;
};

/// True when `bytes` are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF), as RFC 6455 requires of text messages and close reasons.
[[nodiscard]] bool isValidUtf8(QByteArrayView bytes);

} // namespace Pushboard
