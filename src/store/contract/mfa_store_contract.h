// MfaStoreContract: the conformance suite of mfa::MfaStore.
//
// The tests live in mfa_store_contract_test.cc; a backend instantiates the
// suite with its StoreBackendFactory (see store_backend.h). The users the
// rows belong to are created through the backend's UserStore first, so
// backends may enforce the rows -> users reference.
#ifndef AUTHD_STORE_CONTRACT_MFA_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_MFA_STORE_CONTRACT_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/hmac.h"
#include "mfa/mfa_store.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"

namespace authd::store::contract {

inline constexpr core::UnixMillis kTrustTtl = 30 * 24 * kHour;

// What the domain stores for a secret, code or token: an HMAC of it.
inline std::string MfaHash(const std::string& secret) {
  return crypto::HmacSha256Hex("contract-test-key", secret);
}

// An unverified, never used TOTP device of `user` in `tenant`.
inline mfa::TotpDevice MakeDevice(const std::string& id, const std::string& user,
                                  const core::TenantId& tenant = kNullTenant,
                                  const std::string& secret = "JBSWY3DPEHPK3PXP",
                                  core::UnixMillis created_at = kNow) {
  mfa::TotpDevice d;
  d.id = id;
  d.user_id = core::UserId(user);
  d.tenant_id = tenant;
  d.name = "Phone " + id;
  d.secret_sealed = "sealed:" + id;
  d.secret_lookup = MfaHash(secret);
  d.created_at = created_at;
  d.updated_at = created_at;
  return d;
}

// An unused recovery code of `user` in `tenant`.
inline mfa::RecoveryCode MakeRecoveryCode(const std::string& id, const std::string& user,
                                          const std::string& code,
                                          const core::TenantId& tenant = kNullTenant,
                                          core::UnixMillis created_at = kNow) {
  mfa::RecoveryCode c;
  c.id = id;
  c.user_id = core::UserId(user);
  c.tenant_id = tenant;
  c.code_hash = MfaHash(code);
  c.created_at = created_at;
  return c;
}

// A live trusted device of `user` in `tenant`, expiring kTrustTtl after
// `created_at`.
inline mfa::TrustedDevice MakeTrusted(const std::string& id, const std::string& user,
                                      const std::string& token,
                                      const core::TenantId& tenant = kNullTenant,
                                      core::UnixMillis created_at = kNow) {
  mfa::TrustedDevice d;
  d.id = id;
  d.user_id = core::UserId(user);
  d.tenant_id = tenant;
  d.token_hash = MfaHash(token);
  d.user_agent = "Mozilla/5.0 (X11; Linux x86_64) " + id;
  d.ip_address = "203.0.113.7";
  d.expires_at = created_at + kTrustTtl;
  d.created_at = created_at;
  return d;
}

// Runs `call` on 8 threads released together; how many returned true.
// Store errors are counted in `errors`.
inline int RaceCount(const std::function<core::Result<bool>()>& call, int& errors) {
  std::atomic<int> wins{0}, failed{0};
  RunTogether(8, [&](int) {
    core::Result<bool> r = call();
    if (!r.ok()) {
      ++failed;
    } else if (*r) {
      ++wins;
    }
  });
  errors = failed.load();
  return wins.load();
}

class MfaStoreContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(backend_.users, nullptr) << "backend " << GetParam().name;
    ASSERT_NE(backend_.mfa, nullptr) << "backend " << GetParam().name;
  }

  mfa::MfaStore& store() { return *backend_.mfa; }

  // Stores user `id` (member of the null tenant) so rows may reference it.
  void AddUser(const std::string& id) { AddUserRow(*backend_.users, id); }

  void AddDevice(const mfa::TotpDevice& d) { EXPECT_TRUE(IsOk(store().AddDevice(d))); }
  void AddTrusted(const mfa::TrustedDevice& d) { EXPECT_TRUE(IsOk(store().AddTrustedDevice(d))); }
  void Replace(const std::string& user, const std::vector<mfa::RecoveryCode>& codes,
               const core::TenantId& tenant = kNullTenant) {
    EXPECT_TRUE(IsOk(store().ReplaceRecoveryCodes(tenant, core::UserId(user), codes)));
  }

  std::vector<mfa::TotpDevice> Devices(const std::string& user,
                                       const core::TenantId& tenant = kNullTenant) {
    auto r = store().ListDevices(tenant, core::UserId(user));
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::vector<mfa::TotpDevice>();
  }

  std::vector<std::string> DeviceIds(const std::string& user,
                                     const core::TenantId& tenant = kNullTenant) {
    std::vector<std::string> ids;
    for (const mfa::TotpDevice& d : Devices(user, tenant)) ids.push_back(d.id);
    return ids;
  }

  bool UseStep(const std::string& user, const std::string& device, std::int64_t step,
               core::UnixMillis at = kNow, const core::TenantId& tenant = kNullTenant) {
    auto r = store().UseDeviceStep(tenant, core::UserId(user), device, step, at);
    EXPECT_TRUE(IsOk(r));
    return r.ok() && *r;
  }

  bool UseCode(const std::string& user, const std::string& code, core::UnixMillis at = kNow,
               const core::TenantId& tenant = kNullTenant) {
    auto r = store().UseRecoveryCode(tenant, core::UserId(user), MfaHash(code), at);
    EXPECT_TRUE(IsOk(r));
    return r.ok() && *r;
  }

  // How many unused codes the user has; -1 on a store error.
  int Unused(const std::string& user, const core::TenantId& tenant = kNullTenant) {
    auto r = store().CountUnusedRecoveryCodes(tenant, core::UserId(user));
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : -1;
  }

  std::vector<mfa::TrustedDevice> Trusted(const std::string& user,
                                          const core::TenantId& tenant = kNullTenant) {
    auto r = store().ListTrustedDevices(tenant, core::UserId(user));
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::vector<mfa::TrustedDevice>();
  }

  bool UseTrusted(const std::string& user, const std::string& token, core::UnixMillis now = kNow,
                  const core::TenantId& tenant = kNullTenant) {
    auto r = store().UseTrustedDevice(tenant, core::UserId(user), MfaHash(token), now);
    EXPECT_TRUE(IsOk(r));
    return r.ok() && *r;
  }

  StoreBackend backend_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_MFA_STORE_CONTRACT_H_
