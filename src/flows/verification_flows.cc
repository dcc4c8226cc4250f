#include "flows/verification_flows.h"

#include "core/errors.h"

namespace authd::flows {
namespace {

using identity::VerifiedChannel;

otp::Purpose PurposeOf(VerifiedChannel c) {
  return c == VerifiedChannel::kEmail ? otp::Purpose::kEmailVerification
                                      : otp::Purpose::kPhoneVerification;
}

}  // namespace

core::Result<identity::User> VerificationFlows::Target(const Principal& p,
                                                       VerifiedChannel channel) {
  // The session snapshot may be stale: read the row itself.
  auto user = d_.users.FindUserById(p.session.tenant_id, p.user.id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) return core::MakeError(core::Err::kUserNotFound);
  identity::User u = std::move(**user);
  if (channel == VerifiedChannel::kEmail) {
    if (!u.email || u.email->empty()) {
      return core::MakeError(core::Err::kNoEmailAddress);
    }
    if (u.email_verified_at) {
      return core::MakeError(core::Err::kEmailAlreadyVerified);
    }
  } else {
    if (!u.phone || u.phone->empty()) {
      return core::MakeError(core::Err::kNoPhoneNumber);
    }
    if (u.phone_verified_at) {
      return core::MakeError(core::Err::kPhoneAlreadyVerified);
    }
  }
  return u;
}

core::Status VerificationFlows::Send(const Principal& p, VerifiedChannel channel) {
  auto user = Target(p, channel);
  if (!user.ok()) return user.error();
  const identity::User& u = *user;
  const bool email = channel == VerifiedChannel::kEmail;
  const core::TenantId& tenant = p.session.tenant_id;
  CodeDelivery d;
  d.channel = email ? courier::Channel::kEmail : courier::Channel::kSms;
  d.recipient = email ? *u.email : *u.phone;
  d.template_name = email ? "email_verification" : "phone_verification";
  d.vars["email"] = u.email.value_or("");
  d.vars["phone"] = u.phone.value_or("");
  d.event.name = email ? courier::event::kEmailVerificationRequested
                       : courier::event::kPhoneVerificationRequested;
  d.event.tenant = tenant;
  d.event.data.Str("userId", u.id.str()).Tenant(tenant).Str(email ? "email" : "phone", d.recipient);
  return d_.sender.Send(tenant, u.id, PurposeOf(channel), std::move(d));
}

core::Status VerificationFlows::Verify(const Principal& p, VerifiedChannel channel,
                                       const std::string& code) {
  auto user = Target(p, channel);
  if (!user.ok()) return user.error();
  const identity::User& u = *user;
  const core::TenantId& tenant = p.session.tenant_id;
  if (auto s = d_.sender.codes().Consume(d_.sender.store(), tenant, u.id, PurposeOf(channel), code);
      !s.ok()) {
    return s;
  }
  const core::UnixMillis now = d_.clock.NowMillis();
  auto marked = d_.users.MarkVerified(tenant, u.id, channel, now);
  if (!marked.ok()) return marked.error();
  if (!*marked) return core::MakeError(core::Err::kUserNotFound);
  const bool email = channel == VerifiedChannel::kEmail;
  d_.sender.events().Emit(email ? courier::event::kEmailVerified : courier::event::kPhoneVerified,
                          tenant, [&](courier::EventData& data) {
                            data.Str("userId", u.id.str())
                                .Tenant(tenant)
                                .Str(email ? "email" : "phone", email ? *u.email : *u.phone);
                          });
  return core::Status::Ok();
}

}  // namespace authd::flows
