#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpSocket>

/// A deliberately small SSE reader for the server tests: one raw QTcpSocket, the response head
/// kept as text, the body cut into blocks at blank lines (the server only writes LF line ends).
class SseTestClient : public QObject
{
    Q_OBJECT

public:
    struct Block
    {
        QByteArray id, event, data, comment, retry;
        bool hasId = false;
    };

    explicit SseTestClient(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&socket, &QTcpSocket::readyRead, this, [this] {
            m_received += socket.readAll();
            const qsizetype end = m_received.indexOf("\r\n\r\n");
            if (!m_headDone && end >= 0) {
                head = m_received.first(end + 2);
                m_received.remove(0, end + 4);
                m_headDone = true;
            }
            if (m_headDone) {
                body += m_received;
                m_received.clear();
            }
        });
    }

    void get(quint16 port, const QByteArray &target, const QList<QByteArray> &headers = {})
    {
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        QByteArray request
            = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
        for (const QByteArray &header : headers)
            request += header + "\r\n";
        socket.write(request + "\r\n");
    }

    [[nodiscard]] bool headReceived() const { return m_headDone; }
    [[nodiscard]] int status() const { return head.mid(9, 3).toInt(); }

    /// Complete blocks received so far.
    [[nodiscard]] QList<Block> blocks() const
    {
        QList<Block> out;
        qsizetype start = 0;
        for (qsizetype end = body.indexOf("\n\n"); end >= 0; end = body.indexOf("\n\n", start)) {
            Block block;
            for (const QByteArray &line : body.mid(start, end - start).split('\n')) {
                const qsizetype colon = line.indexOf(": ");
                const QByteArray field = line.left(colon);
                const QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 2);
                if (line.startsWith(':'))
                    block.comment = line.mid(2);
                else if (field == "id")
                    block.id = value, block.hasId = true;
                else if (field == "event")
                    block.event = value;
                else if (field == "data")
                    block.data = value;
                else if (field == "retry")
                    block.retry = value;
            }
            out.append(block);
            start = end + 2;
        }
        return out;
    }

    /// The ids of the event blocks received so far, in order.
    [[nodiscard]] QList<QByteArray> eventIds() const
    {
        QList<QByteArray> ids;
        for (const Block &block : blocks()) {
            if (!block.event.isEmpty() && block.event != "gap" && block.event != "reset")
                ids.append(block.id);
        }
        return ids;
    }

    QTcpSocket socket;
    QByteArray head;
    QByteArray body;

private:
    QByteArray m_received;
    bool m_headDone = false;
};
