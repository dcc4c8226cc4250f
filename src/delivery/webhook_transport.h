// Webhook transport: POSTs messages as JSON over HTTP(S) with libcurl.
//
// A Channel::kWebhook message (an event) goes to its own recipient URL
// with its body, already the JSON document, as is. An e-mail or SMS
// message (handing delivery to a gateway the operator runs) goes to
// WebhookOptions::url as the envelope
//   {"id","channel":"email"|"sms","to","kind","subject" (e-mail only),
//    "body","createdAt":"2026-11-25T17:13:39.502Z"}.
// Headers: Content-Type: application/json, X-Authd-Message-Id (for the
// receiver to drop the duplicates at-least-once delivery brings),
// X-Authd-Kind, and, when a secret is set, X-Authd-Signature (below).
// Redirects are not followed.
//
// Errors: 2xx is success; 408, 429, 5xx and network failures are
// kUnavailable; any other status (3xx, 4xx), a missing or malformed URL,
// and an id or kind unsafe in a header are kInvalidArgument.
// Thread-safety: Send may be called concurrently (a handle per call).
#ifndef AUTHD_DELIVERY_WEBHOOK_TRANSPORT_H_
#define AUTHD_DELIVERY_WEBHOOK_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "courier/courier_options.h"
#include "courier/message.h"
#include "courier/transport.h"

namespace authd::delivery {

// `clock` timestamps the signatures; it must outlive the transport.
// Initialises libcurl globally on first use.
std::unique_ptr<courier::Transport> NewWebhookTransport(const courier::WebhookOptions& options,
                                                        const core::Clock& clock);

// The X-Authd-Signature value for `body` sent at unix second `t`:
//   "t=<t>,v1=<lower-case hex HMAC-SHA256(secret, "<t>." + body)>".
// Receivers recompute v1, compare in constant time, and reject an old t.
std::string WebhookSignature(std::string_view secret, std::int64_t t, std::string_view body);

// The JSON envelope of an e-mail or SMS message, as described above.
std::string WebhookEnvelope(const courier::OutboxMessage& m);

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_WEBHOOK_TRANSPORT_H_
