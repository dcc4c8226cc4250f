#include "flows/code_sender.h"

#include <vector>

namespace authd::flows {

core::Status CodeSender::Send(const core::TenantId& tenant, const core::UserId& user,
                              otp::Purpose purpose, CodeDelivery delivery) {
  otp::OtpCodes::Fresh fresh = d_.codes.Make(tenant, user, purpose, delivery.binding);
  delivery.vars["code"] = fresh.plain;
  delivery.vars["expires_in_minutes"] = std::to_string(d_.codes.TtlMinutes());
  if (auto it = delivery.vars.find("link"); it != delivery.vars.end()) {
    for (size_t at; (at = it->second.find("{code}")) != std::string::npos;) {
      it->second.replace(at, 6, fresh.plain);
    }
  }
  std::vector<courier::OutboxMessage> messages;
  messages.push_back(d_.composer.Compose(delivery.channel, tenant, std::move(delivery.recipient),
                                         delivery.template_name, std::move(delivery.vars)));
  delivery.event.code = fresh.plain;
  for (courier::OutboxMessage& m : d_.events.Messages(delivery.event)) {
    messages.push_back(std::move(m));
  }
  if (auto s = d_.store.Issue(fresh.row, messages); !s.ok()) return s;
  d_.events.Notify();
  return core::Status::Ok();
}

namespace {
// A user id that owns nothing (no user has it: ids are random v4 UUIDs).
core::UserId DecoyUser() { return core::UserId("00000000-0000-4000-8000-000000000000"); }
}  // namespace

core::Status CodeSender::SendDecoy(const core::TenantId& tenant, otp::Purpose purpose) {
  // The row shape and the HMAC work match Send.
  otp::OtpCodes::Fresh fresh = d_.codes.Make(tenant, DecoyUser(), purpose);
  return d_.store.IssueDecoy(fresh.row);
}

core::Status CodeSender::ConsumeDecoy(const core::TenantId& tenant, otp::Purpose purpose,
                                      std::string_view code) {
  return d_.codes.Consume(d_.store, tenant, DecoyUser(), purpose, code);
}

}  // namespace authd::flows
