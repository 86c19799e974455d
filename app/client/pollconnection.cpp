#include "pollconnection.h"

#include "event.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QUrlQuery>

namespace Pushboard {

PollConnection::PollConnection(
    const Target &target, bool longPoll, QNetworkAccessManager *nam, QObject *parent)
    : StreamConnection(target, parent)
    , m_nam(nam)
    , m_longPoll(longPoll)
{
    m_next.setSingleShot(true);
    connect(&m_next, &QTimer::timeout, this, &PollConnection::request);
}

PollConnection::~PollConnection()
{
    close();
}

void PollConnection::open(const QString &lastEventId)
{
    close();
    quint64 id = 0;
    m_after = parseEventId(lastEventId.toUtf8(), &id) ? lastEventId : QString();
    m_opened = false;
    request();
}

void PollConnection::close()
{
    m_next.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
}

void PollConnection::request()
{
    QUrl url = m_target.url;
    QUrlQuery query(url);
    if (!m_after.isEmpty())
        query.addQueryItem(QStringLiteral("after"), m_after);
    if (!m_target.topics.isEmpty())
        query.addQueryItem(QStringLiteral("topics"), m_target.topics.join(QLatin1Char(',')));
    query.addQueryItem(QStringLiteral("limit"), QString::number(PageSize));
    if (m_longPoll)
        query.addQueryItem(QStringLiteral("wait"), QString::number(LongPollWaitS));
    url.setQuery(query);
    QNetworkRequest request(url);
    if (!m_target.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_target.token.toUtf8());
    request.setTransferTimeout((LongPollWaitS + 15) * 1000);
    request.setSslConfiguration(m_target.tls.configuration());
    applyHttpVersion(request);
    m_tlsFailure.clear();
    m_reply = m_nam->get(request);
    m_target.tls.watch(m_reply, this, [this](const QString &reason) { m_tlsFailure = reason; });
    connect(m_reply, &QNetworkReply::finished, this, &PollConnection::onFinished);
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received) {
        if (received <= MaxMessageBytes || !m_reply)
            return;
        QNetworkReply *reply = std::exchange(m_reply, nullptr);
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
        Q_EMIT ended(
            QStringLiteral("the answer is larger than %1 bytes").arg(MaxMessageBytes), false);
    });
}

void PollConnection::onFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (!m_tlsFailure.isEmpty()) { // trusting the server is the user's call: do not retry
        Q_EMIT ended(m_tlsFailure, true);
        return;
    }
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        Q_EMIT ended(reply->errorString(), false);
        return;
    }
    if (const QString wrongProtocol = takeProtocol(reply); !wrongProtocol.isEmpty()) {
        Q_EMIT ended(wrongProtocol, true);
        return;
    }
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    if (status != 200 || !body.contains(QStringLiteral("next"))) {
        const QString error = body.value(QStringLiteral("error")).toString();
        // A 4xx will not get better by asking again; a 5xx might.
        Q_EMIT ended(QStringLiteral("HTTP %1%2")
                         .arg(status)
                         .arg(error.isEmpty() ? QString() : QStringLiteral(": ") + error),
            status >= 400 && status < 500);
        return;
    }
    if (!m_opened) {
        m_opened = true;
        Q_EMIT opened();
    }
    QPointer<PollConnection> self(this);
    const QString next = body.value(QStringLiteral("next")).toString();
    if (body.contains(QStringLiteral("gap"))) {
        Q_EMIT received(SseMessage {QStringLiteral("gap"),
            QString::fromUtf8(QJsonDocument(body.value(QStringLiteral("gap")).toObject())
                                  .toJson(QJsonDocument::Compact)),
            m_after});
    }
    if (body.value(QStringLiteral("reset")).toBool())
        Q_EMIT received(SseMessage {
            QStringLiteral("reset"), QStringLiteral("{\"newest\":\"%1\"}").arg(next), next, true});
    const QJsonArray events = body.value(QStringLiteral("events")).toArray();
    for (const QJsonValue &value : events) {
        if (!self)
            return;
        const QJsonObject event = value.toObject();
        const QByteArray data
            = "{\"time\":" + QByteArray::number(event.value(QStringLiteral("time")).toInteger())
            + ",\"data\":" + compactJson(event.value(QStringLiteral("data"))) + '}';
        Q_EMIT received(SseMessage {event.value(QStringLiteral("topic")).toString(),
            QString::fromUtf8(data), event.value(QStringLiteral("id")).toString(), true});
    }
    if (!self)
        return;
    m_after = next;
    if (!next.isEmpty())
        Q_EMIT lastEventIdChanged(next);
    // A full page means more are waiting (after a burst, or catching up after a restart): the
    // next page is asked for at once rather than an interval later.
    const bool more = events.size() >= PageSize;
    m_next.start(m_longPoll || more ? 0 : qMax(10, m_target.pollIntervalMs));
}

} // namespace Pushboard
