// Feeds arbitrary bytes, split where the first byte says, to the request parser: it must never
// crash, never read out of bounds, and never hold more than its limits plus one feed.
#include "protocol/httprequestparser.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = 1 + data[0] % 32;
    Pushboard::HttpRequestParser parser({512, 256});
    for (size_t i = 1; i < size; i += chunk) {
        const size_t n = std::min(chunk, size - i);
        parser.feed(QByteArrayView(reinterpret_cast<const char *>(data + i), qsizetype(n)));
        for (;;) {
            const auto status = parser.parse();
            if (status == Pushboard::HttpRequestParser::Status::Complete) {
                const Pushboard::HttpRequest request = parser.takeRequest();
                if (request.body().size() > 256)
                    abort();
                static_cast<void>(request.url());
                static_cast<void>(request.keepAlive());
                static_cast<void>(request.isWebSocketUpgrade());
                continue;
            }
            break;
        }
        if (parser.bufferedBytes() > 512 + 256 + qsizetype(chunk) + 8192)
            abort();
    }
    return 0;
}
