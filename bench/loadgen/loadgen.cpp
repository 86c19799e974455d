// loadgen: Pushboard's load generator for bench/. One thread, one epoll loop, no dependencies
// beyond the C++17 standard library, Linux, OpenSSL (https://) and libnghttp2 (HTTP/2), so that
// it holds thousands of connections on one core and costs the machine as little as possible next
// to the server it measures.
//
//   loadgen sse  --url http://127.0.0.1:P/events -n N [--pub-url URL --rate R --duration S --body
//   T] loadgen ws   --url ws://127.0.0.1:P/ws -n N --recv-only [--ws-init MSG] [--pub-url ... as
//   sse] loadgen ws   --url ws://127.0.0.1:P/ws -n N --send-rate R --duration S --ws-body T loadgen
//   pub  --pub-url http://127.0.0.1:P/api/publish --rate R --duration S --body T loadgen idle --url
//   http://127.0.0.1:P/events -n N --hold S
//
// Common: --server-pid PID (CPU and memory of the server), --label NAME, --settle S (1),
// --grace S (5), -H 'Name: value' (extra request header, repeatable), --in-flight K (connects
// under way at once, 32; 0: all N at once), --sources K (connect from 127.0.0.1 ... 127.0.0.K
// in turn: each source address has its own ~28,000 ephemeral ports).
//
// pub: --publishers P keep-alive connections share --rate (events/s, open loop), each with one
// request at a time; --batch B sends B events per request as a JSON array. pub.ok counts events,
// pub.resp_us is the time from a request's send to its acknowledgement (every event in it).
//
// https:// URLs speak TLS (any certificate is accepted: a benchmark, on loopback). In sse mode,
// --h2 K carries the N subscribers as K streams per HTTP/2 connection (ALPN h2 over https, prior
// knowledge on http://), N/K connections. --storm-at S (sse with --pub-url) drops every
// subscriber's connection S seconds into publishing and reconnects them all at once, each with
// Last-Event-ID: the figures then say how long the storm took and whether any event was lost.
// --resume-after MS (sse over HTTP/1.1): a subscriber whose connection the server ends (or that
// cannot connect) tries again MS to 2*MS later with Last-Event-ID, as EventSource does, until it
// is back: for a storm after a server restart. "storm" then reports how many came back and the
// time from the first drop until the last of them was streaming again.
//
// Templates substitute {i} (connection index), {seq} (1, 2, ... per sender) and {t} (the wall
// clock in ns when the message is sent). A received event or message counts when its text holds
// "seq":N; "t":N in it gives its latency (publish to delivery, or the round trip of an ack).
// Per connection, a seq above the last one + 1 counts the missing numbers as gaps, a seq not
// above the last one as a duplicate; deliveries count only new seqs. The last line on stdout is
// one JSON object with every figure; a summary goes to stderr.
//
// Bounded by construction: loopback targets only, every phase has a deadline, an alarm ends the
// process if the loop ever hangs, and each buffer is capped.

#include <queue>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <random>
#include <sstream>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace {

// ---- time -------------------------------------------------------------------------------------

double monoS()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t wallNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch())
        .count();
}

[[noreturn]] void die(const std::string &message)
{
    std::fprintf(stderr, "loadgen: %s\n", message.c_str());
    std::exit(2);
}

// ---- options ----------------------------------------------------------------------------------

struct Url
{
    bool valid = false;
    bool ws = false;
    bool tls = false;
    uint32_t address = 0; // network order
    uint16_t port = 0;
    std::string hostHeader;
    std::string path;
};

Url parseUrl(const std::string &text)
{
    Url url;
    std::string rest;
    if (text.rfind("http://", 0) == 0) {
        rest = text.substr(7);
    } else if (text.rfind("https://", 0) == 0) {
        rest = text.substr(8);
        url.tls = true;
    } else if (text.rfind("ws://", 0) == 0) {
        rest = text.substr(5);
        url.ws = true;
    } else {
        return url;
    }
    const size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    url.path = slash == std::string::npos ? "/" : rest.substr(slash);
    const size_t colon = authority.rfind(':');
    if (colon == std::string::npos)
        return url;
    std::string host = authority.substr(0, colon);
    const long port = std::strtol(authority.c_str() + colon + 1, nullptr, 10);
    if (port <= 0 || port > 65535)
        return url;
    if (host == "localhost")
        host = "127.0.0.1";
    in_addr address {};
    if (inet_pton(AF_INET, host.c_str(), &address) != 1)
        return url;
    if ((ntohl(address.s_addr) >> 24) != 127) // loopback only: this tool is for our own bench
        return url;
    url.address = address.s_addr;
    url.port = uint16_t(port);
    url.hostHeader = authority;
    url.valid = true;
    return url;
}

struct Options
{
    std::string mode;
    Url url;
    Url pubUrl;
    int n = 1;
    double rate = 0;
    double duration = 10;
    double hold = 10;
    double sendRate = 0;
    bool recvOnly = false;
    double settle = 1;
    double grace = 5;
    std::string body = R"({"topic":"bench","data":{"seq":{seq},"t":{t}}})";
    std::string wsInit;
    std::string wsBody = R"({"c":{i},"seq":{seq},"t":{t}})";
    std::vector<std::string> headers;
    std::vector<int> serverPids;
    std::string label;
    int h2Streams = 0; ///< Subscribers per HTTP/2 connection; 0: HTTP/1.1, one each.
    double stormAt = 0; ///< Seconds into publishing when every subscriber reconnects; 0: never.
    int inFlight = 32; ///< Connects under way at once; 0: every connection at once.
    int sources = 1; ///< Source addresses 127.0.0.1 ... 127.0.0.K, in turn (ports for 50,000).
    int publishers = 1; ///< Publisher connections, each one request at a time.
    int batch = 1; ///< Events per publish request (a JSON array when above 1).
    double resumeMs = 0; ///< A subscriber the server closes reconnects after this (+ jitter).
};

Options parseOptions(int argc, char **argv)
{
    if (argc < 2)
        die("usage: loadgen sse|ws|pub|idle [options] (see the comment at the top of loadgen.cpp)");
    Options o;
    o.mode = argv[1];
    if (o.mode != "sse" && o.mode != "ws" && o.mode != "pub" && o.mode != "idle")
        die("unknown mode '" + o.mode + "': sse, ws, pub or idle");
    for (int i = 2; i < argc; ++i) {
        const std::string name = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                die(name + " needs a value");
            return argv[++i];
        };
        const auto number = [&](double min, double max) {
            const std::string text = value();
            char *end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end || v < min || v > max)
                die(name + " takes a number from " + std::to_string(min) + " to "
                    + std::to_string(max) + ", not '" + text + "'");
            return v;
        };
        if (name == "--url") {
            o.url = parseUrl(value());
            if (!o.url.valid)
                die("--url must be http(s):// or ws:// on 127.0.0.0/8 or localhost, with a port");
        } else if (name == "--pub-url") {
            o.pubUrl = parseUrl(value());
            if (!o.pubUrl.valid || o.pubUrl.ws)
                die("--pub-url must be http(s):// on 127.0.0.0/8 or localhost, with a port");
        } else if (name == "-n") {
            o.n = int(number(1, 60000));
        } else if (name == "--rate") {
            o.rate = number(0, 1e6);
        } else if (name == "--duration") {
            o.duration = number(0.1, 3600);
        } else if (name == "--hold") {
            o.hold = number(0.1, 3600);
        } else if (name == "--send-rate") {
            o.sendRate = number(0.01, 1e5);
        } else if (name == "--recv-only") {
            o.recvOnly = true;
        } else if (name == "--settle") {
            o.settle = number(0, 600);
        } else if (name == "--grace") {
            o.grace = number(0, 600);
        } else if (name == "--body") {
            o.body = value();
        } else if (name == "--ws-init") {
            o.wsInit = value();
        } else if (name == "--ws-body") {
            o.wsBody = value();
        } else if (name == "-H") {
            o.headers.push_back(value());
        } else if (name == "--server-pid") {
            std::stringstream list(value());
            for (std::string pid; std::getline(list, pid, ',');)
                o.serverPids.push_back(std::atoi(pid.c_str()));
        } else if (name == "--label") {
            o.label = value();
        } else if (name == "--h2") {
            o.h2Streams = int(number(1, 1000));
        } else if (name == "--storm-at") {
            o.stormAt = number(0.1, 3600);
        } else if (name == "--in-flight") {
            o.inFlight = int(number(0, 1000000));
        } else if (name == "--sources") {
            o.sources = int(number(1, 250));
        } else if (name == "--publishers") {
            o.publishers = int(number(1, 1000));
        } else if (name == "--resume-after") {
            o.resumeMs = number(1, 60000);
        } else if (name == "--batch") {
            o.batch = int(number(1, 1000));
        } else {
            die("unknown option " + name);
        }
    }
    if (o.mode == "pub" && !o.pubUrl.valid)
        die("pub needs --pub-url");
    if (o.mode != "pub" && !o.url.valid)
        die(o.mode + " needs --url");
    if (o.mode == "ws" && !o.url.ws)
        die("ws needs a ws:// --url");
    if (o.mode == "sse" && o.url.ws)
        die("sse needs an http:// --url");
    if (o.mode == "ws" && !o.recvOnly && o.sendRate <= 0)
        die("ws needs --recv-only or --send-rate R");
    if (o.pubUrl.valid && o.rate <= 0)
        die("--pub-url needs --rate R");
    if (o.h2Streams > 0 && o.mode != "sse")
        die("--h2 is for sse");
    if (o.resumeMs > 0 && (o.mode != "sse" || o.h2Streams > 0 || o.stormAt > 0))
        die("--resume-after is for sse over HTTP/1.1, without --storm-at");
    if ((o.publishers > 1 || o.batch > 1) && o.mode != "pub")
        die("--publishers and --batch are for pub (subscribers count one publisher's seq)");
    if (o.stormAt > 0 && (o.mode != "sse" || !o.pubUrl.valid || o.h2Streams > 0))
        die("--storm-at is for sse over HTTP/1.1 with --pub-url");
    return o;
}

std::string substitute(std::string text, int index, uint64_t seq)
{
    const auto replace = [&text](const std::string &key, const std::string &value) {
        for (size_t at = text.find(key); at != std::string::npos;
             at = text.find(key, at + value.size()))
            text.replace(at, key.size(), value);
    };
    replace("{i}", std::to_string(index));
    replace("{seq}", std::to_string(seq));
    replace("{t}", std::to_string(wallNs()));
    return text;
}

// ---- SHA-1 and base64, for the WebSocket handshake (RFC 6455 4.2.2) ---------------------------

std::string sha1(const std::string &message)
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::string m = message;
    const uint64_t bits = uint64_t(message.size()) * 8;
    m += char(0x80);
    while (m.size() % 64 != 56)
        m += char(0);
    for (int i = 7; i >= 0; --i)
        m += char((bits >> (i * 8)) & 0xff);
    const auto rotl = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
    for (size_t chunk = 0; chunk < m.size(); chunk += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; ++i) {
            const auto *p = reinterpret_cast<const unsigned char *>(m.data() + chunk + i * 4);
            w[i] = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
        }
        for (int i = 16; i < 80; ++i)
            w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; ++i) {
            uint32_t f, k;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            const uint32_t t = rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::string digest;
    for (uint32_t word : h) {
        for (int i = 3; i >= 0; --i)
            digest += char((word >> (i * 8)) & 0xff);
    }
    return digest;
}

std::string base64(const std::string &bytes)
{
    static const char alphabet[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8
            | uint8_t(bytes[i + 2]);
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// ---- measurements -----------------------------------------------------------------------------

/// Latencies in µs; percentiles from the sorted samples (exact, bounded in count).
struct Latencies
{
    static constexpr size_t MaxSamples = 50'000'000;
    std::vector<uint32_t> samples;
    uint64_t dropped = 0;

    void add(int64_t us)
    {
        if (samples.size() >= MaxSamples) {
            ++dropped;
            return;
        }
        samples.push_back(uint32_t(std::clamp<int64_t>(us, 0, UINT32_MAX)));
    }
    std::string json()
    {
        std::sort(samples.begin(), samples.end());
        const auto at = [this](double q) {
            return samples.empty() ? 0.0 : double(samples[size_t(q * double(samples.size() - 1))]);
        };
        double sum = 0;
        for (uint32_t s : samples)
            sum += s;
        char out[256];
        std::snprintf(out, sizeof out,
            R"({"count":%zu,"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f,"mean":%.1f})",
            samples.size(), at(0.5), at(0.9), at(0.99), at(0.999), at(1.0),
            samples.empty() ? 0.0 : sum / double(samples.size()));
        return out;
    }
};

struct ProcessSample
{
    double cpuS = 0; // utime + stime
    long rssKb = 0;
};

ProcessSample sampleProcess(int pid)
{
    ProcessSample sample;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close != std::string::npos) {
        std::istringstream fields(text.substr(close + 2));
        std::string field;
        double utime = 0, stime = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) { // field 3 is the state
            if (i == 14)
                utime = std::atof(field.c_str());
            if (i == 15)
                stime = std::atof(field.c_str());
        }
        sample.cpuS = (utime + stime) / double(sysconf(_SC_CLK_TCK));
    }
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            sample.rssKb = std::atol(line.c_str() + 6);
    }
    return sample;
}

struct HostSample
{
    double busyS = 0;
    double totalS = 0;
};

HostSample sampleHost()
{
    std::ifstream stat("/proc/stat");
    std::string cpu;
    stat >> cpu;
    double values[10] = {};
    for (double &v : values)
        stat >> v;
    HostSample sample;
    for (double v : values)
        sample.totalS += v;
    sample.busyS = sample.totalS - values[3] - values[4]; // idle, iowait
    const double tick = double(sysconf(_SC_CLK_TCK));
    sample.busyS /= tick;
    sample.totalS /= tick;
    return sample;
}

double selfCpuS()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// Finds "key":<integer> in text; false when absent.
bool findNumber(const char *text, size_t size, const char *key, int64_t *value)
{
    const size_t keySize = std::strlen(key);
    const char *end = text + size;
    for (const char *p = text; p + keySize < end;) {
        const char *found = static_cast<const char *>(std::memchr(p, key[0], size_t(end - p)));
        if (!found || found + keySize >= end)
            return false;
        if (std::memcmp(found, key, keySize) == 0) {
            const char *digits = found + keySize;
            int64_t v = 0;
            bool any = false;
            for (; digits < end && *digits >= '0' && *digits <= '9'; ++digits) {
                v = v * 10 + (*digits - '0');
                any = true;
            }
            if (any) {
                *value = v;
                return true;
            }
        }
        p = found + 1;
    }
    return false;
}

// ---- connections ------------------------------------------------------------------------------

enum class Kind { Sse, WsReceive, WsSend, Publisher, Idle, H2Carrier };
enum class Phase { Connecting, Handshaking, AwaitingHead, Open, Closed };

/// The one TLS client context: no verification (a benchmark on loopback), partial writes.
SSL_CTX *tlsContext()
{
    static SSL_CTX *context = [] {
        SSL_CTX *c = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        return c;
    }();
    return context;
}

struct Connection
{
    int fd = -1;
    size_t slot = 0; // in LoadGen::m_connections, the epoll data
    int index = 0;
    Kind kind = Kind::Sse;
    Phase phase = Phase::Connecting;
    bool resumed = false; ///< Opened again after the server closed it (--resume-after).
    bool opened = false; ///< Its response head arrived.
    std::string out;
    size_t outSent = 0;
    bool wantWrite = false;
    std::string in;
    std::string wsKey;
    // HTTP body framing of a stream
    bool chunked = false;
    int64_t chunkLeft = -1; // -1: reading a size line
    std::string chunkLine;
    // SSE
    std::string line;
    std::string data;
    bool skipLf = false;
    // WebSocket message being assembled
    std::string message;
    // counts
    uint64_t received = 0; // events or messages with a seq
    uint64_t delivered = 0; // new seqs
    int64_t lastSeq = 0;
    uint64_t gaps = 0;
    uint64_t duplicates = 0;
    // WebSocket sender
    uint64_t sent = 0;
    double nextSendAt = 0;
    // publisher
    uint64_t pubSeq = 0;
    uint64_t firstSeqInFlight = 0; ///< The {seq}s of the request awaiting its answer...
    int seqsInFlight = 0; ///< ...and how many.
    double requestSentAt = 0;
    bool awaitingResponse = false;
    // TLS
    SSL *ssl = nullptr;
    // SSE resume point (the last `id:` field)
    std::string lastEventId;
    std::string eventId; ///< The id field of the event being read.
    // HTTP/2: a carrier owns the socket and the session; its subscribers are streams on it.
    nghttp2_session *h2 = nullptr;
    std::vector<Connection *> streams; ///< A carrier's subscribers.
    Connection *carrier = nullptr; ///< A stream's carrier.
    int32_t streamId = 0;
};

struct Stats
{
    uint64_t connectErrors = 0;
    uint64_t httpErrors = 0;
    uint64_t wsErrors = 0;
    uint64_t closedByPeer = 0;
    std::string firstError;
    Latencies latency;
    Latencies pubResponse;
    uint64_t pubSent = 0;
    uint64_t pubOk = 0;
    uint64_t pubErrors = 0;
    uint64_t pubLate = 0;
    double pubMaxLagMs = 0;
    uint64_t pubReconnects = 0;
    uint64_t wsSent = 0;
    double lastDeliveryAt = 0;
};

class LoadGen
{
public:
    explicit LoadGen(Options options)
        : m_o(std::move(options))
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0)
            die("epoll_create1 failed");
    }

    int run();

private:
    Connection *open(const Url &url, Kind kind, int index, const std::string &lastEventId = {});
    void handshake(Connection *c);
    void startH2(Connection *c);
    void pumpH2(Connection *c);
    void onH2Bytes(Connection *c, const char *p, size_t size);
    void storm(const Url &url);
    static int onH2Header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t, void *user);
    static int onH2Data(
        nghttp2_session *, uint8_t, int32_t id, const uint8_t *data, size_t size, void *user);
    static int onH2Close(nghttp2_session *, int32_t id, uint32_t error, void *user);
    void closeConnection(Connection *c, const char *why);
    void fail(Connection *c, uint64_t &counter, const std::string &why);
    void queue(Connection *c, const std::string &bytes);
    void flush(Connection *c);
    /// Watches `c` for writability only while it has something to write.
    void setWantWrite(Connection *c, bool wantWrite);
    void onEvent(int index, uint32_t events);
    void onReadable(Connection *c);
    bool onHead(Connection *c);
    void onBody(Connection *c, const char *p, size_t size);
    void onSseBytes(Connection *c, const char *p, size_t size);
    void onMessage(Connection *c, const char *p, size_t size);
    void onWsBytes(Connection *c);
    void onPublisherBytes(Connection *c);
    void sendWsText(Connection *c, const std::string &text, uint8_t opcode = 0x1);
    void publishDue(double now);
    void sendWsDue(double now);
    void loop(double until, const std::function<bool()> &done);
    void connectAll(const Url &url, Kind kind);
    [[nodiscard]] int openCount() const;
    void report(double windowS, uint64_t expected);

    Options m_o;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Connection>> m_connections; // index = epoll data
    std::vector<Connection *> m_subscribers;
    std::vector<std::unique_ptr<Connection>> m_virtual; // HTTP/2 streams (no socket of their own)
    std::vector<Connection *> m_publishers; ///< --publishers, each one request at a time.
    [[nodiscard]] bool publishing() const
    {
        return std::any_of(m_publishers.cbegin(), m_publishers.cend(),
            [](const Connection *c) { return c && c->awaitingResponse; });
    }
    Stats m_stats;
    std::mt19937_64 m_random {std::random_device {}()};
    double m_pubStart = 0;
    double m_pubEnd = 0;
    double m_sendStart = 0;
    double m_sendEnd = 0;
    size_t m_inFlight = 0; // connects or handshakes under way
    // measurement window
    std::vector<ProcessSample> m_serverStart;
    std::vector<long> m_serverRssBefore;
    std::vector<long> m_serverRssPeak;
    double m_selfStart = 0;
    HostSample m_hostStart;
    double m_lastRssSample = 0;
    int m_established = 0;
    double m_connectS = 0;
    double m_stormS = 0; ///< From the storm's drop until every subscriber was open again.
    int m_stormReconnected = 0;
    uint64_t m_pubEventSeq = 0; ///< {seq} of published events, one sequence for all publishers.
    double m_lastPubOpenAt = 0; ///< Publisher reconnects are paced (the server may be down).
    std::unordered_set<uint64_t> m_unacknowledged; ///< {seq}s whose publish got no 2xx.
    // --resume-after: subscribers waiting to reconnect, soonest first.
    std::priority_queue<std::pair<double, int>, std::vector<std::pair<double, int>>, std::greater<>>
        m_resumeQueue;
    int m_awaitingResume = 0; ///< Subscribers dropped and not streaming again yet.
    int m_resumedOpen = 0;
    double m_firstDropAt = 0;
    double m_lastBackAt = 0;
    std::mt19937 m_jitter {42};
    void resumeDue(double now);
};

Connection *LoadGen::open(const Url &url, Kind kind, int index, const std::string &lastEventId)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++m_stats.connectErrors;
        if (m_stats.firstError.empty())
            m_stats.firstError = std::string("socket: ") + std::strerror(errno);
        return nullptr;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (m_o.sources > 1) { // 127.0.0.(1 + index % K): each source address has its own ports.
        sockaddr_in source {};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl(0x7f000001u + uint32_t(index % m_o.sources));
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one); // Port at connect.
        if (bind(fd, reinterpret_cast<sockaddr *>(&source), sizeof source) != 0) {
            ++m_stats.connectErrors;
            if (m_stats.firstError.empty())
                m_stats.firstError = std::string("bind: ") + std::strerror(errno);
            ::close(fd);
            return nullptr;
        }
    }
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(url.port);
    address.sin_addr.s_addr = url.address;
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        && errno != EINPROGRESS) {
        ++m_stats.connectErrors;
        if (m_stats.firstError.empty())
            m_stats.firstError = std::string("connect: ") + std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    auto connection = std::make_unique<Connection>();
    Connection *c = connection.get();
    c->fd = fd;
    c->index = index;
    c->kind = kind;
    const size_t slot = m_connections.size();
    c->slot = slot;
    m_connections.push_back(std::move(connection));
    epoll_event event {};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    event.data.u64 = slot;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    c->wantWrite = true;
    if (url.tls) {
        c->ssl = SSL_new(tlsContext());
        SSL_set_fd(c->ssl, fd);
        SSL_set_connect_state(c->ssl);
        static const unsigned char h2[] = "\x02h2";
        static const unsigned char http11[] = "\x08http/1.1";
        if (kind == Kind::H2Carrier)
            SSL_set_alpn_protos(c->ssl, h2, sizeof h2 - 1);
        else if (!url.ws)
            SSL_set_alpn_protos(c->ssl, http11, sizeof http11 - 1);
    }
    if (kind == Kind::H2Carrier)
        return c; // the session starts once connected (startH2)

    std::string path = url.path;
    for (size_t at = path.find("{i}"); at != std::string::npos; at = path.find("{i}"))
        path.replace(at, 3, std::to_string(index));
    if (kind == Kind::Publisher)
        return c; // requests are written by publishDue() once connected
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + url.hostHeader + "\r\n";
    if (url.ws) {
        std::string key(16, '\0');
        for (char &ch : key)
            ch = char(m_random() & 0xff);
        c->wsKey = base64(key);
        request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Key: "
            + c->wsKey + "\r\n";
    } else {
        request += "Accept: text/event-stream\r\nCache-Control: no-cache\r\n";
        if (!lastEventId.empty())
            request += "Last-Event-ID: " + lastEventId + "\r\n";
    }
    for (const std::string &header : m_o.headers)
        request += header + "\r\n";
    request += "\r\n";
    queue(c, request);
    ++m_inFlight;
    return c;
}

void LoadGen::queue(Connection *c, const std::string &bytes)
{
    if (c->phase == Phase::Closed)
        return;
    if (c->outSent > 0 && c->outSent == c->out.size()) {
        c->out.clear();
        c->outSent = 0;
    }
    c->out += bytes;
    if (c->phase != Phase::Connecting)
        flush(c);
}

void LoadGen::flush(Connection *c)
{
    if (c->phase == Phase::Connecting || c->phase == Phase::Handshaking)
        return;
    while (c->outSent < c->out.size()) {
        if (c->ssl) {
            const int n = SSL_write(c->ssl, c->out.data() + c->outSent,
                int(std::min<size_t>(c->out.size() - c->outSent, 1 << 20)));
            if (n > 0) {
                c->outSent += size_t(n);
                continue;
            }
            const int error = SSL_get_error(c->ssl, n);
            if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ)
                break;
            fail(c, m_stats.closedByPeer, "TLS write failed");
            return;
        }
        const ssize_t n
            = ::send(c->fd, c->out.data() + c->outSent, c->out.size() - c->outSent, MSG_NOSIGNAL);
        if (n > 0) {
            c->outSent += size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        fail(c, m_stats.closedByPeer, std::string("send: ") + std::strerror(errno));
        return;
    }
    const bool pending = c->outSent < c->out.size();
    if (!pending) {
        c->out.clear();
        c->outSent = 0;
    }
    setWantWrite(c, pending);
}

void LoadGen::setWantWrite(Connection *c, bool wantWrite)
{
    if (wantWrite == c->wantWrite)
        return;
    c->wantWrite = wantWrite;
    epoll_event event {};
    event.events = EPOLLIN | EPOLLRDHUP | (wantWrite ? EPOLLOUT : 0u);
    event.data.u64 = c->slot;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c->fd, &event);
}

void LoadGen::closeConnection(Connection *c, const char *reason)
{
    if (c->phase == Phase::Closed)
        return;
    if (c->kind == Kind::Publisher && c->awaitingResponse) { // Cut off: stored or not, unknown.
        c->awaitingResponse = false;
        m_stats.pubErrors += uint64_t(c->seqsInFlight);
        for (int k = 0; k < c->seqsInFlight; ++k)
            m_unacknowledged.insert(c->firstSeqInFlight + uint64_t(k));
    }
    if (m_o.resumeMs > 0 && c->kind == Kind::Sse && !c->carrier && std::strcmp(reason, "storm") != 0
        && size_t(c->index) < m_subscribers.size() && m_subscribers[size_t(c->index)] == c) {
        const double now = monoS();
        if (!c->resumed || c->opened) { // A new drop, not a failed attempt to come back.
            ++m_awaitingResume;
            if (m_firstDropAt == 0)
                m_firstDropAt = now;
        }
        std::uniform_real_distribution<double> jitter(1.0, 2.0);
        m_resumeQueue.emplace(now + m_o.resumeMs / 1000 * jitter(m_jitter), c->index);
    }
    if (c->phase == Phase::Connecting || c->phase == Phase::Handshaking
        || c->phase == Phase::AwaitingHead) {
        if (c->kind != Kind::Publisher && c->kind != Kind::H2Carrier && m_inFlight > 0)
            --m_inFlight;
    }
    c->phase = Phase::Closed;
    if (c->carrier) { // an HTTP/2 stream: reset it, the connection stays
        if (c->carrier->h2 && c->carrier->phase != Phase::Closed) {
            nghttp2_submit_rst_stream(
                c->carrier->h2, NGHTTP2_FLAG_NONE, c->streamId, NGHTTP2_CANCEL);
            pumpH2(c->carrier);
        }
        return;
    }
    linger reset {1, 0}; // RST: repeated runs do not pile up TIME_WAIT sockets
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, c->fd, nullptr);
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = nullptr;
    }
    ::close(c->fd);
    c->in.clear();
    c->in.shrink_to_fit();
    c->out.clear();
    for (Connection *stream : c->streams) { // its streams end with it
        if (stream->phase != Phase::Closed) {
            if (stream->phase == Phase::AwaitingHead && m_inFlight > 0)
                --m_inFlight;
            stream->phase = Phase::Closed;
            ++m_stats.closedByPeer;
        }
    }
}

void LoadGen::fail(Connection *c, uint64_t &counter, const std::string &why)
{
    if (c->phase == Phase::Closed)
        return;
    ++counter;
    if (m_stats.firstError.empty())
        m_stats.firstError = why;
    closeConnection(c, why.c_str());
}

void LoadGen::onEvent(int slot, uint32_t events)
{
    Connection *c = m_connections[size_t(slot)].get();
    if (c->phase == Phase::Closed)
        return;
    if (c->phase == Phase::Connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) {
            fail(c, m_stats.connectErrors, std::string("connect: ") + std::strerror(error));
            return;
        }
        if (c->ssl) {
            c->phase = Phase::Handshaking;
        } else {
            c->phase = c->kind == Kind::Publisher ? Phase::Open : Phase::AwaitingHead;
            if (c->kind == Kind::H2Carrier)
                startH2(c);
        }
    }
    if (c->phase == Phase::Handshaking) {
        handshake(c);
        return;
    }
    if (events & EPOLLOUT)
        flush(c);
    if (c->phase != Phase::Closed && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        onReadable(c);
}

void LoadGen::onReadable(Connection *c)
{
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = 0;
        if (c->ssl) {
            const int r = SSL_read(c->ssl, buffer, sizeof buffer);
            if (r <= 0) {
                const int error = SSL_get_error(c->ssl, r);
                if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                    if (c->outSent < c->out.size())
                        flush(c);
                    return;
                }
                n = error == SSL_ERROR_ZERO_RETURN ? 0 : -2;
            } else {
                n = r;
            }
        } else {
            n = ::recv(c->fd, buffer, sizeof buffer, 0);
        }
        if (n > 0 && c->kind == Kind::H2Carrier) {
            onH2Bytes(c, buffer, size_t(n));
            if (c->phase == Phase::Closed)
                return;
            continue;
        }
        if (n > 0) {
            if (c->phase == Phase::AwaitingHead || c->kind == Kind::Publisher
                || c->kind == Kind::WsReceive || c->kind == Kind::WsSend) {
                c->in.append(buffer, size_t(n));
                if (c->in.size() > 64 * 1024 * 1024) {
                    fail(c, m_stats.httpErrors, "a message over 64 MiB");
                    return;
                }
                if (c->phase == Phase::AwaitingHead && !onHead(c))
                    return;
                if (c->phase != Phase::Open)
                    continue;
                if (c->kind == Kind::Publisher)
                    onPublisherBytes(c);
                else if (c->kind == Kind::WsReceive || c->kind == Kind::WsSend)
                    onWsBytes(c);
                else if (!c->in.empty()) { // bytes of the stream that came with the head
                    std::string rest;
                    rest.swap(c->in);
                    onBody(c, rest.data(), rest.size());
                }
            } else if (c->kind == Kind::Sse || c->kind == Kind::Idle) {
                onBody(c, buffer, size_t(n));
            }
            if (c->phase == Phase::Closed)
                return;
            continue;
        }
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        fail(c, m_stats.closedByPeer,
            n == 0        ? "closed by the server"
                : n == -2 ? "TLS read failed"
                          : std::string("recv: ") + std::strerror(errno));
        return;
    }
}

void LoadGen::handshake(Connection *c)
{
    const int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->phase = c->kind == Kind::Publisher || c->kind == Kind::H2Carrier ? Phase::Open
                                                                            : Phase::AwaitingHead;
        if (c->kind == Kind::H2Carrier) {
            const unsigned char *alpn = nullptr;
            unsigned int alpnSize = 0;
            SSL_get0_alpn_selected(c->ssl, &alpn, &alpnSize);
            if (alpnSize != 2 || std::memcmp(alpn, "h2", 2) != 0) {
                fail(c, m_stats.httpErrors, "the server did not choose h2 by ALPN");
                return;
            }
            startH2(c);
        }
        flush(c);
        onReadable(c); // application bytes may have come with the handshake's last flight
        return;
    }
    const int error = SSL_get_error(c->ssl, r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        setWantWrite(c, error == SSL_ERROR_WANT_WRITE);
        return;
    }
    fail(c, m_stats.connectErrors, "TLS handshake failed");
}

// ---- HTTP/2 -----------------------------------------------------------------------------------

void LoadGen::startH2(Connection *c)
{
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &LoadGen::onH2Header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &LoadGen::onH2Data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &LoadGen::onH2Close);
    nghttp2_session_client_new(&c->h2, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    // Windows as a browser opens them (Chromium: 6 MiB a stream, 15 MiB the connection).
    const nghttp2_settings_entry settings[]
        = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 6 << 20}, {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
    nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, 15 << 20);
    const Url &url = m_o.url;
    const std::string scheme = url.tls ? "https" : "http";
    for (Connection *stream : c->streams) {
        const std::string path = url.path;
        const auto field = [](const char *name, const std::string &value) {
            return nghttp2_nv {reinterpret_cast<uint8_t *>(const_cast<char *>(name)),
                reinterpret_cast<uint8_t *>(const_cast<char *>(value.c_str())), std::strlen(name),
                value.size(), NGHTTP2_NV_FLAG_NONE};
        };
        const std::string get = "GET", accept = "text/event-stream";
        const nghttp2_nv fields[] = {field(":method", get), field(":scheme", scheme),
            field(":path", path), field(":authority", url.hostHeader), field("accept", accept)};
        stream->streamId = nghttp2_submit_request(c->h2, nullptr, fields, 5, nullptr, stream);
        if (stream->streamId < 0)
            fail(stream, m_stats.httpErrors, "nghttp2_submit_request failed");
    }
    pumpH2(c);
}

void LoadGen::pumpH2(Connection *c)
{
    for (;;) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(c->h2, &data);
        if (n <= 0)
            break;
        queue(c, std::string(reinterpret_cast<const char *>(data), size_t(n)));
        if (c->phase == Phase::Closed)
            return;
    }
}

void LoadGen::onH2Bytes(Connection *c, const char *p, size_t size)
{
    const ssize_t used
        = nghttp2_session_mem_recv(c->h2, reinterpret_cast<const uint8_t *>(p), size);
    if (used < 0) {
        fail(c, m_stats.httpErrors, std::string("HTTP/2: ") + nghttp2_strerror(int(used)));
        return;
    }
    pumpH2(c);
    if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2))
        fail(c, m_stats.closedByPeer, "the server ended the HTTP/2 connection");
}

int LoadGen::onH2Header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
    size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t, void *user)
{
    auto *self = static_cast<LoadGen *>(user);
    auto *stream = static_cast<Connection *>(
        nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
    if (!stream || stream->phase != Phase::AwaitingHead || nameLength != 7
        || std::memcmp(name, ":status", 7) != 0)
        return 0;
    if (valueLength != 3 || std::memcmp(value, "200", 3) != 0) {
        self->fail(stream, self->m_stats.httpErrors,
            "answered " + std::string(reinterpret_cast<const char *>(value), valueLength));
        return 0;
    }
    --self->m_inFlight;
    stream->phase = Phase::Open;
    ++self->m_established;
    return 0;
}

int LoadGen::onH2Data(
    nghttp2_session *session, uint8_t, int32_t id, const uint8_t *data, size_t size, void *user)
{
    auto *self = static_cast<LoadGen *>(user);
    auto *stream = static_cast<Connection *>(nghttp2_session_get_stream_user_data(session, id));
    if (stream && stream->phase == Phase::Open)
        self->onSseBytes(stream, reinterpret_cast<const char *>(data), size);
    return 0;
}

int LoadGen::onH2Close(nghttp2_session *session, int32_t id, uint32_t, void *user)
{
    auto *self = static_cast<LoadGen *>(user);
    auto *stream = static_cast<Connection *>(nghttp2_session_get_stream_user_data(session, id));
    if (stream && stream->phase != Phase::Closed) {
        if (stream->phase == Phase::AwaitingHead && self->m_inFlight > 0)
            --self->m_inFlight;
        stream->phase = Phase::Closed;
        ++self->m_stats.closedByPeer;
        if (self->m_stats.firstError.empty())
            self->m_stats.firstError = "an HTTP/2 stream closed";
    }
    return 0;
}

bool LoadGen::onHead(Connection *c)
{
    const size_t end = c->in.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (c->in.size() > 64 * 1024)
            fail(c, m_stats.httpErrors, "response head over 64 KiB");
        return c->phase != Phase::Closed;
    }
    std::string head = c->in.substr(0, end + 2);
    c->in.erase(0, end + 4);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
        [](unsigned char ch) { return char(std::tolower(ch)); });
    const int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    if (c->kind == Kind::WsReceive || c->kind == Kind::WsSend) {
        // The accept value is base64, which is case-sensitive: compare it in the original head.
        const std::string accept = base64(sha1(c->wsKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
        const size_t field = lower.find("\r\nsec-websocket-accept:");
        const bool accepted = field != std::string::npos
            && head.compare(head.find_first_not_of(' ', field + 24), accept.size(), accept) == 0;
        if (status != 101 || !accepted) {
            fail(c, m_stats.wsErrors,
                "WebSocket handshake answered " + head.substr(0, head.find('\r')));
            return false;
        }
        --m_inFlight;
        c->phase = Phase::Open;
        ++m_established;
        if (!m_o.wsInit.empty())
            sendWsText(c, substitute(m_o.wsInit, c->index, 0));
        return true;
    }
    if (status != 200) {
        fail(c, m_stats.httpErrors, "answered " + head.substr(0, head.find('\r')));
        return false;
    }
    c->chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    --m_inFlight;
    c->phase = Phase::Open;
    c->opened = true;
    if (c->resumed) {
        ++m_resumedOpen;
        --m_awaitingResume;
        m_lastBackAt = monoS(); // The last one back ends the storm.
    } else {
        ++m_established;
    }
    return true;
}

void LoadGen::onBody(Connection *c, const char *p, size_t size)
{
    if (c->kind == Kind::Idle)
        return; // held, not read into anything
    if (!c->chunked) {
        onSseBytes(c, p, size);
        return;
    }
    while (size > 0 && c->phase != Phase::Closed) {
        if (c->chunkLeft < 0) { // a size line, then its LF
            const char *lf = static_cast<const char *>(std::memchr(p, '\n', size));
            const size_t take = lf ? size_t(lf - p) + 1 : size;
            c->chunkLine.append(p, take);
            p += take;
            size -= take;
            if (c->chunkLine.size() > 1024) {
                fail(c, m_stats.httpErrors, "chunk size line over 1 KiB");
                return;
            }
            if (!lf)
                return;
            if (c->chunkLine == "\r\n" || c->chunkLine == "\n") { // the CRLF after a chunk
                c->chunkLine.clear();
                continue;
            }
            c->chunkLeft = std::strtoll(c->chunkLine.c_str(), nullptr, 16);
            c->chunkLine.clear();
            if (c->chunkLeft == 0) {
                fail(c, m_stats.closedByPeer, "the stream ended");
                return;
            }
            continue;
        }
        const size_t take = std::min<size_t>(size, size_t(c->chunkLeft));
        onSseBytes(c, p, take);
        p += take;
        size -= take;
        c->chunkLeft -= int64_t(take);
        if (c->chunkLeft == 0)
            c->chunkLeft = -1;
    }
}

void LoadGen::onSseBytes(Connection *c, const char *p, size_t size)
{
    // WHATWG line rules: LF, CRLF or CR end a line; a blank line dispatches.
    const auto endLine = [c, this] {
        std::string &line = c->line;
        if (line.empty()) {
            if (!c->eventId.empty()) {
                c->lastEventId = c->eventId;
                c->eventId.clear();
            }
            if (!c->data.empty()) {
                onMessage(c, c->data.data(), c->data.size());
                c->data.clear();
            }
        } else if (line.rfind("id:", 0) == 0) {
            c->eventId = line.substr(line.size() > 3 && line[3] == ' ' ? 4 : 3);
        } else if (line.rfind("data", 0) == 0 && (line.size() == 4 || line[4] == ':')) {
            size_t start = line.size() > 4 ? 5 : 4;
            if (start < line.size() && line[start] == ' ')
                ++start;
            if (!c->data.empty())
                c->data += '\n';
            c->data.append(line, start, std::string::npos);
        }
        line.clear();
    };
    for (size_t i = 0; i < size; ++i) {
        const char ch = p[i];
        if (c->skipLf) {
            c->skipLf = false;
            if (ch == '\n')
                continue;
        }
        if (ch == '\n' || ch == '\r') {
            endLine();
            c->skipLf = ch == '\r';
            continue;
        }
        const char *stop = static_cast<const char *>(std::memchr(p + i, '\n', size - i));
        const char *cr = static_cast<const char *>(std::memchr(p + i, '\r', size - i));
        if (cr && (!stop || cr < stop))
            stop = cr;
        const size_t run = stop ? size_t(stop - (p + i)) : size - i;
        c->line.append(p + i, run);
        i += run - 1;
        if (c->line.size() + c->data.size() > 16 * 1024 * 1024) {
            fail(c, m_stats.httpErrors, "an SSE event over 16 MiB");
            return;
        }
    }
}

void LoadGen::onMessage(Connection *c, const char *p, size_t size)
{
    int64_t seq = 0;
    if (!findNumber(p, size, "\"seq\":", &seq))
        return; // not a measured message (a state, a subscribe ack, a keepalive)
    ++c->received;
    if (seq <= c->lastSeq) {
        ++c->duplicates;
    } else {
        // Skipped numbers are missing unless their publish was never acknowledged (refused,
        // or cut off by a restart: the server may or may not have stored it).
        for (int64_t skipped = c->lastSeq + 1; c->lastSeq > 0 && skipped < seq; ++skipped)
            c->gaps += m_unacknowledged.count(uint64_t(skipped)) ? 0 : 1;
        c->lastSeq = seq;
        ++c->delivered;
    }
    int64_t t = 0;
    if (findNumber(p, size, "\"t\":", &t))
        m_stats.latency.add((wallNs() - t) / 1000);
    m_stats.lastDeliveryAt = monoS();
}

void LoadGen::sendWsText(Connection *c, const std::string &text, uint8_t opcode)
{
    std::string frame;
    frame += char(0x80 | opcode);
    const size_t size = text.size();
    if (size < 126) {
        frame += char(0x80 | size);
    } else if (size < 65536) {
        frame += char(0x80 | 126);
        frame += char(size >> 8);
        frame += char(size & 0xff);
    } else {
        frame += char(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            frame += char((uint64_t(size) >> (i * 8)) & 0xff);
    }
    const uint32_t mask = uint32_t(m_random());
    const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(key, 4);
    const size_t start = frame.size();
    frame += text;
    for (size_t i = 0; i < size; ++i)
        frame[start + i] = char(frame[start + i] ^ key[i & 3]);
    queue(c, frame);
}

void LoadGen::onWsBytes(Connection *c)
{
    size_t at = 0;
    std::string &in = c->in;
    while (c->phase == Phase::Open) {
        if (in.size() - at < 2)
            break;
        const auto byte = [&in](size_t i) { return uint8_t(in[i]); };
        const bool fin = byte(at) & 0x80;
        const uint8_t opcode = byte(at) & 0x0f;
        const bool masked = byte(at + 1) & 0x80;
        uint64_t length = byte(at + 1) & 0x7f;
        size_t header = 2;
        if (length == 126) {
            if (in.size() - at < 4)
                break;
            length = uint64_t(byte(at + 2)) << 8 | byte(at + 3);
            header = 4;
        } else if (length == 127) {
            if (in.size() - at < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = length << 8 | byte(at + 2 + size_t(i));
            header = 10;
        }
        if (length > 16 * 1024 * 1024) {
            fail(c, m_stats.wsErrors, "a WebSocket frame over 16 MiB");
            return;
        }
        const size_t maskSize = masked ? 4 : 0;
        if (in.size() - at < header + maskSize + length)
            break;
        std::string payload = in.substr(at + header + maskSize, size_t(length));
        if (masked) {
            for (size_t i = 0; i < payload.size(); ++i)
                payload[i] = char(payload[i] ^ in[at + header + (i & 3)]);
        }
        at += header + maskSize + size_t(length);
        if (opcode == 0x9) { // ping: pong with the same payload
            sendWsText(c, payload, 0xA);
        } else if (opcode == 0x8) {
            sendWsText(c, payload.substr(0, 2), 0x8);
            fail(c, m_stats.closedByPeer, "the server closed the WebSocket");
            return;
        } else if (opcode == 0x1 || opcode == 0x2 || opcode == 0x0) {
            c->message += payload;
            if (c->message.size() > 16 * 1024 * 1024) {
                fail(c, m_stats.wsErrors, "a WebSocket message over 16 MiB");
                return;
            }
            if (fin) {
                onMessage(c, c->message.data(), c->message.size());
                c->message.clear();
            }
        }
    }
    in.erase(0, at);
}

void LoadGen::onPublisherBytes(Connection *c)
{
    while (c->awaitingResponse) {
        const size_t end = c->in.find("\r\n\r\n");
        if (end == std::string::npos)
            return;
        std::string lower = c->in.substr(0, end);
        std::transform(lower.begin(), lower.end(), lower.begin(),
            [](unsigned char ch) { return char(std::tolower(ch)); });
        const size_t cl = lower.find("content-length:");
        const size_t bodySize = cl == std::string::npos
            ? 0
            : size_t(std::strtoull(lower.c_str() + cl + 15, nullptr, 10));
        if (c->in.size() < end + 4 + bodySize)
            return;
        const int status = std::atoi(c->in.c_str() + 9);
        c->in.erase(0, end + 4 + bodySize);
        c->awaitingResponse = false;
        m_stats.pubResponse.add(int64_t((monoS() - c->requestSentAt) * 1e6));
        if (status >= 200 && status < 300) {
            m_stats.pubOk += uint64_t(m_o.batch);
        } else {
            m_stats.pubErrors += uint64_t(m_o.batch);
            for (int k = 0; k < c->seqsInFlight; ++k)
                m_unacknowledged.insert(c->firstSeqInFlight + uint64_t(k));
        }
        if (lower.find("connection: close") != std::string::npos) {
            closeConnection(c, "closed");
            return;
        }
    }
}

/// A subscriber's counts go on across a reconnect: `to` is its new connection.
void carryOver(const Connection &from, Connection *to)
{
    to->received = from.received;
    to->delivered = from.delivered;
    to->lastSeq = from.lastSeq;
    to->gaps = from.gaps;
    to->duplicates = from.duplicates;
    to->lastEventId = from.lastEventId;
}

void LoadGen::resumeDue(double now)
{
    while (!m_resumeQueue.empty() && m_resumeQueue.top().first <= now) {
        const int index = m_resumeQueue.top().second;
        m_resumeQueue.pop();
        Connection *old = m_subscribers[size_t(index)];
        Connection *c = open(m_o.url, Kind::Sse, index, old->lastEventId);
        if (!c) {
            m_resumeQueue.emplace(now + m_o.resumeMs / 1000, index);
            continue;
        }
        carryOver(*old, c);
        c->resumed = true;
        m_subscribers[size_t(index)] = c;
    }
}

void LoadGen::publishDue(double now)
{
    if (m_pubStart == 0 || now >= m_pubEnd)
        return;
    // --rate events/s offered in all, --batch per request: publisher j sends its k-th request at
    // (k * P + j) / (requests per second), open loop.
    const double requestRate = m_o.rate / double(m_o.batch);
    const int count = m_o.publishers;
    m_publishers.resize(size_t(count), nullptr);
    for (int j = 0; j < count; ++j) {
        Connection *&publisher = m_publishers[size_t(j)];
        if (!publisher || publisher->phase == Phase::Closed) {
            if (now - m_lastPubOpenAt < 0.05 || m_stats.pubReconnects++ > 1000)
                continue; // Paced: the server may be restarting.
            m_lastPubOpenAt = now;
            publisher = open(m_o.pubUrl, Kind::Publisher, j);
            if (!publisher)
                continue;
        }
        Connection *c = publisher;
        if (c->phase != Phase::Open || c->awaitingResponse)
            continue; // one request at a time on one connection
        const double due
            = m_pubStart + double(c->pubSeq * uint64_t(count) + uint64_t(j)) / requestRate;
        if (now < due)
            continue;
        const double lagMs = (now - due) * 1000;
        if (lagMs > 5)
            ++m_stats.pubLate;
        m_stats.pubMaxLagMs = std::max(m_stats.pubMaxLagMs, lagMs);
        ++c->pubSeq;
        std::string body;
        if (m_o.batch == 1) {
            body = substitute(m_o.body, 0, ++m_pubEventSeq);
        } else {
            body = "[";
            for (int e = 0; e < m_o.batch; ++e)
                body += (e ? "," : "") + substitute(m_o.body, 0, ++m_pubEventSeq);
            body += "]";
        }
        c->requestSentAt = now;
        c->awaitingResponse = true;
        c->firstSeqInFlight = m_pubEventSeq - uint64_t(m_o.batch) + 1;
        c->seqsInFlight = m_o.batch;
        m_stats.pubSent += uint64_t(m_o.batch);
        queue(c,
            "POST " + m_o.pubUrl.path + " HTTP/1.1\r\nHost: " + m_o.pubUrl.hostHeader
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
}

void LoadGen::sendWsDue(double now)
{
    if (m_sendStart == 0 || now >= m_sendEnd)
        return;
    const double interval = 1.0 / m_o.sendRate;
    for (Connection *c : m_subscribers) {
        if (c->phase != Phase::Open)
            continue;
        if (c->nextSendAt == 0) // phases spread evenly over the clients
            c->nextSendAt = m_sendStart + interval * double(c->index) / double(m_o.n);
        while (now >= c->nextSendAt && c->nextSendAt < m_sendEnd) {
            ++c->sent;
            ++m_stats.wsSent;
            sendWsText(c, substitute(m_o.wsBody, c->index, c->sent));
            c->nextSendAt += interval;
        }
    }
}

void LoadGen::storm(const Url &url)
{
    // Every subscriber's connection drops at once (RST), and every one comes back at once, as
    // after a network blip, each resuming with the last id it read.
    const double start = monoS();
    std::vector<std::pair<size_t, std::string>> resume;
    for (size_t i = 0; i < m_subscribers.size(); ++i) {
        Connection *c = m_subscribers[i];
        if (c->phase != Phase::Open)
            continue;
        resume.emplace_back(i, c->lastEventId);
        closeConnection(c, "storm");
    }
    for (const auto &[i, lastEventId] : resume) {
        Connection *old = m_subscribers[i];
        Connection *c = open(url, Kind::Sse, old->index, lastEventId);
        if (!c)
            continue;
        carryOver(*old, c);
        m_subscribers[i] = c;
    }
    const int before = m_established;
    loop(start + 60, [this] { return m_inFlight == 0; });
    m_stormS = monoS() - start;
    m_stormReconnected = m_established - before;
}

int LoadGen::openCount() const
{
    int open = 0;
    for (const Connection *c : m_subscribers)
        open += c->phase == Phase::Open ? 1 : 0;
    return open;
}

void LoadGen::loop(double until, const std::function<bool()> &done)
{
    epoll_event events[256];
    for (;;) {
        const double now = monoS();
        if (now >= until || done())
            return;
        publishDue(now);
        sendWsDue(now);
        resumeDue(now);
        if (now - m_lastRssSample >= 0.2) {
            m_lastRssSample = now;
            for (size_t i = 0; i < m_o.serverPids.size() && i < m_serverRssPeak.size(); ++i)
                m_serverRssPeak[i]
                    = std::max(m_serverRssPeak[i], sampleProcess(m_o.serverPids[i]).rssKb);
        }
        const bool busy
            = (m_pubStart != 0 && now < m_pubEnd) || (m_sendStart != 0 && now < m_sendEnd);
        const int timeoutMs = busy ? 0 : std::max(0, std::min(50, int((until - now) * 1000)));
        const int n = epoll_wait(m_epoll, events, 256, busy ? 1 : timeoutMs);
        for (int i = 0; i < n; ++i)
            onEvent(int(events[i].data.u64), events[i].events);
    }
}

void LoadGen::connectAll(const Url &url, Kind kind)
{
    const double start = monoS();
    const double deadline = start + 30;
    int next = 0;
    while (monoS() < deadline) {
        // At most --in-flight connects under way (32 by default: a burst of thousands overflows
        // a small listen backlog and turns into one-second SYN retransmits); 0: all at once.
        while (next < m_o.n && (m_o.inFlight == 0 || m_inFlight < size_t(m_o.inFlight))) {
            if (m_o.h2Streams > 0) { // one connection, its streams as subscribers
                Connection *carrier = open(url, Kind::H2Carrier, next);
                const int streams = std::min(m_o.h2Streams, m_o.n - next);
                for (int i = 0; i < streams; ++i, ++next) {
                    auto stream = std::make_unique<Connection>();
                    stream->index = next;
                    stream->kind = kind;
                    stream->phase = Phase::AwaitingHead;
                    stream->carrier = carrier;
                    m_subscribers.push_back(stream.get());
                    if (carrier) {
                        carrier->streams.push_back(stream.get());
                        ++m_inFlight;
                    } else {
                        stream->phase = Phase::Closed;
                    }
                    m_virtual.push_back(std::move(stream));
                }
                continue;
            }
            if (Connection *c = open(url, kind, next))
                m_subscribers.push_back(c);
            ++next;
        }
        // Back as soon as there is room for more connects (not after a fixed wait: that capped
        // the rate at 32 per 50 ms).
        loop(std::min(deadline, monoS() + 0.05), [&] {
            return (next >= m_o.n && m_inFlight == 0)
                || (next < m_o.n && m_o.inFlight > 0 && m_inFlight < size_t(m_o.inFlight));
        });
        if (next >= m_o.n && m_inFlight == 0)
            break;
    }
    m_connectS = monoS() - start;
}

void LoadGen::report(double windowS, uint64_t expected)
{
    const double selfS = selfCpuS() - m_selfStart;
    const HostSample host = sampleHost();
    double serverCpuS = 0;
    long rssBefore = 0, rssStart = 0, rssEnd = 0, rssPeak = 0;
    for (size_t i = 0; i < m_o.serverPids.size(); ++i) {
        const ProcessSample end = sampleProcess(m_o.serverPids[i]);
        serverCpuS += end.cpuS - m_serverStart[i].cpuS;
        rssBefore += m_serverRssBefore[i];
        rssStart += m_serverStart[i].rssKb;
        rssEnd += end.rssKb;
        rssPeak += std::max(m_serverRssPeak[i], end.rssKb);
    }
    uint64_t received = 0, delivered = 0, gaps = 0, duplicates = 0, incomplete = 0, withGaps = 0;
    for (const Connection *c : m_subscribers) {
        received += c->received;
        delivered += c->delivered;
        gaps += c->gaps;
        duplicates += c->duplicates;
        withGaps += c->gaps > 0 ? 1 : 0;
        const uint64_t wanted = m_o.mode == "ws" && !m_o.recvOnly ? c->sent
            : m_o.pubUrl.valid                                    ? m_stats.pubOk
                                                                  : 0;
        incomplete += c->delivered < wanted ? 1 : 0;
    }
    const double window = std::max(windowS, 1e-3);
    const double serverPct = serverCpuS / window * 100;
    const double selfPct = selfS / window * 100;
    const double hostBusyPct = (host.busyS - m_hostStart.busyS) / window * 100;
    const double pubWindow = m_pubEnd > m_pubStart ? m_pubEnd - m_pubStart : 0;
    char out[4096];
    std::snprintf(out, sizeof out,
        R"({"label":"%s","mode":"%s","n":%d,"established":%d,"connect_s":%.3f,)"
        R"("errors":{"connect":%)" PRIu64 R"(,"http":%)" PRIu64 R"(,"ws":%)" PRIu64
        R"(,"closed_by_peer":%)" PRIu64 R"(,"first":"%s"},)"
        R"("duration_s":%.3f,"window_s":%.3f,"events_window":%)" PRIu64 R"(,"delivered":%)" PRIu64
        R"(,"events_expected":%)" PRIu64 R"(,"events_per_s":%.0f,"delivery_ratio":%s,)"
        R"("seq":{"gaps":%)" PRIu64 R"(,"dups":%)" PRIu64 R"(,"conns_with_gaps":%)" PRIu64
        R"(,"conns_incomplete":%)" PRIu64 R"(},)"
        R"("pub":{"offered_per_s":%.1f,"sent":%)" PRIu64 R"(,"ok":%)" PRIu64 R"(,"errors":%)" PRIu64
        R"(,"achieved_per_s":%.1f,"late_5ms":%)" PRIu64
        R"(,"max_lag_ms":%.1f,"resp_us":%s},"ws":{"sent":%)" PRIu64 R"(},)"
        R"("latency_us":%s,)"
        R"("server":{"cpu_pct":%.1f,"rss_before_kb":%ld,"rss_start_kb":%ld,"rss_end_kb":%ld,)"
        R"("rss_peak_kb":%ld,"rss_delta_per_conn_bytes":%.0f},)"
        R"("self":{"cpu_pct":%.1f},"host":{"busy_pct":%.1f,"other_pct":%.1f},)"
        R"("storm":{"reconnected":%d,"seconds":%.3f}})",
        m_o.label.c_str(), m_o.mode.c_str(), m_o.n, m_established, m_connectS,
        m_stats.connectErrors, m_stats.httpErrors, m_stats.wsErrors, m_stats.closedByPeer,
        m_stats.firstError.substr(0, 200).c_str(), m_o.mode == "idle" ? m_o.hold : m_o.duration,
        windowS, received, delivered, expected, double(received) / window,
        expected ? std::to_string(double(delivered) / double(expected)).c_str() : "null", gaps,
        duplicates, withGaps, incomplete, m_o.rate, m_stats.pubSent, m_stats.pubOk,
        m_stats.pubErrors, pubWindow > 0 ? double(m_stats.pubOk) / pubWindow : 0.0, m_stats.pubLate,
        m_stats.pubMaxLagMs, m_stats.pubResponse.json().c_str(), m_stats.wsSent,
        m_stats.latency.json().c_str(), serverPct, rssBefore, rssStart, rssEnd, rssPeak,
        m_established > 0 ? double(rssEnd - rssBefore) * 1024 / double(m_established) : 0.0,
        selfPct, hostBusyPct, std::max(0.0, hostBusyPct - serverPct - selfPct),
        m_stormReconnected + m_resumedOpen,
        m_o.resumeMs > 0 ? (m_lastBackAt > m_firstDropAt ? m_lastBackAt - m_firstDropAt : -1.0)
                         : m_stormS);
    std::fprintf(stderr,
        "loadgen %s: %d/%d open, %" PRIu64 " received (%" PRIu64 " new, %" PRIu64
        " duplicates, %" PRIu64 " missing) of %" PRIu64 " expected in %.2f s; server %.0f%% CPU; "
        "loadgen %.0f%%\n",
        m_o.mode.c_str(), m_established, m_o.n, received, delivered, duplicates, gaps, expected,
        windowS, serverPct, selfPct);
    std::printf("%s\n", out);
}

int LoadGen::run()
{
    for (int pid : m_o.serverPids)
        m_serverRssBefore.push_back(sampleProcess(pid).rssKb);
    m_serverRssPeak = m_serverRssBefore;
    const auto startWindow = [this] {
        m_serverStart.clear();
        for (int pid : m_o.serverPids)
            m_serverStart.push_back(sampleProcess(pid));
        m_selfStart = selfCpuS();
        m_hostStart = sampleHost();
    };

    if (m_o.mode == "pub") {
        m_established = 0;
        startWindow();
        m_pubStart = monoS();
        m_pubEnd = m_pubStart + m_o.duration;
        loop(m_pubEnd + m_o.grace, [this] { return monoS() >= m_pubEnd && !publishing(); });
        m_pubEnd = std::min(m_pubEnd, monoS());
        report(m_pubEnd - m_pubStart, 0);
        return 0;
    }

    const Kind kind = m_o.mode == "idle" ? Kind::Idle
        : m_o.mode == "sse"              ? Kind::Sse
        : m_o.recvOnly                   ? Kind::WsReceive
                                         : Kind::WsSend;
    connectAll(m_o.url, kind == Kind::Idle && m_o.url.ws ? Kind::WsReceive : kind);
    if (m_o.mode == "idle") {
        startWindow();
        const double start = monoS();
        loop(start + m_o.hold, [] { return false; });
        report(monoS() - start, 0);
        return 0;
    }
    const double settled = monoS() + m_o.settle;
    loop(settled, [] { return false; });
    startWindow();
    const double start = monoS();
    if (kind == Kind::WsSend) {
        m_sendStart = start;
        m_sendEnd = start + m_o.duration;
        loop(m_sendEnd + m_o.grace, [this] {
            if (monoS() < m_sendEnd)
                return false;
            for (const Connection *c : m_subscribers) {
                if (c->phase == Phase::Open && c->delivered < c->sent)
                    return false;
            }
            return true;
        });
        uint64_t expected = 0;
        for (const Connection *c : m_subscribers)
            expected += c->sent;
        report(std::max(m_stats.lastDeliveryAt, m_sendEnd) - start, expected);
        return 0;
    }
    if (m_o.pubUrl.valid) {
        m_pubStart = start;
        m_pubEnd = start + m_o.duration;
        if (m_o.stormAt > 0) {
            loop(start + m_o.stormAt, [] { return false; });
            storm(m_o.url);
        }
        loop(m_pubEnd + m_o.grace, [this] {
            if (monoS() < m_pubEnd || publishing())
                return false;
            if (m_awaitingResume > 0)
                return false;
            for (const Connection *c : m_subscribers) {
                if (c->phase == Phase::Open && c->delivered < m_stats.pubOk)
                    return false;
            }
            return true;
        });
        const double pubEnd = m_pubEnd;
        m_pubEnd = std::min(m_pubEnd, monoS());
        report(std::max(m_stats.lastDeliveryAt, pubEnd) - start,
            m_stats.pubOk * uint64_t(openCount()));
        return 0;
    }
    loop(start + m_o.duration, [] { return false; });
    report(monoS() - start, 0);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Options options = parseOptions(argc, argv);
    // The open-file limit: as many connections as asked, if the hard limit allows.
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::signal(SIGPIPE, SIG_IGN);
    // A watchdog: whatever happens, the process ends.
    const double budget
        = 30 + options.settle + options.grace + std::max({options.duration, options.hold}) + 30;
    alarm(unsigned(budget));
    return LoadGen(std::move(options)).run();
}
