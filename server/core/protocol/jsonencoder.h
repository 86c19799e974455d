#pragma once

#include "../event.h"

#include <QByteArray>

namespace Pushboard::JsonEncoder {

/// `{"id":"<id>","topic":"<topic>","time":<ms>,"data":<payload>}`: an event as the JSON APIs
/// (polling, snapshot, WebSocket) carry it. Ids are strings, as on the SSE wire, so that no
/// JavaScript client loses precision past 2^53.
[[nodiscard]] QByteArray event(const Event &event);

/// A JSON array of event() objects.
[[nodiscard]] QByteArray eventArray(const EventList &events);

} // namespace Pushboard::JsonEncoder
