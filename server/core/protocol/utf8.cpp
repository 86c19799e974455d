#include "utf8.h"

namespace Pushboard {

void Utf8Decoder::decode(QByteArrayView bytes, QString &out)
{
    out.reserve(out.size() + bytes.size());
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const uchar byte = uchar(bytes[i]);
        if (m_needed == 0) {
            if (byte < 0x80) {
                out += QLatin1Char(char(byte));
            } else if (byte >= 0xc2 && byte <= 0xdf) {
                m_needed = 1;
                m_codePoint = byte & 0x1f;
            } else if (byte >= 0xe0 && byte <= 0xef) {
                if (byte == 0xe0)
                    m_lower = 0xa0; // no overlong three-byte forms
                if (byte == 0xed)
                    m_upper = 0x9f; // no surrogates
                m_needed = 2;
                m_codePoint = byte & 0x0f;
            } else if (byte >= 0xf0 && byte <= 0xf4) {
                if (byte == 0xf0)
                    m_lower = 0x90; // no overlong four-byte forms
                if (byte == 0xf4)
                    m_upper = 0x8f; // nothing above U+10FFFF
                m_needed = 3;
                m_codePoint = byte & 0x07;
            } else {
                out += QChar::ReplacementCharacter;
                m_errors = true;
            }
            continue;
        }
        if (byte < m_lower || byte > m_upper) {
            // The sequence so far is one maximal subpart: one U+FFFD, and this byte starts anew.
            reset();
            m_errors = true;
            out += QChar::ReplacementCharacter;
            --i;
            continue;
        }
        m_lower = 0x80;
        m_upper = 0xbf;
        m_codePoint = (m_codePoint << 6) | (byte & 0x3f);
        if (++m_seen == m_needed) {
            if (m_codePoint > 0xffff)
                out += QChar::fromUcs4(m_codePoint);
            else
                out += QChar(char16_t(m_codePoint));
            m_codePoint = 0;
            m_needed = 0;
            m_seen = 0;
        }
    }
}

void Utf8Decoder::finish(QString &out)
{
    if (m_needed != 0) {
        out += QChar::ReplacementCharacter;
        m_errors = true;
    }
    const bool errors = m_errors;
    reset();
    m_errors = errors;
}

bool isValidUtf8(QByteArrayView bytes)
{
    // The decoder's rules without building a string.
    qsizetype i = 0;
    while (i < bytes.size()) {
        const uchar lead = uchar(bytes[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        int needed = 0;
        uchar lower = 0x80;
        uchar upper = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            needed = 1;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            needed = 2;
            lower = lead == 0xe0 ? 0xa0 : 0x80;
            upper = lead == 0xed ? 0x9f : 0xbf;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            needed = 3;
            lower = lead == 0xf0 ? 0x90 : 0x80;
            upper = lead == 0xf4 ? 0x8f : 0xbf;
        } else {
            return false;
        }
        if (bytes.size() - i - 1 < needed)
            return false;
        for (int k = 1; k <= needed; ++k) {
            const uchar c = uchar(bytes[i + k]);
            if (c < lower || c > upper)
                return false;
            lower = 0x80;
            upper = 0xbf;
        }
        i += needed + 1;
    }
    return true;
}

} // namespace Pushboard
