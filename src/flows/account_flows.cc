#include "flows/account_flows.h"

#include <vector>

#include "core/errors.h"
#include "identity/phone.h"

namespace authd::flows {
namespace {

const core::Error& InvalidCredentials() {
  static const core::Error* e = new core::Error(core::MakeError(core::Err::kInvalidCredentials));
  return *e;
}

}  // namespace

std::string NormalizeEmail(std::string_view email) { return throttle::NormalizeIdentifier(email); }

std::string NormalizePhone(std::string_view phone) { return identity::NormalizePhone(phone); }

core::Result<AuthResult> AccountFlows::Signup(const SignupInput& in) {
  if (!options_.registration_enabled) {
    return core::MakeError(core::Err::kRegistrationDisabled);
  }
  if (in.tenant_id && !options_.tenancy_enabled) {
    return core::MakeError(core::Err::kTenantNotEnabled);
  }
  const core::TenantId tenant;  // the null tenant until tenancy lands
  if (!in.email && !in.phone) {
    return core::MakeError(core::Err::kEmailOrPhoneRequired);
  }
  const bool use_email = in.email.has_value() && options_.email_enabled;
  const bool use_phone = in.phone.has_value() && options_.phone_enabled;
  if (!use_email && !use_phone) {
    // The reference answers 500 here; a client mistake is a 4xx in authd.
    return core::MakeError(core::Err::kSignupProviderNotFound);
  }
  std::string email = in.email ? NormalizeEmail(*in.email) : "";
  std::string phone = in.phone ? NormalizePhone(*in.phone) : "";
  if (use_email) {
    auto exists = d_.users.IdentityExists(tenant, identity::kProviderEmail, email);
    if (!exists.ok()) return exists.error();
    if (*exists) {
      return core::MakeError(core::Err::kEmailAlreadyExists);
    }
  }
  if (use_phone) {
    auto exists = d_.users.IdentityExists(tenant, identity::kProviderPhone, phone);
    if (!exists.ok()) return exists.error();
    if (*exists) {
      return core::MakeError(core::Err::kPhoneAlreadyExists);
    }
  }
  if (auto s = d_.passwords.CheckPolicy(in.password, email); !s.ok()) return s.error();
  auto hash = d_.passwords.Hash(in.password);
  if (!hash.ok()) return hash.error();

  const core::UnixMillis now = d_.clock.NowMillis();
  identity::User user;
  user.id = core::UserId(d_.random.UuidV4());
  if (in.email) user.email = email;
  if (in.phone) user.phone = phone;
  user.password_hash = std::move(*hash);
  // Row timestamps have second precision in the reference (".000Z").
  user.created_at = user.updated_at = now - now % 1000;
  std::vector<identity::Identity> ids;
  auto add_identity = [&](const char* provider, const std::string& value) {
    identity::Identity id;
    id.id = core::IdentityId(d_.random.UuidV4());
    id.user_id = user.id;
    id.tenant_id = tenant;
    id.provider = provider;
    id.provider_id = value;
    id.created_at = id.updated_at = user.created_at;
    ids.push_back(std::move(id));
  };
  if (use_email) add_identity(identity::kProviderEmail, email);
  if (use_phone) add_identity(identity::kProviderPhone, phone);

  auto created = d_.users.CreateUser(tenant, user, ids, /*tenant_scoped_users=*/false);
  if (!created.ok()) return created.error();
  switch (*created) {
    case identity::CreateUserOutcome::kCreated:
      break;
    case identity::CreateUserOutcome::kIdentityExists:  // lost a signup race
      return use_email ? core::MakeError(core::Err::kEmailAlreadyExists)
                       : core::MakeError(core::Err::kPhoneAlreadyExists);
    case identity::CreateUserOutcome::kUserExists:
      return core::MakeError(use_email ? core::Err::kUserEmailExists : core::Err::kUserPhoneExists);
  }
  auto issued = StartSession(user, tenant, in.client, std::nullopt);
  if (issued.ok()) {
    SessionEvent(courier::event::kRegistered, user,
                 use_email ? identity::kProviderEmail : identity::kProviderPhone, *issued,
                 in.client);
  }
  return issued;
}

core::Result<AuthResult> AccountFlows::Login(const LoginInput& in) {
  if (in.tenant_id && !options_.tenancy_enabled) {
    return core::MakeError(core::Err::kTenantNotEnabled);
  }
  const std::string provider = in.provider_name.value_or("");
  const bool is_email = provider == identity::kProviderEmail && options_.email_enabled;
  const bool is_phone = provider == identity::kProviderPhone && options_.phone_enabled;
  if (!is_email && !is_phone) {
    return core::MakeError(core::Err::kInvalidProvider);
  }
  const CredentialValue& id_value = is_email ? in.email : in.phone;
  if (!id_value.truthy || !in.password.truthy) {
    return core::MakeError(core::Err::kMissingRequiredFields,
                           is_email ? "email, password" : "phone, password");
  }
  const char* field = is_email ? "credentials.email" : "credentials.phone";
  if (!id_value.text) {
    return core::MakeError(core::Err::kCredentialNotString, field);
  }
  if (!in.password.text) {
    return core::MakeError(core::Err::kCredentialNotString, "credentials.password");
  }
  std::string normalized =
      is_email ? NormalizeEmail(*id_value.text) : NormalizePhone(*id_value.text);
  if (normalized.empty()) {
    return is_email ? core::MakeError(core::Err::kEmailRequired) : InvalidCredentials();
  }
  return LoginWithPassword(provider, normalized, *in.password.text, in);
}

core::Result<AuthResult> AccountFlows::LoginWithPassword(const std::string& provider,
                                                         const std::string& identifier,
                                                         const std::string& password,
                                                         const LoginInput& in) {
  const core::TenantId tenant;
  auto user = d_.users.FindUserByIdentity(tenant, provider, identifier);
  if (!user.ok()) return user.error();
  if (!user->has_value() && provider == identity::kProviderPhone && in.phone.text) {
    // A row stored before phones were normalised that the migration had to
    // leave as it was (another account holds the normalised number).
    const std::string legacy = identity::LegacyPhoneKey(*in.phone.text);
    if (legacy != identifier) {
      user = d_.users.FindUserByIdentity(tenant, provider, legacy);
      if (!user.ok()) return user.error();
    }
  }
  bool ok = false;
  if (user->has_value() && (*user)->password_hash) {
    ok = d_.passwords.Verify(password, *(*user)->password_hash);
  } else {
    // Same argon2 cost as a real check: no enumeration by timing.
    d_.passwords.VerifyUnknownUser(password);
  }
  // The key the login route's lockout check used: the identifier of the provider used,
  // normalised as for the lookup (never a stray credentials.email).
  const std::string& lock_id = identifier;
  if (!ok) {
    d_.lockout.RecordFailure(lock_id, in.client.ip);
    d_.events.Emit(courier::event::kLoginFailed, tenant, [&](courier::EventData& data) {
      data.Str("identifier", identifier)
          .Str("providerName", provider)
          .Str("reasonCode", "INVALID_CREDENTIALS")
          .Str("reason", "Invalid credentials")
          .Str("ip", in.client.ip)
          .Str("userAgent", in.client.user_agent)
          .Tenant(tenant)
          .Time("at", d_.clock.NowMillis());
    });
    return InvalidCredentials();
  }
  const identity::User& u = **user;
  if (!u.is_active) {
    return core::MakeError(core::Err::kAccountSuspended);
  }
  d_.lockout.Clear(lock_id, in.client.ip);
  auto issued = StartSession(u, tenant, in.client, in.trust_token);
  if (issued.ok()) {
    SessionEvent(courier::event::kLoggedIn, u, provider.c_str(), *issued, in.client);
  }
  return issued;
}

core::Result<AuthResult> AccountFlows::StartSession(const identity::User& user,
                                                    const core::TenantId& tenant,
                                                    const ClientInfo& client,
                                                    const std::optional<std::string>& trust_token) {
  auto decided = d_.mfa.Decide(tenant, user, trust_token);
  if (!decided.ok()) return decided.error();
  MfaDecision decision = std::move(*decided);
  auto issued = d_.issuer.Issue(user, tenant, client, decision.pending, decision.trusted);
  if (!issued.ok()) return issued;
  for (mfa::MfaMethod m : decision.methods) {
    issued->mfa_methods.push_back(mfa::MfaMethodName(m));
  }
  if (decision.default_method) {
    issued->default_mfa_method = mfa::MfaMethodName(*decision.default_method);
  }
  return issued;
}

void AccountFlows::SessionEvent(const char* name, const identity::User& user, const char* provider,
                                const AuthResult& r, const ClientInfo& client) {
  d_.events.Emit(name, r.session.tenant_id, [&](courier::EventData& data) {
    data.Str("userId", user.id.str())
        .Tenant(r.session.tenant_id)
        .OptStr("email", user.email)
        .OptStr("phone", user.phone)
        .Str("provider", provider)
        .Str("sessionId", r.session.id.str())
        .Bool("isRequiresMfa", r.is_requires_mfa)
        .Str("ip", client.ip)
        .Str("userAgent", client.user_agent);
  });
}

}  // namespace authd::flows
