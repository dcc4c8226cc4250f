#include "courier/message.h"

namespace authd::courier {

const char* ChannelName(Channel c) {
  switch (c) {
    case Channel::kEmail:
      return "email";
    case Channel::kSms:
      return "sms";
    case Channel::kWebhook:
      return "webhook";
  }
  return "?";
}

std::optional<Channel> ParseChannel(std::string_view name) {
  for (Channel c : {Channel::kEmail, Channel::kSms, Channel::kWebhook}) {
    if (name == ChannelName(c)) return c;
  }
  return std::nullopt;
}

const char* StateName(MessageState s) {
  switch (s) {
    case MessageState::kPending:
      return "pending";
    case MessageState::kSent:
      return "sent";
    case MessageState::kDead:
      return "dead";
  }
  return "?";
}

std::optional<MessageState> ParseState(std::string_view name) {
  for (MessageState s : {MessageState::kPending, MessageState::kSent, MessageState::kDead}) {
    if (name == StateName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace authd::courier
