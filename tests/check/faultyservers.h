#pragma once

// Small, deliberately broken servers for the check's tests: each is correct but for the one
// fault it is told to have, so that a check of it must fail exactly that item.

#include "protocol/httphead.h"
#include "protocol/wsframe.h"
#include "protocol/wsframedecoder.h"
#include "protocol/wshandshake.h"

#include <QDateTime>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <zlib.h>

/// An SSE server on 127.0.0.1: one `tick` event every 100 ms (`id: n`, data
/// `{"time":<ms since the epoch>,"n":n}`), `retry: 1000` first, a `: keepalive` comment every
/// 300 ms, chunked, and replay after Last-Event-ID from a history that starts at id 1.
class FaultySseServer : public QObject
{
public:
    enum class Fault {
        None,
        WrongContentType, ///< text/plain
        NoIds, ///< events without `id:`
        FixedTail, ///< ignores Last-Event-ID and sends the last five events on every request
        LosingReplay, ///< resumes one event too late (after id + 1)
        HistoryLimit, ///< replays at most three events, then goes live (Mercure #1382)
        NoKeepalive, ///< no comments, and a quiet topic: nothing is published after start
        Compressed, ///< gzip, flushed after every event
        ClosesAfter3s, ///< ends every stream cleanly after 3 s (a reconnect resumes it)
    };

    explicit FaultySseServer(Fault fault)
        : m_fault(fault)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                accept(socket);
        });
        connect(&m_publish, &QTimer::timeout, this, &FaultySseServer::publish);
        if (m_fault != Fault::NoKeepalive)
            m_publish.start(100);
        connect(&m_keepalive, &QTimer::timeout, this, [this] {
            for (const auto &client : m_clients)
                send(*client, ": keepalive\n\n");
        });
        if (m_fault != Fault::NoKeepalive)
            m_keepalive.start(300);
    }

    ~FaultySseServer() override
    {
        // The accepted sockets die with m_server, after the members their handlers use; a
        // socket aborted in its destructor still emits disconnected(). Cut them off first.
        const QList<QTcpSocket *> sockets = m_server.findChildren<QTcpSocket *>();
        for (QTcpSocket *socket : sockets)
            socket->disconnect(this);
    }

    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] qsizetype published() const { return m_events.size(); }
    /// Publishes one event at once (tests that need history before the check).
    void publish()
    {
        const qint64 n = m_events.size() + 1;
        QByteArray block;
        if (m_fault != Fault::NoIds)
            block += "id: " + QByteArray::number(n) + '\n';
        block += "event: tick\ndata: {\"time\":"
            + QByteArray::number(QDateTime::currentMSecsSinceEpoch())
            + ",\"n\":" + QByteArray::number(n) + "}\n\n";
        m_events.append(block);
        for (const auto &client : m_clients)
            send(*client, block);
    }

private:
    struct Client
    {
        QPointer<QTcpSocket> socket;
        QByteArray head;
        bool streaming = false;
        std::unique_ptr<z_stream> gzip;
        ~Client()
        {
            if (gzip)
                deflateEnd(gzip.get());
        }
    };

    void accept(QTcpSocket *socket)
    {
        auto client = std::make_shared<Client>();
        client->socket = socket;
        connect(socket, &QTcpSocket::readyRead, this, [this, client] {
            if (client->streaming)
                return (void)client->socket->readAll();
            client->head += client->socket->readAll();
            const auto result = Pushboard::parseHttpHead(client->head, true, 64 * 1024);
            if (result.status == Pushboard::HttpHeadResult::Status::Complete)
                serve(client, result.head);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, client] {
            m_clients.removeAll(client);
            client->socket->deleteLater();
        });
    }

    void serve(const std::shared_ptr<Client> &client, const Pushboard::HttpHead &request)
    {
        client->streaming = true;
        QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: "
            + QByteArray(m_fault == Fault::WrongContentType ? "text/plain; charset=utf-8"
                                                            : "text/event-stream")
            + "\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n";
        if (m_fault == Fault::Compressed) {
            head += "Content-Encoding: gzip\r\n";
            client->gzip = std::make_unique<z_stream>();
            *client->gzip = {};
            deflateInit2(client->gzip.get(), 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        }
        client->socket->write(head + "\r\n");
        send(*client, "retry: 1000\n\n");

        bool ok = false;
        const qsizetype last = request.value("Last-Event-ID").toLongLong(&ok);
        qsizetype from = m_events.size(); // live only
        qsizetype until = m_events.size();
        if (m_fault == Fault::FixedTail)
            from = qMax<qsizetype>(0, m_events.size() - 5);
        else if (ok && last >= 0 && last <= m_events.size())
            from = last + (m_fault == Fault::LosingReplay ? 1 : 0);
        if (m_fault == Fault::HistoryLimit && ok)
            until = qMin(until, from + 3);
        for (qsizetype i = from; i < until; ++i)
            send(*client, m_events.at(i));
        m_clients.append(client);
        if (m_fault == Fault::ClosesAfter3s) {
            QTimer::singleShot(3000, client->socket, [this, client] {
                m_clients.removeAll(client);
                client->socket->write("0\r\n\r\n"); // the last chunk: a clean end
                client->socket->disconnectFromHost();
            });
        }
    }

    void send(Client &client, const QByteArray &text)
    {
        if (!client.socket)
            return;
        QByteArray bytes = text;
        if (client.gzip) {
            z_stream &z = *client.gzip;
            QByteArray out(text.size() + 256, Qt::Uninitialized);
            z.next_in = reinterpret_cast<Bytef *>(bytes.data());
            z.avail_in = uInt(bytes.size());
            z.next_out = reinterpret_cast<Bytef *>(out.data());
            z.avail_out = uInt(out.size());
            deflate(&z, Z_SYNC_FLUSH);
            out.truncate(out.size() - qsizetype(z.avail_out));
            bytes = out;
        }
        client.socket->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
    }

    Fault m_fault;
    QTcpServer m_server;
    QTimer m_publish;
    QTimer m_keepalive;
    QList<QByteArray> m_events; ///< Id n is at n - 1.
    QList<std::shared_ptr<Client>> m_clients;
};

/// A WebSocket server on 127.0.0.1: refuses any Origin but its own (403), pings every 300 ms,
/// sends a text message every 200 ms, answers pings, echoes a Close, and closes with 1009 on a
/// message over 100 KiB.
class FaultyWsServer : public QObject
{
public:
    enum class Fault {
        None,
        MaskedFrames, ///< masks what it sends
        NoPings,
        AnyOrigin, ///< accepts every Origin
    };

    static constexpr quint64 MaxMessage = 100 * 1024;

    explicit FaultyWsServer(Fault fault)
        : m_fault(fault)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                accept(socket);
        });
        connect(&m_tick, &QTimer::timeout, this, [this] {
            ++m_ticks;
            for (const auto &client : m_clients) {
                if (m_fault != Fault::NoPings && m_ticks % 3 == 0)
                    send(*client, Pushboard::WsFrame::Ping, "alive");
                if (m_ticks % 2 == 0)
                    send(*client, Pushboard::WsFrame::Text, "tick " + QByteArray::number(m_ticks));
            }
        });
        m_tick.start(100);
    }

    ~FaultyWsServer() override
    {
        // The accepted sockets die with m_server, after the members their handlers use; a
        // socket aborted in its destructor still emits disconnected(). Cut them off first.
        const QList<QTcpSocket *> sockets = m_server.findChildren<QTcpSocket *>();
        for (QTcpSocket *socket : sockets)
            socket->disconnect(this);
    }

    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

private:
    struct Client
    {
        QPointer<QTcpSocket> socket;
        QByteArray head;
        bool open = false;
        Pushboard::WsFrameDecoder decoder {MaxMessage};
    };

    void accept(QTcpSocket *socket)
    {
        auto client = std::make_shared<Client>();
        client->socket = socket;
        connect(socket, &QTcpSocket::readyRead, this, [this, client] { read(client); });
        connect(socket, &QTcpSocket::disconnected, this, [this, client] {
            m_clients.removeAll(client);
            client->socket->deleteLater();
        });
    }

    void read(const std::shared_ptr<Client> &client)
    {
        QTcpSocket *socket = client->socket;
        if (!client->open) {
            client->head += socket->readAll();
            const auto result = Pushboard::parseHttpHead(client->head, true, 64 * 1024);
            if (result.status != Pushboard::HttpHeadResult::Status::Complete)
                return;
            const QByteArray ownOrigin = "http://127.0.0.1:" + QByteArray::number(port());
            if (m_fault != Fault::AnyOrigin && result.head.value("Origin") != ownOrigin) {
                socket->write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: "
                              "close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                + Pushboard::webSocketAccept(result.head.value("Sec-WebSocket-Key")) + "\r\n\r\n");
            client->open = true;
            m_clients.append(client);
            client->decoder.feed(QByteArrayView(client->head).sliced(result.head.size));
        } else {
            client->decoder.feed(socket->readAll());
        }
        while (const auto frame = client->decoder.next()) {
            if (frame->opcode == Pushboard::WsFrame::Ping) {
                send(*client, Pushboard::WsFrame::Pong, frame->payload);
            } else if (frame->opcode == Pushboard::WsFrame::Close) {
                send(*client, Pushboard::WsFrame::Close, frame->payload.left(2));
                socket->disconnectFromHost();
                return;
            }
        }
        if (client->decoder.error() == Pushboard::WsFrameDecoder::Error::TooLarge) {
            send(*client, Pushboard::WsFrame::Close,
                Pushboard::WsFrame::closePayload(1009, QStringLiteral("too big")));
            socket->disconnectFromHost();
        }
    }

    void send(Client &client, quint8 opcode, const QByteArray &payload)
    {
        if (!client.socket)
            return;
        QByteArray frame = Pushboard::WsFrame::serverFrame(opcode, payload);
        if (m_fault == Fault::MaskedFrames) {
            // Same header with the MASK bit and a key, then the masked payload.
            const qsizetype header = frame.size() - payload.size();
            QByteArray masked = frame.left(header);
            masked[1] = char(masked.at(1) | 0x80);
            const char key[4] = {'\x12', '\x34', '\x56', '\x78'};
            masked.append(key, 4);
            for (qsizetype i = 0; i < payload.size(); ++i)
                masked.append(char(payload.at(i) ^ key[i % 4]));
            frame = masked;
        }
        client.socket->write(frame);
    }

    Fault m_fault;
    QTcpServer m_server;
    QTimer m_tick;
    qint64 m_ticks = 0;
    QList<std::shared_ptr<Client>> m_clients;
};

/// A relay that buffers what the server sends, as nginx with `proxy_buffering on` in front of
/// a stream does: the answer's head goes through at once, the body only every 2.5 s.
class BufferingProxy : public QObject
{
public:
    explicit BufferingProxy(quint16 upstream)
        : m_upstream(upstream)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                relay(socket);
        });
        connect(&m_flush, &QTimer::timeout, this, [this] {
            for (const auto &pair : m_pairs) {
                if (pair->client && !pair->held.isEmpty())
                    pair->client->write(std::exchange(pair->held, {}));
            }
        });
        m_flush.start(2500);
    }

    ~BufferingProxy() override
    {
        // The accepted sockets die with m_server, after the members their handlers use; a
        // socket aborted in its destructor still emits disconnected(). Cut them off first.
        const QList<QTcpSocket *> sockets = m_server.findChildren<QTcpSocket *>();
        for (QTcpSocket *socket : sockets)
            socket->disconnect(this);
    }

    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

private:
    struct Pair
    {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> server;
        QByteArray head; ///< Until the blank line has gone through.
        bool headDone = false;
        QByteArray held;
    };

    void relay(QTcpSocket *client)
    {
        auto pair = std::make_shared<Pair>();
        pair->client = client;
        pair->server = new QTcpSocket(client);
        m_pairs.append(pair);
        connect(client, &QTcpSocket::readyRead, this,
            [pair] { pair->server->write(pair->client->readAll()); });
        connect(pair->server, &QTcpSocket::readyRead, this, [pair] {
            QByteArray bytes = pair->server->readAll();
            if (!pair->headDone) {
                pair->head += bytes;
                const qsizetype end = pair->head.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                pair->client->write(pair->head.left(end + 4));
                bytes = pair->head.mid(end + 4);
                pair->headDone = true;
            }
            pair->held += bytes;
        });
        connect(client, &QTcpSocket::disconnected, this, [this, pair] {
            m_pairs.removeAll(pair);
            pair->client->deleteLater();
        });
        pair->server->connectToHost(QHostAddress::LocalHost, m_upstream);
    }

    quint16 m_upstream;
    QTcpServer m_server;
    QTimer m_flush;
    QList<std::shared_ptr<Pair>> m_pairs;
};
