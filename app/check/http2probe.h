#pragma once

#include "tlstrust.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QTcpSocket;

namespace Pushboard {

/// Whether a server offers HTTP/2: over TLS, what ALPN chooses when a client offers h2 and
/// http/1.1 (what browsers do); on clear text, whether it answers the HTTP/2 connection preface
/// with a SETTINGS frame (h2c with prior knowledge, which no browser uses).
class Http2Probe : public QObject
{
    Q_OBJECT

public:
    explicit Http2Probe(QObject *parent = nullptr);

    void start(const QUrl &url, const TlsTrust &tls, int timeoutMs);

    [[nodiscard]] bool isDone() const { return m_done; }
    [[nodiscard]] bool tls() const { return m_tls; }
    /// "h2", "http/1.1" (ALPN over TLS; empty when the server chose nothing), or on clear
    /// text "h2c" when the preface was answered.
    [[nodiscard]] QString protocol() const { return m_protocol; }
    /// What happened, for the evidence: the bytes seen, an error.
    [[nodiscard]] QString detail() const { return m_detail; }

Q_SIGNALS:
    void finished();

private:
    void finish(const QString &protocol, const QString &detail);

    QPointer<QTcpSocket> m_socket;
    QTimer m_timeout;
    QByteArray m_answer;
    bool m_tls = false;
    bool m_done = false;
    QString m_protocol;
    QString m_detail;
};

} // namespace Pushboard
