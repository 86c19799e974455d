// Arbitrary bytes as client frames, split where the first byte says: the reader must never crash
// and never return a message over its limit.
#include "protocol/wsreader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 64;
    Pushboard::WsReader reader(1024);
    for (size_t i = 1; i < size; i += chunk) {
        const size_t n = std::min(chunk, size - i);
        reader.feed(QByteArrayView(reinterpret_cast<const char *>(data + i), qsizetype(n)));
        while (const auto item = reader.next()) {
            if (item->payload.size() > 1024)
                abort();
        }
    }
    return 0;
}
