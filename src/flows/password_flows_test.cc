#include "flows/password_flows.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "flows/account_flows.h"
#include "flows/session_issuer.h"
#include "http/claims_json.h"
#include "identity/passwords.h"
#include "store/memory/memory_stores.h"
#include "throttle/throttle.h"

namespace authd::flows {
namespace {

constexpr const char* kPassword = "Str0ng!Passw0rd";
constexpr const char* kWrong = "Wr0ng!Passw0rd";
constexpr const char* kNew = "An0ther!Passw0rd";

// Change-password on memory stores, a fake clock and cheap argon2; the
// lockout locks after 3 failures, the rate limit allows 4 per minute.
class PasswordFlowsTest : public ::testing::Test {
 protected:
  PasswordFlowsTest() {
    session_opts_.jwt_secret = "unit-test-secret-unit-test-secret-0123";
    pw_opts_.argon2_memory_kib = 64;
    pw_opts_.argon2_time_cost = 1;
    pw_opts_.argon2_parallelism = 1;
    rl_opts_.change_password = {60000, 4};
    lock_opts_.max_failed_attempts = 3;
    codec_ = http::NewJsonClaimsCodec();
    tokens_ = std::make_unique<session::TokenService>(session_opts_, *codec_,
                                                      crypto::OsRandom());
    passwords_ = std::make_unique<identity::Passwords>(pw_opts_, crypto::OsRandom());
    limiter_ = std::make_unique<throttle::RateLimiter>(rl_opts_, *counters_, clock_);
    lockout_ = std::make_unique<throttle::Lockout>(lock_opts_, *counters_, clock_);
    issuer_ = std::make_unique<SessionIssuer>(
        SessionIssuer::Deps{*sessions_, *tokens_, clock_, crypto::OsRandom()});
    accounts_ = std::make_unique<AccountFlows>(
        AccountOptions{}, AccountFlows::Deps{*users_, *passwords_, *issuer_, *limiter_,
                                             *lockout_, clock_, crypto::OsRandom()});
    flows_ = std::make_unique<PasswordFlows>(PasswordFlows::Deps{
        *users_, *sessions_, *passwords_, *lockout_, clock_, nullptr, limiter_.get()});
    SignupInput in;
    in.email = "ada@example.com";
    in.password = kPassword;
    auto r = accounts_->Signup(in);
    EXPECT_TRUE(r.ok());
    if (r.ok()) user_ = r->session.user_id;
  }

  // The route's change-password limit (http/account_handlers.cc): the
  // changePassword bucket keyed "user:<id>".
  core::Status ThrottleChangePassword(const core::UserId& user, const std::string& ip) {
    return limiter_->Hit(throttle::BucketId::kChangePassword, ip, "user:" + user.str());
  }

  std::string Change(const std::string& current, const std::string& next) {
    ClientInfo client;
    client.ip = "192.0.2.1";
    core::Status s = flows_->ChangePassword(core::TenantId(), user_, current, next, client);
    return s.ok() ? "ok" : s.error().code;
  }

  session::SessionOptions session_opts_;
  identity::PasswordOptions pw_opts_;
  throttle::RateLimitOptions rl_opts_;
  throttle::LockoutOptions lock_opts_;
  core::FakeClock clock_{1795627064000};
  std::unique_ptr<identity::UserStore> users_ = store::NewMemoryUserStore();
  std::unique_ptr<session::SessionStore> sessions_ = store::NewMemorySessionStore();
  std::unique_ptr<throttle::CounterStore> counters_ = store::NewMemoryCounterStore();
  std::unique_ptr<session::ClaimsCodec> codec_;
  std::unique_ptr<session::TokenService> tokens_;
  std::unique_ptr<identity::Passwords> passwords_;
  std::unique_ptr<throttle::RateLimiter> limiter_;
  std::unique_ptr<throttle::Lockout> lockout_;
  std::unique_ptr<SessionIssuer> issuer_;
  std::unique_ptr<AccountFlows> accounts_;
  std::unique_ptr<PasswordFlows> flows_;
  core::UserId user_;
};

TEST_F(PasswordFlowsTest, PolicyIsCheckedBeforeTheCurrentPassword) {
  // Whatever the current password, a policy failure is the answer: it
  // says nothing about the current password.
  EXPECT_EQ(Change(kWrong, "password123"), "PASSWORD_TOO_COMMON");
  EXPECT_EQ(Change(kPassword, "password123"), "PASSWORD_TOO_COMMON");
  EXPECT_EQ(Change(kWrong, kNew), "CURRENT_PASSWORD_INCORRECT");
  EXPECT_EQ(Change(kPassword, kNew), "ok");
}

TEST_F(PasswordFlowsTest, PolicyFailuresNeitherCountNorClearTheLockout) {
  EXPECT_EQ(Change(kWrong, kNew), "CURRENT_PASSWORD_INCORRECT");
  EXPECT_EQ(Change(kWrong, kNew), "CURRENT_PASSWORD_INCORRECT");
  // Neither a failure (wrong current) nor a success (right current).
  EXPECT_EQ(Change(kWrong, "password123"), "PASSWORD_TOO_COMMON");
  EXPECT_EQ(Change(kPassword, "password123"), "PASSWORD_TOO_COMMON");
  EXPECT_EQ(Change(kWrong, kNew), "CURRENT_PASSWORD_INCORRECT");  // third: locks
  EXPECT_EQ(Change(kPassword, kNew), "ACCOUNT_LOCKED");
}

TEST_F(PasswordFlowsTest, RateLimitPerUserAndPerIp) {
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ThrottleChangePassword(user_, "192.0.2.1").ok());
  core::Status over = ThrottleChangePassword(user_, "192.0.2.2");  // same user
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "RATE_LIMITED");
  EXPECT_GE(over.error().retry_after_seconds, 1);
  // The first IP is spent for other users too; a third IP with another
  // user is not.
  const core::UserId other("00000000-0000-4000-8000-000000000001");
  EXPECT_FALSE(ThrottleChangePassword(other, "192.0.2.1").ok());
  EXPECT_TRUE(ThrottleChangePassword(other, "192.0.2.3").ok());
}

}  // namespace
}  // namespace authd::flows
