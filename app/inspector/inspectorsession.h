#pragma once

#include "connectionlistmodel.h"
#include "framelistmodel.h"
#include "itemdetail.h"
#include "servercapture.h"
#include "timelinemodel.h"
#include "wire/capturelog.h"
#include "wiretap.h"

#include <QObject>
#include <QQmlEngine>
#include <QTimer>
#include <QUrl>

namespace Pushboard {

/// The Inspector page's one object: a capture log, the relay that fills it, the relay's faults,
/// and the models the page shows (connections, frames, timeline, the selected item's detail).
class InspectorSession : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool listening READ isListening NOTIFY listeningChanged)
    /// Where clients connect to go through the relay ("" while not listening).
    Q_PROPERTY(QString relayUrl READ relayUrlText NOTIFY listeningChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    /// The server's own connections are being watched (watchServer()).
    Q_PROPERTY(bool watchingServer READ isWatchingServer NOTIFY listeningChanged)
    Q_PROPERTY(int latencyMs READ latencyMs WRITE setLatencyMs NOTIFY faultsChanged)
    Q_PROPERTY(double bytesPerSecond READ bytesPerSecondValue WRITE setBytesPerSecondValue NOTIFY
            faultsChanged)
    Q_PROPERTY(bool stall READ stall WRITE setStall NOTIFY faultsChanged)
    Q_PROPERTY(bool blackHole READ blackHole WRITE setBlackHole NOTIFY faultsChanged)
    // Counts as double: QML has no 64-bit integer.
    Q_PROPERTY(double itemCount READ itemCount NOTIFY statsChanged)
    Q_PROPERTY(double droppedItems READ droppedItems NOTIFY statsChanged)
    Q_PROPERTY(double storedBytes READ storedBytes NOTIFY statsChanged)
    Q_PROPERTY(double maxBytes READ maxBytes CONSTANT)
    Q_PROPERTY(int maxItems READ maxItems CONSTANT)
    Q_PROPERTY(Pushboard::FrameListModel *frames READ frames CONSTANT)
    Q_PROPERTY(Pushboard::ConnectionListModel *connections READ connections CONSTANT)
    Q_PROPERTY(Pushboard::TimelineModel *timeline READ timeline CONSTANT)
    Q_PROPERTY(Pushboard::ItemDetail *detail READ detail CONSTANT)

public:
    explicit InspectorSession(QObject *parent = nullptr);
    ~InspectorSession() override;

    /// Starts the relay on 127.0.0.1:`port` (0: any free one) in front of `upstream`.
    Q_INVOKABLE bool start(const QUrl &upstream, int port = 0);
    Q_INVOKABLE void stop();
    /// Watches the connections a Pushboard server holds, captured by the server itself
    /// (instead of the relay; the log starts empty).
    Q_INVOKABLE void watchServer(const QString &serverUrl, const QString &token = {});
    [[nodiscard]] bool isWatchingServer() const { return m_server.isRunning(); }
    /// Latency, bandwidth and stall for one relayed connection only, instead of the common ones.
    Q_INVOKABLE void setConnectionFaults(
        int connection, int latencyMs, double bytesPerSecond, bool stall);
    /// Closes a connection (0: all) at once.
    Q_INVOKABLE void dropNow(int connection = 0);
    /// The server's next bytes on a connection (0: each) go only half, then it is closed.
    Q_INVOKABLE void cutMidFrame(int connection = 0);
    /// Forgets what was recorded.
    Q_INVOKABLE void clear();
    /// Writes the session as "json", "har" or "pcapng" to `path` (a file path or URL); false with
    /// errorString() when it cannot.
    Q_INVOKABLE bool exportTo(const QString &format, const QString &path);

    [[nodiscard]] bool isListening() const { return m_tap != nullptr; }
    [[nodiscard]] QUrl relayUrl() const;
    [[nodiscard]] QString relayUrlText() const { return relayUrl().toString(); }
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] int latencyMs() const { return m_faults.latencyMs; }
    void setLatencyMs(int ms);
    [[nodiscard]] qint64 bytesPerSecond() const { return m_faults.bytesPerSecond; }
    void setBytesPerSecond(qint64 bps);
    [[nodiscard]] double bytesPerSecondValue() const { return double(bytesPerSecond()); }
    void setBytesPerSecondValue(double bps) { setBytesPerSecond(qint64(bps)); }
    [[nodiscard]] bool stall() const { return m_faults.stall; }
    void setStall(bool stall);
    [[nodiscard]] bool blackHole() const { return m_faults.blackHole; }
    void setBlackHole(bool blackHole);
    [[nodiscard]] double itemCount() const { return double(m_log.items().size()); }
    [[nodiscard]] double droppedItems() const { return double(m_log.droppedItems()); }
    [[nodiscard]] double storedBytes() const { return double(m_log.storedBytes()); }
    [[nodiscard]] double maxBytes() const { return double(m_log.limits().maxBytes); }
    [[nodiscard]] int maxItems() const { return int(m_log.limits().maxItems); }
    [[nodiscard]] FrameListModel *frames() { return &m_frames; }
    [[nodiscard]] ConnectionListModel *connections() { return &m_connections; }
    [[nodiscard]] TimelineModel *timeline() { return &m_timeline; }
    [[nodiscard]] ItemDetail *detail() { return &m_detail; }
    [[nodiscard]] CaptureLog *log() { return &m_log; }

Q_SIGNALS:
    void listeningChanged();
    void errorStringChanged();
    void faultsChanged();
    void statsChanged();

private:
    void setFaults(const WireTap::Faults &faults);
    void setError(const QString &error);

    CaptureLog m_log; // First: the tap and the models use it.
    std::unique_ptr<WireTap> m_tap;
    ServerCapture m_server;
    WireTap::Faults m_faults;
    FrameListModel m_frames;
    ConnectionListModel m_connections;
    TimelineModel m_timeline;
    ItemDetail m_detail;
    QTimer m_statsTimer;
    QString m_error;
};

} // namespace Pushboard
