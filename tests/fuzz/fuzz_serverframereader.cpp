// Arbitrary bytes as a WebSocket server's frames to `pushboard check`, split where the first
// byte says, with permessage-deflate accepted when its top bit is set: the reader must never
// crash, never return a message over its limit, and read nothing once it is broken.
#include "serverframereader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 64;
    std::optional<Pushboard::PerMessageDeflateParams> deflate;
    if (data[0] & 0x80) {
        deflate = Pushboard::PerMessageDeflateParams {};
        deflate->serverNoContextTakeover = data[0] & 0x40;
    }
    Pushboard::ServerFrameReader reader(deflate);
    for (size_t i = 1; i < size; i += chunk) {
        const size_t n = std::min(chunk, size - i);
        const bool broken = reader.isBroken();
        const auto items
            = reader.feed(QByteArrayView(reinterpret_cast<const char *>(data + i), qsizetype(n)));
        if (broken && !items.isEmpty())
            abort();
        for (const auto &item : items) {
            if (item.payload.size() > Pushboard::ServerFrameReader::MaxMessageBytes)
                abort();
        }
    }
    return 0;
}
