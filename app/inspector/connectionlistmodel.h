#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QTimer>

namespace Pushboard {

class CaptureLog;

/// The inspected connections, in the order they opened: transport, peer, state, bytes and
/// items each way, and which attempt at its stream it is (a reconnect is a new connection to
/// the same target). Refreshed in one batch at most UpdateHz times a second.
class ConnectionListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Provided by InspectorSession.connections")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    static constexpr int UpdateHz = 4;

    enum Roles {
        IdRole = Qt::UserRole + 1, ///< `connectionId`
        TransportRole, ///< `transport`: sse, ws, poll, longpoll, http, unknown.
        PeerRole, ///< `peer`: the client's address:port.
        TargetRole, ///< `target`: the first request's target.
        OpenRole, ///< `open`: bool.
        StateRole, ///< `state`: "open" or "closed: reason".
        BytesSentRole, ///< `bytesSent`: client to server.
        BytesReceivedRole, ///< `bytesReceived`
        FramesSentRole, ///< `framesSent`: items decoded each way.
        FramesReceivedRole, ///< `framesReceived`
        /// `attempt`: 1 + the closed connections from the same address to the same target before
        /// it (2: the first reconnect, as far as the inspector can tell).
        AttemptRole,
    };
    Q_ENUM(Roles)

    explicit ConnectionListModel(CaptureLog *log, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(
        const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    /// Applies the log's changes now.
    Q_INVOKABLE void update();

Q_SIGNALS:
    void countChanged();

private:
    CaptureLog *m_log;
    QList<quint64> m_ids;
    QTimer m_timer;
};

} // namespace Pushboard
