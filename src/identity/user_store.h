// UserStore: the persistence port for users, identities and tenant
// memberships, owned by the identity domain and implemented by the
// adapters in store/ (memory, sqlite, later postgres).
//
// Every method takes the tenant scope first. All methods are safe to call
// concurrently from several threads. Every acknowledged write is durable.
// Errors: kUnavailable when the database cannot be reached, kInternal on
// anything unexpected; "not found" is an empty optional, not an error.
#ifndef AUTHD_IDENTITY_USER_STORE_H_
#define AUTHD_IDENTITY_USER_STORE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "identity/user.h"

namespace authd::identity {

// Result of CreateUser when a uniqueness rule is violated.
enum class CreateUserOutcome { kCreated, kIdentityExists, kUserExists };

// Which contact detail a verification proved.
enum class VerifiedChannel { kEmail, kPhone };

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Atomically inserts `user`, its `identities` and its membership of
  // `tenant` (one user_access row). If any identity (provider, provider_id)
  // already exists in `tenant`, nothing is written and kIdentityExists is
  // returned; if another user row already has the same e-mail or phone
  // (within `tenant` when `tenant_scoped_users`, else globally),
  // kUserExists. REQUIRES: each identity names `tenant` and `user` (the
  // adapters check it with IdentitiesBelongTo and fail kInternal).
  virtual core::Result<CreateUserOutcome> CreateUser(const core::TenantId& tenant, const User& user,
                                                     const std::vector<Identity>& identities,
                                                     bool tenant_scoped_users) = 0;

  virtual core::Result<std::optional<User>> FindUserById(const core::TenantId& tenant,
                                                         const core::UserId& id) = 0;

  // The user owning identity (provider, provider_id) in `tenant`, if any.
  virtual core::Result<std::optional<User>> FindUserByIdentity(const core::TenantId& tenant,
                                                               std::string_view provider,
                                                               std::string_view provider_id) = 0;

  // Replaces the password hash of user `id` in `tenant`, clears its
  // must_change_password flag and sets updated_at. False if no such user.
  virtual core::Result<bool> SetPassword(const core::TenantId& tenant, const core::UserId& id,
                                         const std::string& password_hash,
                                         core::UnixMillis updated_at) = 0;

  // SetPassword, only if the stored hash still equals `expected` (nullopt:
  // the user has no password): of two racing callers that read the same
  // hash, exactly one succeeds. False if no such user or the hash changed.
  virtual core::Result<bool> CompareAndSetPassword(const core::TenantId& tenant,
                                                   const core::UserId& id,
                                                   const std::optional<std::string>& expected,
                                                   const std::string& password_hash,
                                                   core::UnixMillis updated_at) = 0;

  // Sets users.email_verified_at (`channel` kEmail) or phone_verified_at
  // (kPhone) of user `id` in `tenant` to `at`, and updated_at = `at`.
  // False if no such user.
  virtual core::Result<bool> MarkVerified(const core::TenantId& tenant, const core::UserId& id,
                                          VerifiedChannel channel, core::UnixMillis at) = 0;

  // Sets users.is_mfa_enabled of user `id` in `tenant` (the user's MFA
  // switch, POST /auth/mfa/toggle) and updated_at. False if no such user.
  virtual core::Result<bool> SetMfaEnabled(const core::TenantId& tenant, const core::UserId& id,
                                           bool enabled, core::UnixMillis at) = 0;

  // True iff an identity (provider, provider_id) exists in `tenant`.
  virtual core::Result<bool> IdentityExists(const core::TenantId& tenant, std::string_view provider,
                                            std::string_view provider_id) = 0;
};

// CreateUser's precondition, checked by every adapter before it writes: a
// mismatch is the caller's bug, never a client's, so the error is Internal.
inline core::Status IdentitiesBelongTo(const core::TenantId& tenant, const User& user,
                                       const std::vector<Identity>& identities) {
  for (const Identity& i : identities) {
    if (i.tenant_id != tenant || i.user_id != user.id) {
      return core::Internal("CreateUser: identity tenant_id/user_id differ from the user's");
    }
  }
  return core::Status::Ok();
}

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_USER_STORE_H_
