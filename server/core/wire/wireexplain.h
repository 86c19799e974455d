#pragma once

#include "wireitem.h"

#include <QList>

namespace Pushboard::WireExplain {

/// The decoded fields of an HTTP head: the start line's parts and every header, each with what
/// it means and where it is specified. `request` is the request a response answers (for the
/// Sec-WebSocket-Accept check), if known.
QList<WireField> headFields(const HttpHead &head, const HttpHead *request);
/// One line on what a header means and its section ("" when it is not one the inspector knows).
WireField headerField(const QByteArray &name, const QByteArray &value);
/// The fields of a WebSocket frame's header and payload.
QList<WireField> frameFields(const WsFrame &frame, WireDirection direction);
/// The meaning of a Close status code (RFC 6455 7.4.1), e.g. "normal closure".
QString closeCodeMeaning(quint16 code);
/// The name of an opcode: "text", "binary", "close", ...
QString opcodeName(quint8 opcode);
/// Text for a one-line summary: UTF-8 shown, control characters escaped, cut at `max`.
QString preview(QByteArrayView bytes, int max = 96);

} // namespace Pushboard::WireExplain
