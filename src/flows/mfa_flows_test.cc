#include "flows/mfa_enrolment.h"
#include "flows/second_factor.h"

#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "app/flow_stack_test_util.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/totp.h"

namespace authd::flows {
namespace {

using std::chrono::milliseconds;
constexpr const char* kSecret = "mfa-unit-test-secret-0123456789abcdef";
constexpr const char* kPassword = "Str0ng!Passw0rd";

// The calls the tests make, routed to the use case that owns each (methods
// by their wire names, as a client sends them).
class MfaApi {
 public:
  MfaApi(MfaEnrolment& enrolment, SecondFactor& second) : enrolment_(enrolment), second_(second) {}
  template <typename... A>
  auto SetupTotp(A&&... a) {
    return enrolment_.SetupTotp(a...);
  }
  template <typename... A>
  auto VerifyTotpSetup(A&&... a) {
    return enrolment_.VerifyTotpSetup(a...);
  }
  template <typename... A>
  auto Toggle(A&&... a) {
    return enrolment_.Toggle(a...);
  }
  template <typename... A>
  auto Devices(A&&... a) {
    return enrolment_.Devices(a...);
  }
  template <typename... A>
  auto GenerateRecoveryCodes(A&&... a) {
    return enrolment_.GenerateRecoveryCodes(a...);
  }
  core::Result<AuthResult> VerifyRecoveryCode(const Principal& p, const std::string& code,
                                              bool trust, const ClientInfo& c) {
    return second_.VerifyRecoveryCode(p, code, trust, c);
  }
  core::Status Challenge(const Principal& p, std::string_view method) {
    return second_.Challenge(p, mfa::ParseMfaMethod(method));
  }
  core::Result<AuthResult> Verify(const Principal& p, std::string_view method,
                                  const std::string& otp, bool trust, const ClientInfo& c) {
    return second_.Verify(p, *mfa::ParseMfaMethod(method), otp, trust, c);
  }

 private:
  MfaEnrolment& enrolment_;
  SecondFactor& second_;
};

// The whole sign-in stack with MFA (app::Services) on the memory database
// and a fake clock.
class MfaFlowsTest : public app::test_util::FlowStackTest {
 protected:
  explicit MfaFlowsTest(mfa::MfaOptions mfa = Enabled()) {
    mfa_opts_ = std::move(mfa);
    cfg_.app_name = "Acme";
    cfg_.mfa.encryption_key = kSecret;
    opts_.jwt_secret = kSecret;
    rl_opts_.enabled = false;
    lock_opts_.max_failed_attempts = 3;
    Build();
    mfa_ = std::make_unique<MfaApi>(services_->flows.mfa_enrolment, services_->flows.second_factor);
    flows_ = &services_->flows.sessions;
  }

  static mfa::MfaOptions Enabled() {
    mfa::MfaOptions o;
    o.enabled = true;
    return o;
  }

  Principal Who(const std::string& access_token) {
    auto p = flows_->Authenticate(access_token, /*skip_mfa=*/true);
    EXPECT_TRUE(p.ok());
    return *p;
  }

  // The lockout check of the MFA verify routes (http/mfa_handlers.cc):
  // "mfa:<user id>", whatever the IP.
  core::Status Locked(const Principal& p) {
    return services_->lockout.Check("mfa:" + p.user.id.str(), "");
  }

  AuthResult SignUp(const std::string& email) {
    SignupInput in;
    in.email = email;
    in.password = kPassword;
    auto r = accounts_->Signup(in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return *r;
  }

  core::Result<AuthResult> LogIn(const std::string& email,
                                 std::optional<std::string> trust = std::nullopt) {
    LoginInput in;
    in.provider_name = "email";
    in.email = {true, true, email};
    in.password = {true, true, kPassword};
    in.trust_token = std::move(trust);
    return accounts_->Login(in);
  }

  // Enrols a TOTP device for the holder of `token`; returns its key.
  std::string Enrol(const std::string& token) {
    auto e = mfa_->SetupTotp(Who(token), std::nullopt, std::nullopt);
    EXPECT_TRUE(e.ok());
    std::string key = *crypto::Base32Decode(e->secret);
    EXPECT_TRUE(mfa_->VerifyTotpSetup(Who(token), Code(key), e->secret).ok());
    return key;
  }

  std::string Code(const std::string& key, int step_offset = 0) {
    return crypto::Totp(key, clock_.NowSeconds() + 30 * step_offset);
  }

  mfa::MfaOptions& mfa_opts_ = cfg_.mfa;
  identity::UserStore* users_ = &db_->users();
  mfa::MfaStore* mfa_store_ = &db_->mfa();
  std::unique_ptr<MfaApi> mfa_;
  SessionFlows* flows_ = nullptr;
};

TEST_F(MfaFlowsTest, TotpSecretsAreStoredSealedAndEachStepIsAcceptedOnce) {
  AuthResult a = SignUp("bob@example.com");
  auto e = mfa_->SetupTotp(Who(a.tokens.access_token), std::string("  Work phone "), std::nullopt);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->account, "Work phone");
  EXPECT_EQ(e->otpauth_url,
            "otpauth://totp/Work phone?secret=" + e->secret + "&issuer=Acme&period=30");
  auto devices = mfa_store_->ListDevices(std::nullopt, a.session.user_id);
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  const mfa::TotpDevice& d = (*devices)[0];
  EXPECT_EQ(d.secret_sealed.find(e->secret), std::string::npos) << "stored in the clear";
  EXPECT_EQ(d.name, "Acme : bob@example.com");

  const std::string key = *crypto::Base32Decode(e->secret);
  const std::string code = Code(key);
  Principal p = Who(a.tokens.access_token);
  EXPECT_EQ(mfa_->VerifyTotpSetup(p, "000000", e->secret).error().code, "MFA_CODE_INVALID");
  ASSERT_TRUE(mfa_->VerifyTotpSetup(p, code, e->secret).ok());
  // The enrolment code is spent: it cannot pass MFA, the next step can.
  auto replay = mfa_->Verify(p, "totp", code, false, {});
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "MFA_CODE_INVALID");
  EXPECT_TRUE(mfa_->Verify(p, "totp", Code(key, 1), false, {}).ok());
}

TEST_F(MfaFlowsTest, LoginIsPendingUntilTheSameSessionIsVerified) {
  AuthResult a = SignUp("carol@example.com");
  const std::string key = Enrol(a.tokens.access_token);
  ASSERT_TRUE(mfa_->Toggle(Who(a.tokens.access_token), true).ok());

  auto login = LogIn("carol@example.com");
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->is_requires_mfa);
  EXPECT_EQ(login->mfa_methods, (std::vector<std::string>{"email", "totp"}));
  EXPECT_EQ(login->default_mfa_method, std::optional<std::string>("email"));
  auto enforced = flows_->Authenticate(login->tokens.access_token, /*skip_mfa=*/false);
  ASSERT_FALSE(enforced.ok());
  EXPECT_EQ(enforced.error().code, "MFA_REQUIRED");

  clock_.Advance(milliseconds(30000));
  auto verified = mfa_->Verify(Who(login->tokens.access_token), "totp", Code(key), false, {});
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->is_requires_mfa);
  EXPECT_EQ(verified->session.id, login->session.id) << "the same session is upgraded";
  auto p = flows_->Authenticate(verified->tokens.access_token, /*skip_mfa=*/false);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->claims.is_mfa_verified);
  // The pending refresh token was rotated away (grace retry aside).
  clock_.Advance(milliseconds(60000));
  EXPECT_FALSE(flows_->Refresh(login->tokens.refresh_token).ok());
}

TEST_F(MfaFlowsTest, EmailCodesOnlyVerifyTheChannelTheyWereSentBy) {
  AuthResult a = SignUp("dan@example.com");
  Enrol(a.tokens.access_token);
  ASSERT_TRUE(mfa_->Toggle(Who(a.tokens.access_token), true).ok());
  auto login = LogIn("dan@example.com");
  Principal p = Who(login->tokens.access_token);
  ASSERT_TRUE(mfa_->Challenge(p, "email").ok());
  auto due = db_->outbox().ClaimDue(clock_.NowMillis(), 10, clock_.NowMillis() + 1000);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  const std::string& body = (*due)[0].body;
  const size_t at = body.find_first_of("0123456789");
  const std::string code = body.substr(at, 6);
  auto as_sms = mfa_->Verify(p, "sms", code, false, {});
  ASSERT_FALSE(as_sms.ok());
  EXPECT_EQ(as_sms.error().code, "VERIFICATION_CODE_INVALID");
  ASSERT_TRUE(mfa_->Verify(p, "email", code, false, {}).ok());
  auto u = users_->FindUserById(std::nullopt, p.user.id);
  EXPECT_TRUE((*u)->email_verified_at.has_value());
  EXPECT_FALSE((*u)->phone_verified_at.has_value());
}

TEST_F(MfaFlowsTest, RecoveryCodesAreHashedAndSingleUse) {
  AuthResult a = SignUp("erin@example.com");
  Enrol(a.tokens.access_token);
  ASSERT_TRUE(mfa_->Toggle(Who(a.tokens.access_token), true).ok());
  auto codes = mfa_->GenerateRecoveryCodes(Who(a.tokens.access_token));
  ASSERT_TRUE(codes.ok());
  ASSERT_EQ(codes->size(), 10u);
  for (const std::string& c : *codes) EXPECT_EQ(c.size(), 27u);
  // Only the HMAC is stored: the plain code is not a usable hash.
  EXPECT_FALSE(*mfa_store_->UseRecoveryCode(std::nullopt, a.session.user_id, (*codes)[0],
                                            clock_.NowMillis()));

  auto login = LogIn("erin@example.com");
  Principal p = Who(login->tokens.access_token);
  ASSERT_TRUE(mfa_->VerifyRecoveryCode(p, (*codes)[0], false, {}).ok());
  auto again = mfa_->VerifyRecoveryCode(p, (*codes)[0], false, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "MFA_RECOVERY_CODE_INVALID");
  EXPECT_EQ(*mfa_store_->CountUnusedRecoveryCodes(std::nullopt, a.session.user_id), 9);
}

TEST_F(MfaFlowsTest, TrustedDevicesSkipMfaUntilTheyExpire) {
  AuthResult a = SignUp("fay@example.com");
  const std::string key = Enrol(a.tokens.access_token);
  ASSERT_TRUE(mfa_->Toggle(Who(a.tokens.access_token), true).ok());
  auto login = LogIn("fay@example.com");
  clock_.Advance(milliseconds(30000));
  auto v = mfa_->Verify(Who(login->tokens.access_token), "totp", Code(key), true,
                        {"127.0.0.1", "test-agent"});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->trust_token.has_value());
  EXPECT_EQ(v->trust_token->size(), 43u);

  auto trusted = LogIn("fay@example.com", v->trust_token);
  ASSERT_TRUE(trusted.ok());
  EXPECT_FALSE(trusted->is_requires_mfa);
  EXPECT_TRUE(LogIn("fay@example.com", std::string("forged"))->is_requires_mfa) << "forged";
  clock_.Advance(milliseconds(mfa_opts_.trusted_device_ttl_ms));
  EXPECT_TRUE(LogIn("fay@example.com", v->trust_token)->is_requires_mfa) << "expired";
}

TEST_F(MfaFlowsTest, WrongCodesLockTheAccount) {
  AuthResult a = SignUp("gus@example.com");
  const std::string key = Enrol(a.tokens.access_token);
  Principal p = Who(a.tokens.access_token);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Locked(p).ok());
    EXPECT_FALSE(mfa_->Verify(p, "totp", "000000", false, {}).ok());
  }
  auto locked = Locked(p);  // any IP
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "ACCOUNT_LOCKED");
}

class MfaSetupLimitsTest : public MfaFlowsTest {
 protected:
  MfaSetupLimitsTest() : MfaFlowsTest(Limited()) {}
  static mfa::MfaOptions Limited() {
    mfa::MfaOptions o = Enabled();
    o.max_totp_devices = 3;
    o.totp_setup_ttl_ms = 10 * 60 * 1000;
    return o;
  }
};

TEST_F(MfaSetupLimitsTest, DevicesAreCappedAndAbandonedSetupsExpire) {
  AuthResult a = SignUp("ivy@example.com");
  const std::string token = a.tokens.access_token;
  Enrol(token);  // one verified device
  auto pending1 = mfa_->SetupTotp(Who(token), std::nullopt, std::nullopt);
  ASSERT_TRUE(pending1.ok());
  clock_.Advance(milliseconds(60'000));
  auto pending2 = mfa_->SetupTotp(Who(token), std::nullopt, std::nullopt);
  ASSERT_TRUE(pending2.ok());
  // Verified and unverified devices count: the fourth is refused.
  auto refused = mfa_->SetupTotp(Who(token), std::nullopt, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "MFA_DEVICE_LIMIT_REACHED");
  EXPECT_EQ(refused.error().category, core::ErrorCategory::kInvalidArgument);
  EXPECT_EQ(mfa_->Devices(Who(token))->size(), 3u);

  // pending1 is 10 minutes old: it can no longer be verified, is not listed
  // and no longer counts.
  clock_.Advance(milliseconds(9 * 60'000));
  const std::string key1 = *crypto::Base32Decode(pending1->secret);
  EXPECT_EQ(mfa_->VerifyTotpSetup(Who(token), Code(key1), pending1->secret).error().code,
            "MFA_CODE_INVALID");
  EXPECT_EQ(mfa_->Devices(Who(token))->size(), 2u);
  auto again = mfa_->SetupTotp(Who(token), std::nullopt, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(mfa_store_->ListDevices(std::nullopt, a.session.user_id)->size(), 3u);  // purged
  // pending2 is younger than the window: still verifiable.
  const std::string key2 = *crypto::Base32Decode(pending2->secret);
  EXPECT_TRUE(mfa_->VerifyTotpSetup(Who(token), Code(key2), pending2->secret).ok());
  // Verified devices never expire.
  clock_.Advance(milliseconds(24LL * 3600 * 1000));
  auto fresh = LogIn("ivy@example.com");
  ASSERT_TRUE(fresh.ok());
  auto devices = mfa_->Devices(Who(fresh->tokens.access_token));
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->size(), 2u);
  for (const auto& d : *devices) EXPECT_TRUE(d.verified);
}

class MfaRequiredTest : public MfaFlowsTest {
 protected:
  MfaRequiredTest() : MfaFlowsTest(Required()) {}
  static mfa::MfaOptions Required() {
    mfa::MfaOptions o = Enabled();
    o.required = true;
    o.methods = {"totp"};
    return o;
  }
};

TEST_F(MfaRequiredTest, AUserWithNothingEnrolledGetsAPendingSessionThatCanEnrol) {
  AuthResult a = SignUp("hal@example.com");
  EXPECT_TRUE(a.is_requires_mfa);
  EXPECT_TRUE(a.mfa_methods.empty());
  auto enforced = flows_->Authenticate(a.tokens.access_token, /*skip_mfa=*/false);
  ASSERT_FALSE(enforced.ok()) << "the reference hands out a usable token here";
  EXPECT_EQ(enforced.error().code, "MFA_REQUIRED");
  const std::string key = Enrol(a.tokens.access_token);
  auto v = mfa_->Verify(Who(a.tokens.access_token), "totp", Code(key, 1), false, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(flows_->Authenticate(v->tokens.access_token, /*skip_mfa=*/false).ok());
}

}  // namespace
}  // namespace authd::flows
