// Arbitrary bytes as an event stream, split where the first byte says: no crash, and the same
// events whatever the split (the parser is incremental).
#include "protocol/sseparser.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const size_t chunk = 1 + data[0] % 16;
    Pushboard::SseParser whole;
    Pushboard::SseParser split;
    const QList<Pushboard::SseMessage> expected = whole.feed(input);
    QList<Pushboard::SseMessage> got;
    for (qsizetype i = 0; i < input.size(); i += qsizetype(chunk))
        got += split.feed(input.sliced(i, std::min<qsizetype>(qsizetype(chunk), input.size() - i)));
    if (got != expected || whole.lastEventId() != split.lastEventId())
        abort();
    return 0;
}
