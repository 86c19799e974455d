// Arbitrary bytes as a server's answer to `pushboard check`, split where the first byte says:
// the reader must never crash, never hand out more than it may inflate at once, and read
// nothing after an error.
#include "httpanswerreader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 64;
    Pushboard::HttpAnswerReader reader(data[0] & 0x80);
    for (size_t i = 1; i < size; i += chunk) {
        const size_t n = std::min(chunk, size - i);
        const bool failed = reader.hasFailed();
        const auto out
            = reader.feed(QByteArrayView(reinterpret_cast<const char *>(data + i), qsizetype(n)));
        if (out.body.size() > Pushboard::HttpAnswerReader::MaxInflatedBytes + 16 * 1024)
            abort();
        if (failed && (!out.body.isEmpty() || !out.upgraded.isEmpty() || out.headCompleted))
            abort();
    }
    return 0;
}
