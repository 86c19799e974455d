#pragma once

#include "endpointcheck.h"
#include "protocol/permessagedeflate.h"

#include <QTimer>

#include <memory>

namespace Pushboard {

/// The check of a WebSocket endpoint, over raw connections so that every frame is seen as sent:
///
/// - the main connection: the handshake (status, Upgrade, Connection, the accept key, a
///   subprotocol or extension nobody offered), every frame the server sends checked against
///   RFC 6455 (unmasked, reserved bits, opcodes, control frames, fragmentation, UTF-8, close
///   codes), the server's pings and their interval (each answered), a ping of ours and its
///   pong, staying open for the idle period, and a clean close;
/// - a handshake from a foreign Origin, which should be refused;
/// - messages of growing size (1 KiB to 16 MiB), each followed by a ping: the largest one the
///   server still answered after, and how it refused the next.
class WsCheck : public EndpointCheck
{
    Q_OBJECT

public:
    explicit WsCheck(const CheckOptions &options, QObject *parent = nullptr);
    ~WsCheck() override;

    void start() override;
    void stop() override;
    [[nodiscard]] bool hasAnswered() const override;

    /// A masked client frame (RFC 6455 5.2, 5.3) with a fresh random key.
    [[nodiscard]] static QByteArray clientFrame(quint8 opcode, QByteArrayView payload);

private:
    /// One raw WebSocket connection of the check and what was read on it.
    struct Link;

    std::unique_ptr<Link> openLink(const QByteArray &origin);
    void onUpgraded(Link &link, const QByteArray &bytes, qint64 atMs);
    void advance();
    void advanceSizes(qint64 now);
    void conclude();
    void judgeHandshake();
    void judgeMain();
    void judgeSizes();

    QTimer m_tick;
    std::unique_ptr<Link> m_main;
    std::unique_ptr<Link> m_foreign;
    std::unique_ptr<Link> m_sizes;
    QByteArray m_origin; ///< The endpoint's own origin, sent on the main connection.
    qint64 m_pingSentAtMs = -1;
    qint64 m_pongAtMs = -1;
    QByteArray m_pingPayload;
    qint64 m_closeSentAtMs = -1;
    int m_sizeStep = -1; ///< The message size being tried (index), -1 before the first.
    qint64 m_sizeSentAtMs = -1;
    qint64 m_largestAccepted = 0;
    QString m_sizeRefusal; ///< How the first refused size was refused.
    bool m_sizesDone = false;
    bool m_stopped = false; ///< stop() ended the probes early.
    bool m_concluded = false;
};

} // namespace Pushboard
