// OutboxMessage: one message waiting in (or done with) the durable outbox:
// an e-mail, an SMS or an event webhook, fully rendered when enqueued.
//
// The outbox is written in the same transaction as whatever caused the
// message (a one-time code, ...), so a crash never loses or silently
// duplicates it; the Sender (sender.h) delivers it afterwards. Value type.
#ifndef AUTHD_COURIER_MESSAGE_H_
#define AUTHD_COURIER_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"

namespace authd::courier {

enum class Channel { kEmail, kSms, kWebhook };

// "email", "sms", "webhook": the stored and logged names.
const char* ChannelName(Channel c);
std::optional<Channel> ParseChannel(std::string_view name);

enum class MessageState { kPending, kSent, kDead };

const char* StateName(MessageState s);  // "pending", "sent", "dead"
std::optional<MessageState> ParseState(std::string_view name);

struct OutboxMessage {
  std::string id;  // UUID v4; also the idempotency key sent to receivers
  core::TenantId tenant_id;
  Channel channel = Channel::kEmail;
  // E-mail address, phone number (E.164-ish, as stored on the user), or
  // the webhook URL for Channel::kWebhook.
  std::string recipient;
  // Template ("password_reset", ...) or event name ("nest_auth.logged_in")
  // the message was made from; for logs and receivers, never re-rendered.
  std::string kind;
  std::string subject;  // e-mail only; empty otherwise
  // Rendered text (e-mail, SMS) or the JSON document (webhook). May hold a
  // one-time code: scrubbed to "" once the message is sent or dead.
  std::string body;
  MessageState state = MessageState::kPending;
  int attempts = 0;  // delivery attempts made so far
  core::UnixMillis next_attempt_at = 0;
  core::UnixMillis created_at = 0;
  std::string last_error;  // the transport's last failure, for operators
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_MESSAGE_H_
