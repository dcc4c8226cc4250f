// Transport: delivers one rendered OutboxMessage over one channel (SMTP,
// an HTTP webhook, the log). Implemented by the adapters in delivery/.
//
// Send blocks for at most the transport's configured timeout; the Sender
// calls it from its own thread, never from an HTTP thread.
// Errors: kUnavailable for a failure worth retrying (connection refused,
// timeout, 4xx SMTP reply, HTTP 5xx/429); kInvalidArgument for one that
// will fail again (5xx SMTP reply for the recipient, HTTP 4xx, a
// malformed address): the Sender gives such a message up at once.
// Thread-safety: Send may be called from several threads at once.
#ifndef AUTHD_COURIER_TRANSPORT_H_
#define AUTHD_COURIER_TRANSPORT_H_

#include "core/status.h"
#include "courier/message.h"

namespace authd::courier {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual core::Status Send(const OutboxMessage& m) = 0;
  // For logs: "smtp", "webhook", "log".
  virtual const char* name() const = 0;
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_TRANSPORT_H_
