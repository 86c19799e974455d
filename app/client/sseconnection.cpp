#include "sseconnection.h"

#include <QNetworkReply>
#include <QUrlQuery>

namespace Pushboard {

SseConnection::SseConnection(const Target &target, QNetworkAccessManager *nam, QObject *parent)
    : StreamConnection(target, parent)
    , m_nam(nam)
{
    m_responseTimer.setSingleShot(true);
    connect(&m_responseTimer, &QTimer::timeout, this, [this] {
        const int seconds = qMax(1, m_target.responseTimeoutMs / 1000);
        close();
        Q_EMIT ended(QStringLiteral("no answer from the server within %1 s").arg(seconds), false);
    });
}

SseConnection::~SseConnection()
{
    close();
}

void SseConnection::open(const QString &lastEventId)
{
    close();
    m_checked = false;
    m_done = false;
    m_failure.clear();
    m_tlsFailure.clear();
    m_parser.reset();
    QUrl url = m_target.url;
    if (!m_target.topics.isEmpty()) {
        QUrlQuery query(url);
        query.removeAllQueryItems(QStringLiteral("topics"));
        query.addQueryItem(QStringLiteral("topics"), m_target.topics.join(QLatin1Char(',')));
        url.setQuery(query);
    }
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    if (!lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", lastEventId.toUtf8());
    if (!m_target.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_target.token.toUtf8());
    applyHttpVersion(request);
    request.setAttribute(
        QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setSslConfiguration(m_target.tls.configuration());
    m_reply = m_nam->get(request);
    m_responseTimer.start(m_target.responseTimeoutMs);
    m_target.tls.watch(m_reply, this, [this](const QString &reason) { m_tlsFailure = reason; });
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &SseConnection::onMetaData);
    connect(m_reply, &QNetworkReply::readyRead, this, &SseConnection::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &SseConnection::onFinished);
}

void SseConnection::close()
{
    m_responseTimer.stop();
    if (!m_reply)
        return;
    m_done = true;
    m_reply->disconnect(this);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
}

void SseConnection::onMetaData()
{
    if (m_checked || !m_reply)
        return;
    const QVariant statusValue = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusValue.isValid())
        return;
    m_checked = true;
    m_responseTimer.stop();
    const int status = statusValue.toInt();
    const QByteArray type = m_reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    QString failure;
    if (status == 204)
        failure = QStringLiteral("HTTP 204: the server asked not to reconnect");
    else if (status != 200)
        failure
            = QStringLiteral("HTTP %1 %2")
                  .arg(status)
                  .arg(m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    else if (!type.split(';').constFirst().trimmed().toLower().startsWith("text/event-stream"))
        failure = QStringLiteral("Content-Type is '%1', not text/event-stream")
                      .arg(QString::fromUtf8(type));
    const QString wrongProtocol = takeProtocol(m_reply);
    if (failure.isEmpty() && !wrongProtocol.isEmpty()) {
        m_failure = wrongProtocol;
        fail();
        return;
    }
    if (!failure.isEmpty()) {
        m_failure = failure;
        if (status == 200) // a stream of the wrong type may never end: fail now
            fail();
        return; // else fail when the (short) error body has arrived, to show it
    }
    Q_EMIT opened();
}

void SseConnection::onReadyRead()
{
    if (!m_reply)
        return;
    if (!m_checked)
        onMetaData();
    if (!m_reply || m_done || !m_failure.isEmpty())
        return;
    const QString idBefore = m_parser.lastEventId();
    const auto retryBefore = m_parser.retry();
    const QList<SseMessage> messages = m_parser.feed(m_reply->readAll());
    if (m_parser.retry() != retryBefore && m_parser.retry())
        Q_EMIT retryRequested(*m_parser.retry());
    QPointer<SseConnection> self(this);
    for (const SseMessage &message : messages) {
        Q_EMIT received(message);
        if (!self || m_done)
            return;
    }
    if (m_parser.hasFailed()) { // Never buffer without bound: end this connection.
        const QString reason = m_parser.errorString();
        close();
        Q_EMIT ended(reason, false);
        return;
    }
    // An `id:` in a block without data moves the resume point without an event to carry it.
    if (m_parser.lastEventId()
        != (messages.isEmpty() ? idBefore : messages.constLast().lastEventId))
        Q_EMIT lastEventIdChanged(m_parser.lastEventId());
}

void SseConnection::fail()
{
    const QByteArray body = m_reply ? m_reply->read(200) : QByteArray();
    const QString reason = body.isEmpty()
        ? m_failure
        : m_failure + QStringLiteral(": ") + QString::fromUtf8(body).simplified();
    close();
    Q_EMIT ended(reason, true);
}

void SseConnection::onFinished()
{
    if (!m_reply || m_done)
        return;
    if (!m_checked)
        onMetaData();
    if (!m_failure.isEmpty()) {
        fail();
        return;
    }
    if (m_done)
        return;
    if (!m_tlsFailure.isEmpty()) { // trusting the server is the user's call: do not retry
        close();
        Q_EMIT ended(m_tlsFailure, true);
        return;
    }
    const QString reason = m_reply->error() == QNetworkReply::NoError
        ? QStringLiteral("the server ended the stream")
        : m_reply->errorString();
    m_done = true;
    m_reply->deleteLater();
    m_reply = nullptr;
    Q_EMIT ended(reason, false);
}

} // namespace Pushboard
