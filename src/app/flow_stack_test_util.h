// The fixture the flow tests (src/flows/*_test.cc) share: the whole flow
// stack (app::Services, built as main builds it) on the memory database, a fake clock and cheap
// argon2. A test's constructor sets the options it needs through cfg_ and
// the references, then calls Build().
#ifndef AUTHD_APP_FLOW_STACK_TEST_UTIL_H_
#define AUTHD_APP_FLOW_STACK_TEST_UTIL_H_

#include <memory>

#include <gtest/gtest.h>

#include "app/services.h"
#include "config/config.h"
#include "courier/templates.h"
#include "flows/account_flows.h"
#include "store/memory/memory_stores.h"

namespace authd::app::test_util {

class FlowStackTest : public ::testing::Test {
 protected:
  FlowStackTest() {
    opts_.jwt_secret = "unit-test-secret-unit-test-secret-0123";
    pw_opts_.argon2_memory_kib = 64;
    pw_opts_.argon2_time_cost = 1;
    pw_opts_.argon2_parallelism = 1;
  }

  void Build() {
    services_ =
        std::make_unique<Services>(ServicesEnv{cfg_, *db_, clock_, crypto::OsRandom(), templates_});
    accounts_ = &services_->flows.accounts;
  }

  config::Config cfg_;
  session::SessionOptions& opts_ = cfg_.session;
  identity::PasswordOptions& pw_opts_ = cfg_.password;
  throttle::RateLimitOptions& rl_opts_ = cfg_.rate_limit;
  throttle::LockoutOptions& lock_opts_ = cfg_.lockout;
  core::FakeClock clock_{1795627064000};
  std::unique_ptr<store::Database> db_ = store::NewMemoryDatabase();
  courier::Templates templates_;
  std::unique_ptr<Services> services_;
  flows::AccountFlows* accounts_ = nullptr;
};

}  // namespace authd::app::test_util

#endif  // AUTHD_APP_FLOW_STACK_TEST_UTIL_H_
