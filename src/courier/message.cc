#include "courier/message.h"

#include "core/enum_names.h"

namespace authd::courier {
namespace {

constexpr core::EnumName<Channel> kChannelNames[] = {
    {Channel::kEmail, "email"},
    {Channel::kSms, "sms"},
    {Channel::kWebhook, "webhook"},
};

constexpr core::EnumName<MessageState> kMessageStateNames[] = {
    {MessageState::kPending, "pending"},
    {MessageState::kSent, "sent"},
    {MessageState::kDead, "dead"},
};

}  // namespace

const char* ChannelName(Channel c) { return core::NameIn(kChannelNames, c); }

std::optional<Channel> ParseChannel(std::string_view name) {
  return core::ValueIn(kChannelNames, name);
}

const char* StateName(MessageState s) { return core::NameIn(kMessageStateNames, s); }

std::optional<MessageState> ParseState(std::string_view name) {
  return core::ValueIn(kMessageStateNames, name);
}

}  // namespace authd::courier
