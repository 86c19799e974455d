// Arbitrary bytes as an event stream, split where the first byte says: no crash, and the same
// events whatever the split (the parser is incremental), also with a small buffer cap (the same
// events before the error, and the same error).
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

    Pushboard::SseParser cappedWhole(64);
    Pushboard::SseParser cappedSplit(64);
    const QList<Pushboard::SseMessage> cappedExpected = cappedWhole.feed(input);
    QList<Pushboard::SseMessage> cappedGot;
    for (qsizetype i = 0; i < input.size(); i += qsizetype(chunk)) {
        cappedGot += cappedSplit.feed(
            input.sliced(i, std::min<qsizetype>(qsizetype(chunk), input.size() - i)));
    }
    if (cappedGot != cappedExpected || cappedWhole.hasFailed() != cappedSplit.hasFailed())
        abort();
    if (!cappedWhole.hasFailed() && cappedExpected != expected)
        abort(); // under the cap, the cap changes nothing
    return 0;
}
