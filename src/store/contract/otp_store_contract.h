// OtpStoreContract: the conformance suite of otp::OtpStore.
//
// The tests live in otp_store_contract_test.cc; a backend instantiates the
// suite with its StoreBackendFactory (see store_backend.h). The users the
// codes belong to are created through the backend's UserStore first, so
// backends may enforce the codes -> users reference; Issue's messages are
// checked through the backend's OutboxStore.
#ifndef AUTHD_STORE_CONTRACT_OTP_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_OTP_STORE_CONTRACT_H_

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/hmac.h"
#include "otp/one_time_code.h"
#include "store/contract/outbox_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"

namespace authd::store::contract {

inline constexpr int kMaxAttempts = 3;
inline constexpr core::UnixMillis kCodeTtl = 10 * 60 * 1000;

// What the domain stores for `code`: an HMAC, as otp_codes.h makes them.
inline std::string CodeHash(const std::string& code) {
  return crypto::HmacSha256Hex("contract-test-key", code);
}

// A code of `user` in `tenant`, issued at `created_at`, valid for kCodeTtl.
inline otp::OneTimeCode MakeCode(const std::string& id, const std::string& user,
                                 otp::Purpose purpose = otp::Purpose::kPasswordReset,
                                 const core::TenantId& tenant = kNullTenant,
                                 const std::string& code = "123456",
                                 core::UnixMillis created_at = kNow) {
  otp::OneTimeCode c;
  c.id = id;
  c.user_id = core::UserId(user);
  c.tenant_id = tenant;
  c.purpose = purpose;
  c.code_hash = CodeHash(code);
  c.created_at = created_at;
  c.expires_at = created_at + kCodeTtl;
  return c;
}

class OtpStoreContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(backend_.users, nullptr) << "backend " << GetParam().name;
    ASSERT_NE(backend_.otps, nullptr) << "backend " << GetParam().name;
    ASSERT_NE(backend_.outbox, nullptr) << "backend " << GetParam().name;
  }

  otp::OtpStore& otps() { return *backend_.otps; }
  courier::OutboxStore& outbox() { return *backend_.outbox; }

  // Stores user `id` (member of the null tenant) so codes may reference it.
  void AddUser(const std::string& id) { AddUserRow(*backend_.users, id); }

  void Issue(const otp::OneTimeCode& code,
             const std::vector<courier::OutboxMessage>& messages = {}) {
    EXPECT_TRUE(IsOk(otps().Issue(code, messages)));
  }

  // The outcome of submitting `code`; kConsumed on a store error, which
  // the expectation reports.
  otp::ConsumeOutcome Consume(const std::string& user, const std::string& code,
                              core::UnixMillis now = kNow,
                              otp::Purpose purpose = otp::Purpose::kPasswordReset,
                              const core::TenantId& tenant = kNullTenant) {
    auto r = otps().Consume(tenant, core::UserId(user), purpose, CodeHash(code), now, kMaxAttempts);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : otp::ConsumeOutcome::kConsumed;
  }

  // The codes of the key, newest first.
  std::vector<otp::OneTimeCode> List(const std::string& user,
                                     otp::Purpose purpose = otp::Purpose::kPasswordReset,
                                     const core::TenantId& tenant = kNullTenant) {
    auto r = otps().List(tenant, core::UserId(user), purpose);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::vector<otp::OneTimeCode>();
  }

  // Ids of the codes of the key, newest first.
  std::vector<std::string> ListIds(const std::string& user,
                                   otp::Purpose purpose = otp::Purpose::kPasswordReset,
                                   const core::TenantId& tenant = kNullTenant) {
    std::vector<std::string> ids;
    for (const otp::OneTimeCode& c : List(user, purpose, tenant)) ids.push_back(c.id);
    return ids;
  }

  StoreBackend backend_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_OTP_STORE_CONTRACT_H_
