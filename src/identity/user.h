// User and Identity: the account and the login identifiers linked to it.
//
// A User is one account; an Identity is one way to find it at login
// (provider "email" + normalised address, "phone" + normalised number, later
// "google" + subject, ...). Identities are scoped to a tenant (nullopt = the
// null tenant), so isolated tenants may hold the same e-mail twice.
// Value types; no behaviour.
#ifndef AUTHD_IDENTITY_USER_H_
#define AUTHD_IDENTITY_USER_H_

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/ids.h"

namespace authd::identity {

struct User {
  core::UserId id;
  std::optional<std::string> email;  // trimmed, lower-cased
  std::optional<core::UnixMillis> email_verified_at;
  std::optional<std::string> phone;  // whitespace removed
  std::optional<core::UnixMillis> phone_verified_at;
  // Argon2id PHC string; nullopt for accounts without a password (social,
  // invited). Never leaves the identity/flows layers.
  std::optional<std::string> password_hash;
  bool is_active = true;
  bool must_change_password = false;
  std::string metadata_json = "{}";  // free-form profile, a JSON object
  bool is_mfa_enabled = false;
  std::optional<std::string> mfa_recovery_code;  // legacy single-code hash
  core::UnixMillis created_at = 0;
  core::UnixMillis updated_at = 0;
};

inline constexpr const char* kProviderEmail = "email";
inline constexpr const char* kProviderPhone = "phone";

struct Identity {
  core::IdentityId id;
  core::UserId user_id;
  core::TenantId tenant_id;
  std::string provider;     // "email", "phone", ...
  std::string provider_id;  // normalised identifier within the provider
  std::string metadata_json = "{}";
  core::UnixMillis created_at = 0;
  core::UnixMillis updated_at = 0;
};

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_USER_H_
