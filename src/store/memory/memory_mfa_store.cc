#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "crypto/hmac.h"
#include "mfa/mfa_store.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

using mfa::RecoveryCode;
using mfa::TotpDevice;
using mfa::TrustedDevice;

// Rows of every kind carry their scope as user_id and tenant_id.
template <typename Row>
bool InScope(const Row& r, const core::TenantId& tenant, const core::UserId& user) {
  return r.tenant_id == tenant && r.user_id == user;
}

// Oldest first; ties broken by id, as the SQL adapters do.
template <typename Row>
bool Older(const Row* a, const Row* b) {
  if (a->created_at != b->created_at) return a->created_at < b->created_at;
  return a->id < b->id;
}

class MemoryMfaStore final : public mfa::MfaStore {
 public:
  core::Status AddDevice(const TotpDevice& d) override {
    core::MutexLock lock(&mu_);
    if (!devices_.emplace(d.id, d).second) {
      return core::Internal("mfa AddDevice: duplicate id " + d.id);
    }
    return core::Status::Ok();
  }

  core::Result<bool> AddDeviceWithinLimit(const TotpDevice& d, int max_devices,
                                          core::UnixMillis unverified_before) override {
    core::MutexLock lock(&mu_);
    int held = 0;
    for (auto it = devices_.begin(); it != devices_.end();) {
      const TotpDevice& x = it->second;
      if (!InScope(x, d.tenant_id, d.user_id)) {
        ++it;
      } else if (!x.verified && x.created_at < unverified_before) {
        it = devices_.erase(it);
      } else {
        ++held, ++it;
      }
    }
    if (held >= max_devices) return false;
    if (!devices_.emplace(d.id, d).second) {
      return core::Internal("mfa AddDeviceWithinLimit: duplicate id " + d.id);
    }
    return true;
  }

  core::Result<std::vector<TotpDevice>> ListDevices(const core::TenantId& tenant,
                                                    const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    std::vector<TotpDevice> out;
    for (TotpDevice* d : OldestFirst(devices_, tenant, user)) out.push_back(*d);
    return out;
  }

  core::Result<std::optional<TotpDevice>> FindDeviceBySecret(const core::TenantId& tenant,
                                                             const core::UserId& user,
                                                             const std::string& lookup) override {
    core::MutexLock lock(&mu_);
    std::vector<TotpDevice*> devices = OldestFirst(devices_, tenant, user);
    for (auto it = devices.rbegin(); it != devices.rend(); ++it) {
      if (crypto::ConstantTimeEquals((*it)->secret_lookup, lookup)) {
        return std::optional<TotpDevice>(**it);
      }
    }
    return std::optional<TotpDevice>();
  }

  core::Result<bool> MarkDeviceVerified(const core::TenantId& tenant, const core::UserId& user,
                                        const std::string& device_id,
                                        core::UnixMillis at) override {
    core::MutexLock lock(&mu_);
    TotpDevice* d = Device(tenant, user, device_id);
    if (d == nullptr) return false;
    d->verified = true;
    d->updated_at = at;
    return true;
  }

  core::Result<bool> UseDeviceStep(const core::TenantId& tenant, const core::UserId& user,
                                   const std::string& device_id, std::int64_t step,
                                   core::UnixMillis at) override {
    core::MutexLock lock(&mu_);
    TotpDevice* d = Device(tenant, user, device_id);
    if (d == nullptr || step <= d->last_step) return false;
    d->last_step = step;
    d->last_used_at = at;
    return true;
  }

  core::Result<bool> DeleteDevice(const core::TenantId& tenant, const core::UserId& user,
                                  const std::string& device_id) override {
    core::MutexLock lock(&mu_);
    if (Device(tenant, user, device_id) == nullptr) return false;
    devices_.erase(device_id);
    return true;
  }

  core::Result<int> DeleteAllDevices(const core::TenantId& tenant,
                                     const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    return static_cast<int>(std::erase_if(
        devices_, [&](const auto& entry) { return InScope(entry.second, tenant, user); }));
  }

  core::Status ReplaceRecoveryCodes(const core::TenantId& tenant, const core::UserId& user,
                                    const std::vector<RecoveryCode>& codes) override {
    core::MutexLock lock(&mu_);
    auto replaced = [&](const RecoveryCode& c) { return InScope(c, tenant, user) && !c.used_at; };
    // Every check passes before anything changes: all of it or none. An id
    // is taken if a row that survives the deletion holds it (the SQL
    // primary key's rule, checked after the DELETE).
    std::set<std::string> ids;
    for (const RecoveryCode& c : codes) {
      if (!InScope(c, tenant, user)) {
        return core::Internal("ReplaceRecoveryCodes: code tenant_id/user_id differ from the scope");
      }
      auto taken = codes_.find(c.id);
      if ((taken != codes_.end() && !replaced(taken->second)) || !ids.insert(c.id).second) {
        return core::Internal("mfa ReplaceRecoveryCodes: duplicate id " + c.id);
      }
    }
    std::erase_if(codes_, [&](const auto& entry) { return replaced(entry.second); });
    for (const RecoveryCode& c : codes) codes_.emplace(c.id, c);
    return core::Status::Ok();
  }

  core::Result<bool> UseRecoveryCode(const core::TenantId& tenant, const core::UserId& user,
                                     const std::string& code_hash, core::UnixMillis at) override {
    core::MutexLock lock(&mu_);
    for (RecoveryCode* c : OldestFirst(codes_, tenant, user)) {
      if (c->used_at || !crypto::ConstantTimeEquals(c->code_hash, code_hash)) continue;
      c->used_at = at;
      return true;
    }
    return false;
  }

  core::Result<int> CountUnusedRecoveryCodes(const core::TenantId& tenant,
                                             const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    return static_cast<int>(std::count_if(codes_.begin(), codes_.end(), [&](const auto& e) {
      return InScope(e.second, tenant, user) && !e.second.used_at;
    }));
  }

  core::Status AddTrustedDevice(const TrustedDevice& d) override {
    core::MutexLock lock(&mu_);
    if (!trusted_.emplace(d.id, d).second) {
      return core::Internal("mfa AddTrustedDevice: duplicate id " + d.id);
    }
    return core::Status::Ok();
  }

  core::Result<bool> UseTrustedDevice(const core::TenantId& tenant, const core::UserId& user,
                                      const std::string& token_hash,
                                      core::UnixMillis now) override {
    core::MutexLock lock(&mu_);
    bool used = false;
    for (auto& [id, d] : trusted_) {
      if (!InScope(d, tenant, user) || d.revoked || d.expires_at <= now ||
          !crypto::ConstantTimeEquals(d.token_hash, token_hash)) {
        continue;
      }
      d.last_used_at = now;
      used = true;
    }
    return used;
  }

  core::Result<int> RevokeTrustedDevices(const core::TenantId& tenant,
                                         const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    int revoked = 0;
    for (auto& [id, d] : trusted_) {
      if (!InScope(d, tenant, user) || d.revoked) continue;
      d.revoked = true;
      ++revoked;
    }
    return revoked;
  }

  core::Result<std::vector<TrustedDevice>> ListTrustedDevices(const core::TenantId& tenant,
                                                              const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    std::vector<TrustedDevice*> rows = OldestFirst(trusted_, tenant, user);
    std::vector<TrustedDevice> out;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(**it);
    return out;
  }

 private:
  // REQUIRES: mu_ held. The rows of `table` in scope, oldest first.
  template <typename Row>
  static std::vector<Row*> OldestFirst(std::map<std::string, Row>& table,
                                       const core::TenantId& tenant, const core::UserId& user) {
    std::vector<Row*> rows;
    for (auto& [id, r] : table) {
      if (InScope(r, tenant, user)) rows.push_back(&r);
    }
    std::sort(rows.begin(), rows.end(), Older<Row>);
    return rows;
  }

  // The device `id` if it is in scope.
  TotpDevice* Device(const core::TenantId& tenant, const core::UserId& user, const std::string& id)
      REQUIRES(mu_) {
    auto it = devices_.find(id);
    if (it == devices_.end() || !InScope(it->second, tenant, user)) return nullptr;
    return &it->second;
  }

  core::Mutex mu_;
  std::map<std::string, TotpDevice> devices_ GUARDED_BY(mu_);     // by id
  std::map<std::string, RecoveryCode> codes_ GUARDED_BY(mu_);     // by id
  std::map<std::string, TrustedDevice> trusted_ GUARDED_BY(mu_);  // by id
};

}  // namespace

std::unique_ptr<mfa::MfaStore> NewMemoryMfaStore() { return std::make_unique<MemoryMfaStore>(); }

}  // namespace authd::store
