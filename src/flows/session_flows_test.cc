#include "flows/session_flows.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "app/flow_stack_test_util.h"

namespace authd::flows {
namespace {

using std::chrono::milliseconds;

// Sessions on the whole flow stack, with neither rate limits nor lockout.
class FlowsTest : public app::test_util::FlowStackTest {
 protected:
  explicit FlowsTest(std::int64_t grace_ms = 10000) {
    opts_.refresh_grace_ms = grace_ms;
    rl_opts_.enabled = false;
    lock_opts_.enabled = false;
    Build();
    flows_ = &services_->flows.sessions;
  }

  AuthResult SignUp(const std::string& email) {
    SignupInput in;
    in.email = email;
    in.password = "Str0ng!Passw0rd";
    auto r = accounts_->Signup(in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return *r;
  }

  SessionFlows* flows_ = nullptr;
};

TEST_F(FlowsTest, RefreshRotatesAndOldAccessTokenStaysValid) {
  AuthResult a = SignUp("alice@example.com");
  clock_.Advance(milliseconds(2000));
  auto r = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->tokens.refresh_token, a.tokens.refresh_token);
  EXPECT_TRUE(flows_->Authenticate(a.tokens.access_token, false).ok());
  EXPECT_TRUE(flows_->Authenticate(r->tokens.access_token, false).ok());
}

TEST_F(FlowsTest, RetryWithinGraceReturnsTheSamePair) {
  AuthResult a = SignUp("bob@example.com");
  clock_.Advance(milliseconds(1500));
  auto first = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(first.ok());
  clock_.Advance(milliseconds(3000));
  auto retry = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry->tokens.refresh_token, first->tokens.refresh_token);
  EXPECT_EQ(retry->tokens.access_token, first->tokens.access_token);
  // The chain continues from the successor.
  auto next = flows_->Refresh(first->tokens.refresh_token);
  ASSERT_TRUE(next.ok());
}

TEST_F(FlowsTest, RetryAfterGraceRevokesTheSession) {
  AuthResult a = SignUp("carol@example.com");
  auto first = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(first.ok());
  clock_.Advance(milliseconds(10001));
  auto late = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "REFRESH_TOKEN_INVALID");
  auto after = flows_->Refresh(first->tokens.refresh_token);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().message, "Session not found");
  EXPECT_TRUE(after.error().code.empty());
}

TEST_F(FlowsTest, OlderTokenRevokesEvenInsideGrace) {
  AuthResult a = SignUp("dave@example.com");
  auto r2 = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(r2.ok());
  clock_.Advance(milliseconds(1000));
  auto r3 = flows_->Refresh(r2->tokens.refresh_token);
  ASSERT_TRUE(r3.ok());
  auto stolen = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.error().code, "REFRESH_TOKEN_INVALID");
  EXPECT_FALSE(flows_->Authenticate(r3->tokens.access_token, false).ok());
}

TEST_F(FlowsTest, AccessTokenPresentedAsRefreshRevokes) {
  AuthResult a = SignUp("erin@example.com");
  auto r = flows_->Refresh(a.tokens.access_token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "REFRESH_TOKEN_INVALID");
  auto gone = flows_->Authenticate(a.tokens.access_token, false);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().message, "Session not found");
}

TEST_F(FlowsTest, ConcurrentRefreshesRotateExactlyOnce) {
  AuthResult a = SignUp("frank@example.com");
  clock_.Advance(milliseconds(1000));
  constexpr int kThreads = 16;
  std::vector<std::string> got(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ready++;
      while (ready.load() < kThreads) {
      }
      auto r = flows_->Refresh(a.tokens.refresh_token);
      got[i] = r.ok() ? r->tokens.refresh_token : "error:" + r.error().code;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, got[0]);
  EXPECT_EQ(got[0].rfind("error:", 0), std::string::npos);
  EXPECT_TRUE(flows_->Refresh(got[0]).ok());
}

class NoGraceFlowsTest : public FlowsTest {
 protected:
  NoGraceFlowsTest() : FlowsTest(0) {}
};

TEST_F(NoGraceFlowsTest, AnyReuseRevokesLikeTheReference) {
  AuthResult a = SignUp("gina@example.com");
  auto first = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_TRUE(first.ok());
  auto again = flows_->Refresh(a.tokens.refresh_token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "REFRESH_TOKEN_INVALID");
  EXPECT_FALSE(flows_->Refresh(first->tokens.refresh_token).ok());
}

TEST_F(FlowsTest, RefreshErrors) {
  auto empty = flows_->Refresh("");
  EXPECT_EQ(empty.error().code, "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(empty.error().message, "refreshToken is required");
  auto garbage = flows_->Refresh("garbage");
  EXPECT_EQ(garbage.error().code, "REFRESH_TOKEN_EXPIRED");
  AuthResult a = SignUp("hank@example.com");
  clock_.Advance(std::chrono::seconds(opts_.refresh_token_ttl_seconds + 1));
  auto expired = flows_->Refresh(a.tokens.refresh_token);
  EXPECT_EQ(expired.error().code, "REFRESH_TOKEN_EXPIRED");
}

TEST_F(FlowsTest, GuardRejectsRefreshTokensAndExpiredAccessTokens) {
  AuthResult a = SignUp("ivy@example.com");
  auto wrong_type = flows_->Authenticate(a.tokens.refresh_token, false);
  EXPECT_EQ(wrong_type.error().code, "INVALID_TOKEN");
  clock_.Advance(std::chrono::seconds(opts_.access_token_ttl_seconds));
  auto expired = flows_->Authenticate(a.tokens.access_token, false);
  EXPECT_EQ(expired.error().code, "INVALID_TOKEN");
}

TEST_F(FlowsTest, LogoutAllKillsEverySessionOfTheUserOnly) {
  AuthResult a = SignUp("jack@example.com");
  AuthResult other = SignUp("kate@example.com");
  LoginInput in;
  in.provider_name = "email";
  in.email = {true, true, "jack@example.com"};
  in.password = {true, true, "Str0ng!Passw0rd"};
  auto second = accounts_->Login(in);
  ASSERT_TRUE(second.ok());
  auto p = flows_->Authenticate(second->tokens.access_token, false);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(flows_->LogoutAll(*p).ok());
  EXPECT_FALSE(flows_->Authenticate(a.tokens.access_token, false).ok());
  EXPECT_FALSE(flows_->Refresh(second->tokens.refresh_token).ok());
  EXPECT_TRUE(flows_->Authenticate(other.tokens.access_token, false).ok());
}

TEST_F(FlowsTest, LoginFailuresAreIndistinguishable) {
  SignUp("liam@example.com");
  LoginInput wrong;
  wrong.provider_name = "email";
  wrong.email = {true, true, "liam@example.com"};
  wrong.password = {true, true, "not-the-password"};
  LoginInput unknown = wrong;
  unknown.email = {true, true, "nobody@example.com"};
  auto a = accounts_->Login(wrong);
  auto b = accounts_->Login(unknown);
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.error().code, "INVALID_CREDENTIALS");
  EXPECT_EQ(a.error().code, b.error().code);
  EXPECT_EQ(a.error().message, b.error().message);
}

TEST_F(FlowsTest, SignupRejectsDuplicatesAndPolicyViolations) {
  SignUp("mia@example.com");
  SignupInput dup;
  dup.email = "  MIA@example.com ";
  dup.password = "Str0ng!Passw0rd";
  EXPECT_EQ(accounts_->Signup(dup).error().code, "EMAIL_ALREADY_EXISTS");
  SignupInput common;
  common.email = "noah@example.com";
  common.password = "password123";
  EXPECT_EQ(accounts_->Signup(common).error().code, "PASSWORD_TOO_COMMON");
  SignupInput contains;
  contains.email = "olivia@example.com";
  contains.password = "xxOLIVIAxx99";
  EXPECT_EQ(accounts_->Signup(contains).error().code, "PASSWORD_CONTAINS_IDENTIFIER");
}

}  // namespace
}  // namespace authd::flows
