#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "core/mutex.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

using identity::CreateUserOutcome;

// nullopt = the null tenant; orders before every named tenant.
using TenantKey = std::optional<std::string>;
// (provider, provider_id, tenant)
using IdentityKey = std::tuple<std::string, std::string, TenantKey>;

TenantKey KeyOf(const core::TenantId& tenant) {
  if (!tenant) return std::nullopt;
  return tenant->str();
}

class MemoryUserStore final : public identity::UserStore {
 public:
  core::Result<CreateUserOutcome> CreateUser(const core::TenantId& tenant,
                                             const identity::User& user,
                                             const std::vector<identity::Identity>& identities,
                                             bool tenant_scoped_users) override {
    if (core::Status s = identity::IdentitiesBelongTo(tenant, user, identities); !s.ok()) {
      return s.error();
    }
    const TenantKey t = KeyOf(tenant);
    core::MutexLock lock(&mu_);
    std::set<IdentityKey> keys;
    for (const identity::Identity& i : identities) {
      IdentityKey key{i.provider, i.provider_id, t};
      // A key repeated within this call collides with itself, as on the
      // SQL unique index.
      if (identities_.count(key) != 0 || !keys.insert(key).second) {
        return CreateUserOutcome::kIdentityExists;
      }
    }
    if (UserTaken(t, user, tenant_scoped_users)) {
      return CreateUserOutcome::kUserExists;
    }
    if (users_.count(user.id.str()) != 0) {
      return core::Internal("CreateUser: duplicate user id " + user.id.str());
    }
    users_.emplace(user.id.str(), user);
    memberships_[user.id.str()].insert(t);
    for (IdentityKey key : keys) identities_.emplace(std::move(key), user.id.str());
    return CreateUserOutcome::kCreated;
  }

  core::Result<std::optional<identity::User>> FindUserById(const core::TenantId& tenant,
                                                           const core::UserId& id) override {
    core::MutexLock lock(&mu_);
    if (!IsMember(id.str(), KeyOf(tenant))) return std::optional<identity::User>();
    return std::optional<identity::User>(users_.at(id.str()));
  }

  core::Result<std::optional<identity::User>> FindUserByIdentity(
      const core::TenantId& tenant, std::string_view provider,
      std::string_view provider_id) override {
    core::MutexLock lock(&mu_);
    auto it = identities_.find(
        IdentityKey{std::string(provider), std::string(provider_id), KeyOf(tenant)});
    if (it == identities_.end()) return std::optional<identity::User>();
    return std::optional<identity::User>(users_.at(it->second));
  }

  core::Result<bool> SetPassword(const core::TenantId& tenant, const core::UserId& id,
                                 const std::string& password_hash,
                                 core::UnixMillis updated_at) override {
    core::MutexLock lock(&mu_);
    if (!IsMember(id.str(), KeyOf(tenant))) return false;
    identity::User& u = users_.at(id.str());
    u.password_hash = password_hash;
    u.must_change_password = false;
    u.updated_at = updated_at;
    return true;
  }

  core::Result<bool> CompareAndSetPassword(const core::TenantId& tenant, const core::UserId& id,
                                           const std::optional<std::string>& expected,
                                           const std::string& password_hash,
                                           core::UnixMillis updated_at) override {
    core::MutexLock lock(&mu_);
    if (!IsMember(id.str(), KeyOf(tenant))) return false;
    identity::User& u = users_.at(id.str());
    if (u.password_hash != expected) return false;
    u.password_hash = password_hash;
    u.must_change_password = false;
    u.updated_at = updated_at;
    return true;
  }

  core::Result<bool> MarkVerified(const core::TenantId& tenant, const core::UserId& id,
                                  identity::VerifiedChannel channel, core::UnixMillis at) override {
    core::MutexLock lock(&mu_);
    if (!IsMember(id.str(), KeyOf(tenant))) return false;
    identity::User& u = users_.at(id.str());
    if (channel == identity::VerifiedChannel::kEmail) {
      u.email_verified_at = at;
    } else {
      u.phone_verified_at = at;
    }
    u.updated_at = at;
    return true;
  }

  core::Result<bool> SetMfaEnabled(const core::TenantId& tenant, const core::UserId& id,
                                   bool enabled, core::UnixMillis at) override {
    core::MutexLock lock(&mu_);
    if (!IsMember(id.str(), KeyOf(tenant))) return false;
    identity::User& u = users_.at(id.str());
    u.is_mfa_enabled = enabled;
    u.updated_at = at;
    return true;
  }

  core::Result<bool> IdentityExists(const core::TenantId& tenant, std::string_view provider,
                                    std::string_view provider_id) override {
    core::MutexLock lock(&mu_);
    return identities_.count(
               IdentityKey{std::string(provider), std::string(provider_id), KeyOf(tenant)}) != 0;
  }

 private:
  bool IsMember(const std::string& user_id, const TenantKey& tenant) const REQUIRES(mu_) {
    auto it = memberships_.find(user_id);
    return it != memberships_.end() && it->second.count(tenant) != 0;
  }

  // Another user has the same e-mail or phone, in `tenant` when scoped, else
  // anywhere. A linear scan: this store is a fake for tests.
  bool UserTaken(const TenantKey& tenant, const identity::User& user, bool scoped) const
      REQUIRES(mu_) {
    for (const auto& [id, other] : users_) {
      const bool same_email = user.email && other.email == user.email;
      const bool same_phone = user.phone && other.phone == user.phone;
      if (!same_email && !same_phone) continue;
      if (!scoped || IsMember(id, tenant)) return true;
    }
    return false;
  }

  core::Mutex mu_;
  std::map<std::string, identity::User> users_ GUARDED_BY(mu_);
  std::map<std::string, std::set<TenantKey>> memberships_ GUARDED_BY(mu_);
  std::map<IdentityKey, std::string> identities_ GUARDED_BY(mu_);  // -> user id
};

}  // namespace

std::unique_ptr<identity::UserStore> NewMemoryUserStore() {
  return std::make_unique<MemoryUserStore>();
}

}  // namespace authd::store
