#pragma once

#include "httpreply.h"
#include "protocol/httprequestparser.h"

namespace Pushboard {

class EventLog;

/// The one-shot JSON endpoints over the event log (docs/protocol.md, "HTTP").
namespace EventApi {

/// Events one publish request may carry.
inline constexpr int MaxBatchEvents = 1000;

/// `POST /api/publish`, body `{"topic": "...", "data": <any JSON>}` → `202 {"id": "..."}`; a
/// JSON array of such objects, or NDJSON (`Content-Type: application/x-ndjson`, one per line)
/// → `202 {"ids": [...]}` in order, all stored in one transaction. A bad body is a 400 with the
/// reason (and which event or line), more than MaxBatchEvents a 413; either stores nothing.
void publish(EventLog &store, const HttpRequest &request, HttpReply &&reply);

/// `GET /api/snapshot` → `{"events": [<newest event of every topic>, ...]}` in id order.
void snapshot(const EventLog &store, HttpReply &&reply);

/// `GET /api/topics` → `{"topics": [{"topic": "...", "count": N, "newestId": "..."}, ...]}`.
void topics(const EventLog &store, HttpReply &&reply);

} // namespace EventApi
} // namespace Pushboard
