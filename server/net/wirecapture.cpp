#include "wirecapture.h"

#include <QTcpSocket>

namespace Pushboard {

namespace {
const char IdProperty[] = "pushboardWireId";
}

WireCapture::WireCapture(QObject *parent)
    : QObject(parent)
{ }

quint64 WireCapture::attach(QTcpSocket *socket)
{
    const quint64 id = m_nextId++;
    socket->setProperty(IdProperty, id);
    Connection c;
    c.endpoints = {socket->peerAddress().toString(), socket->peerPort(),
        socket->localAddress().toString(), socket->localPort()};
    c.sinceUs = WireObserver::nowUs();
    m_open.insert(id, c);
    if (m_active && isCaptured(id))
        announce(id, m_open[id], false);
    return id;
}

quint64 WireCapture::idOf(const QObject *socket)
{
    return socket ? socket->property(IdProperty).toULongLong() : 0;
}

void WireCapture::setTransport(quint64 id, const QString &transport)
{
    const auto it = m_open.find(id);
    if (it != m_open.end())
        it->transport = transport;
}

void WireCapture::exclude(quint64 id)
{
    const auto it = m_open.find(id);
    if (it != m_open.end())
        it->excluded = true;
}

bool WireCapture::isCaptured(quint64 id) const
{
    const auto it = m_open.constFind(id);
    if (it == m_open.constEnd() || it->excluded)
        return false;
    return m_all || m_selected.contains(id);
}

void WireCapture::announce(quint64 id, Connection &connection, bool midStream)
{
    if (connection.announced)
        return;
    connection.announced = true;
    Q_EMIT opened(id, connection.endpoints, connection.transport, midStream, WireObserver::nowUs());
}

void WireCapture::report(quint64 id, WireDirection direction, QByteArrayView bytes)
{
    const auto it = m_open.find(id);
    if (it == m_open.end() || it->excluded || !(m_all || m_selected.contains(id))
        || bytes.isEmpty())
        return;
    announce(id, *it, false);
    Q_EMIT this->bytes(id, direction, bytes.toByteArray(), WireObserver::nowUs());
}

void WireCapture::closed(quint64 id, const QString &reason)
{
    const auto it = m_open.find(id);
    if (it == m_open.end())
        return;
    if (it->announced && m_active)
        Q_EMIT ended(id, reason, WireObserver::nowUs());
    m_open.erase(it);
    m_selected.remove(id);
}

void WireCapture::setCaptureAll(bool all)
{
    m_all = all;
    if (!all)
        m_selected.clear();
    updateActive();
}

void WireCapture::setCaptured(quint64 id, bool captured)
{
    if (!m_open.contains(id))
        return;
    if (captured)
        m_selected.insert(id);
    else
        m_selected.remove(id);
    updateActive();
}

void WireCapture::addSubscriber()
{
    ++m_subscribers;
    // A new watcher hears of every captured connection, from the middle of its life.
    for (auto it = m_open.begin(); it != m_open.end(); ++it)
        it->announced = false;
    updateActive();
}

void WireCapture::removeSubscriber()
{
    m_subscribers = qMax(0, m_subscribers - 1);
    updateActive();
}

void WireCapture::updateActive()
{
    m_active = m_subscribers > 0 && (m_all || !m_selected.isEmpty());
    if (!m_active)
        return;
    for (auto it = m_open.begin(); it != m_open.end(); ++it) {
        if (!it->excluded && (m_all || m_selected.contains(it.key())))
            announce(it.key(), *it, it->transport != u"http"); // Streams: joined mid-body.
    }
}

} // namespace Pushboard
