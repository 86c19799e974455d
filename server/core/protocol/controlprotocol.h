#pragma once

#include "../event.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <optional>

/// Pushboard's WebSocket protocol (docs/protocol.md, "WebSocket"): one JSON object per text
/// frame. Every client message may carry "ref" (any JSON value); the answer repeats it.
namespace Pushboard::ControlProtocol {

/// A client message, checked: `op` is one of the four, and its fields have the right types.
struct ClientMessage
{
    enum class Op { Subscribe, Unsubscribe, Publish, Control };
    Op op = Op::Subscribe;
    QJsonValue ref; ///< Undefined when the client sent none.
    // subscribe
    QStringList topics; ///< Empty: every topic.
    std::optional<quint64> after;
    // publish
    QString topic;
    QJsonValue data;
    // control
    QString action;
    QJsonObject args;
};

/// Parses one text frame. On failure returns nothing, sets `error` to a reason for the client and
/// `ref` to the message's ref when it could be read (so the error answer can carry it).
[[nodiscard]] std::optional<ClientMessage> parse(
    const QByteArray &frame, QString *error, QJsonValue *ref);

/// `{"op":"event","id":"..","topic":"..","time":..,"data":..}`, built by concatenation: the
/// payload is not parsed again.
[[nodiscard]] QByteArray event(const Event &event);
/// `{"op":"gap","from":"..","to":".."}`
[[nodiscard]] QByteArray gap(quint64 firstMissing, quint64 lastMissing);
/// `{"op":"reset","newest":".."}`
[[nodiscard]] QByteArray reset(quint64 newestId);
/// `{"op":"ack","ref":..}` plus `fields` (e.g. the id of a published event).
[[nodiscard]] QByteArray ack(const QJsonValue &ref, const QJsonObject &fields = {});
/// `{"op":"error","ref":..,"error":".."}`
[[nodiscard]] QByteArray error(const QJsonValue &ref, const QString &reason);
/// `{"op":"state", ...state}`
[[nodiscard]] QByteArray state(const QJsonObject &state);

} // namespace Pushboard::ControlProtocol
