#include "flows/password_flows.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "app/flow_stack_test_util.h"

namespace authd::flows {
namespace {

constexpr const char* kPassword = "Str0ng!Passw0rd";
constexpr const char* kWrong = "Wr0ng!Passw0rd";
constexpr const char* kNew = "An0ther!Passw0rd";

// Change-password on the whole flow stack; the lockout locks after 3 failures, the rate limit
// allows 4 per minute.
class PasswordFlowsTest : public app::test_util::FlowStackTest {
 protected:
  PasswordFlowsTest() {
    rl_opts_.change_password = {60000, 4};
    lock_opts_.max_failed_attempts = 3;
    Build();
    flows_ = &services_->flows.passwords;
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
    return services_->limiter.Hit(throttle::BucketId::kChangePassword, ip, "user:" + user.str());
  }

  std::string Change(const std::string& current, const std::string& next) {
    ClientInfo client;
    client.ip = "192.0.2.1";
    core::Status s = flows_->ChangePassword(core::TenantId(), user_, current, next, client);
    return s.ok() ? "ok" : s.error().code;
  }

  PasswordFlows* flows_ = nullptr;
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
