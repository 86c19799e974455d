// Arbitrary bytes as a Host header: no crash, and a malformed value (no host name in it) is
// always the 400, never accepted and never a 421.
#include "hostcheck.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray host(reinterpret_cast<const char *>(data), qsizetype(size));
    static const Pushboard::HostCheck check(
        QHostAddress(QStringLiteral("127.0.0.1")), {QStringLiteral("board.lan")});
    const QByteArray name = Pushboard::HostCheck::hostName(host);
    const auto refusal = check.check(host, QHostAddress(QStringLiteral("127.0.0.1")));
    if (name.isEmpty() != (refusal && refusal->status == 400))
        abort();
    return 0;
}
