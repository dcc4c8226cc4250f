#include "store/contract/otp_store_contract.h"

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>

namespace authd::store::contract {
namespace {

using otp::ConsumeOutcome;
using otp::OneTimeCode;
using otp::Purpose;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OtpStoreContract);

void ExpectSameCode(const OneTimeCode& got, const OneTimeCode& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.purpose, want.purpose);
  EXPECT_EQ(got.code_hash, want.code_hash);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.created_at, want.created_at);
}

TEST_P(OtpStoreContract, IssueThenListRoundTripsEveryField) {
  AddUser("u-1");
  for (Purpose p : {Purpose::kPasswordReset, Purpose::kEmailVerification,
                    Purpose::kPhoneVerification, Purpose::kMfa, Purpose::kPasswordlessLogin}) {
    OneTimeCode c =
        MakeCode(std::string("c-") + otp::PurposeName(p), "u-1", p, kTenantA, "424242", kNow - 5);
    c.attempts = 1;
    Issue(c);
    std::vector<OneTimeCode> got = List("u-1", p, kTenantA);
    ASSERT_EQ(got.size(), 1u) << otp::PurposeName(p);
    ExpectSameCode(got[0], c);
  }
  EXPECT_THAT(List("u-1", Purpose::kMfa, kNullTenant), IsEmpty());
  EXPECT_THAT(List("u-2", Purpose::kMfa, kTenantA), IsEmpty());
}

TEST_P(OtpStoreContract, IssueReplacesOlderCodesOfSameKeyOnly) {
  AddUser("u-1");
  AddUser("u-2");
  Issue(MakeCode("c-old", "u-1", Purpose::kPasswordReset, kNullTenant, "111111", kNow - 1000));
  Issue(MakeCode("c-verify", "u-1", Purpose::kEmailVerification));
  Issue(MakeCode("c-other-user", "u-2"));
  Issue(MakeCode("c-other-tenant", "u-1", Purpose::kPasswordReset, kTenantA));
  Issue(MakeCode("c-new", "u-1", Purpose::kPasswordReset, kNullTenant, "222222"));
  EXPECT_THAT(ListIds("u-1"), ElementsAre("c-new"));
  EXPECT_THAT(ListIds("u-1", Purpose::kEmailVerification), ElementsAre("c-verify"));
  EXPECT_THAT(ListIds("u-2"), ElementsAre("c-other-user"));
  EXPECT_THAT(ListIds("u-1", Purpose::kPasswordReset, kTenantA), ElementsAre("c-other-tenant"));
  // The replaced code no longer works; the new one does.
  EXPECT_NE(Consume("u-1", "111111"), ConsumeOutcome::kConsumed);
  EXPECT_EQ(Consume("u-1", "222222"), ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, IssueEnqueuesItsMessages) {
  AddUser("u-1");
  courier::OutboxMessage mail = MakeMessage("m-mail");
  courier::OutboxMessage sms = MakeMessage("m-sms");
  sms.channel = courier::Channel::kSms;
  sms.recipient = "+15550001";
  Issue(MakeCode("c-1", "u-1"), {mail, sms});
  for (const std::string id : {"m-mail", "m-sms"}) {
    auto m = outbox().Get(id);
    ASSERT_TRUE(IsOk(m));
    ASSERT_TRUE(m->has_value()) << id;
    EXPECT_EQ((*m)->state, courier::MessageState::kPending);
    EXPECT_EQ((*m)->body, MakeMessage(id).body);
  }
  auto claimed = outbox().ClaimDue(kNow, 10, kNow + kHour);
  ASSERT_TRUE(IsOk(claimed));
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_THAT(ListIds("u-1"), ElementsAre("c-1"));
}

TEST_P(OtpStoreContract, FailedIssueWritesNothing) {
  AddUser("u-1");
  Issue(MakeCode("c-old", "u-1", Purpose::kPasswordReset, kNullTenant, "111111"));
  ASSERT_TRUE(IsOk(outbox().Enqueue({MakeMessage("m-taken")})));
  // The second message's id is taken: neither the code nor the first
  // message is written, and the older code is not deleted.
  EXPECT_FALSE(
      otps().Issue(MakeCode("c-new", "u-1"), {MakeMessage("m-new"), MakeMessage("m-taken")}).ok());
  EXPECT_THAT(ListIds("u-1"), ElementsAre("c-old"));
  auto m = outbox().Get("m-new");
  ASSERT_TRUE(IsOk(m));
  EXPECT_FALSE(m->has_value());
  EXPECT_EQ(Consume("u-1", "111111"), ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, MatchingCodeIsConsumedOnce) {
  AddUser("u-1");
  Issue(MakeCode("c-1", "u-1"));
  EXPECT_EQ(Consume("u-1", "123456"), ConsumeOutcome::kConsumed);
  EXPECT_THAT(ListIds("u-1"), IsEmpty());
  // Gone: with no live code, a second submission is plainly invalid.
  EXPECT_EQ(Consume("u-1", "123456"), ConsumeOutcome::kInvalid);
}

TEST_P(OtpStoreContract, ExpiredMatchIsExpiredAndKept) {
  AddUser("u-1");
  OneTimeCode c = MakeCode("c-1", "u-1");
  Issue(c);
  EXPECT_EQ(Consume("u-1", "123456", c.expires_at), ConsumeOutcome::kExpired);
  EXPECT_EQ(Consume("u-1", "123456", c.expires_at + kHour), ConsumeOutcome::kExpired);
  std::vector<OneTimeCode> kept = List("u-1");
  ASSERT_EQ(kept.size(), 1u);
  ExpectSameCode(kept[0], c);  // attempts untouched
  // A wrong code leaves an expired one alone, and none is live.
  EXPECT_EQ(Consume("u-1", "000000", c.expires_at), ConsumeOutcome::kInvalid);
  ASSERT_EQ(List("u-1").size(), 1u);
  EXPECT_EQ(List("u-1")[0].attempts, 0);
  // Expiry is at `now`, whatever time the caller passes.
  EXPECT_EQ(Consume("u-1", "123456", c.expires_at - 1), ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, WrongCodesCountAttemptsUntilExhausted) {
  AddUser("u-1");
  Issue(MakeCode("c-1", "u-1"));
  EXPECT_EQ(Consume("u-1", "000001"), ConsumeOutcome::kInvalid);
  ASSERT_EQ(List("u-1").size(), 1u);
  EXPECT_EQ(List("u-1")[0].attempts, 1);
  EXPECT_EQ(Consume("u-1", "000002"), ConsumeOutcome::kInvalid);
  EXPECT_EQ(List("u-1")[0].attempts, 2);
  EXPECT_EQ(Consume("u-1", "000003"), ConsumeOutcome::kExhausted);
  EXPECT_THAT(ListIds("u-1"), IsEmpty()) << "deleted at max_attempts";
  EXPECT_EQ(Consume("u-1", "123456"), ConsumeOutcome::kInvalid) << "the code is dead";
}

TEST_P(OtpStoreContract, RightCodeStillWorksBeforeMaxAttempts) {
  AddUser("u-1");
  Issue(MakeCode("c-1", "u-1"));
  EXPECT_EQ(Consume("u-1", "000001"), ConsumeOutcome::kInvalid);
  EXPECT_EQ(Consume("u-1", "000002"), ConsumeOutcome::kInvalid);
  EXPECT_EQ(Consume("u-1", "123456"), ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, WrongCodeCountsOnlyAgainstItsKey) {
  AddUser("u-1");
  AddUser("u-2");
  Issue(MakeCode("c-1", "u-1"));
  Issue(MakeCode("c-verify", "u-1", Purpose::kEmailVerification));
  Issue(MakeCode("c-tenant", "u-1", Purpose::kPasswordReset, kTenantA));
  Issue(MakeCode("c-2", "u-2"));
  EXPECT_EQ(Consume("u-1", "000000"), ConsumeOutcome::kInvalid);
  EXPECT_EQ(List("u-1")[0].attempts, 1);
  EXPECT_EQ(List("u-1", Purpose::kEmailVerification)[0].attempts, 0);
  EXPECT_EQ(List("u-1", Purpose::kPasswordReset, kTenantA)[0].attempts, 0);
  EXPECT_EQ(List("u-2")[0].attempts, 0);
}

TEST_P(OtpStoreContract, ConsumeIsTenantScoped) {
  AddUser("u-1");
  Issue(MakeCode("c-a", "u-1", Purpose::kPasswordReset, kTenantA));
  for (const core::TenantId& other : {kTenantB, kNullTenant}) {
    EXPECT_EQ(Consume("u-1", "123456", kNow, Purpose::kPasswordReset, other),
              ConsumeOutcome::kInvalid);
  }
  std::vector<OneTimeCode> a = List("u-1", Purpose::kPasswordReset, kTenantA);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].attempts, 0);
  EXPECT_EQ(Consume("u-1", "123456", kNow, Purpose::kPasswordReset, kTenantA),
            ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, ConcurrentCorrectSubmissionsConsumeOnce) {
  AddUser("u-1");
  Issue(MakeCode("c-1", "u-1"));
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> consumed{0}, invalid{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = otps().Consume(kNullTenant, core::UserId("u-1"), Purpose::kPasswordReset,
                              CodeHash("123456"), kNow, kMaxAttempts);
      if (!r.ok()) {
        ++other;
      } else if (*r == ConsumeOutcome::kConsumed) {
        ++consumed;
      } else if (*r == ConsumeOutcome::kInvalid) {
        ++invalid;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(consumed.load(), 1);
  EXPECT_EQ(invalid.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_THAT(ListIds("u-1"), IsEmpty());
}

TEST_P(OtpStoreContract, IssueDecoyLeavesNothingBehind) {
  AddUser("u-1");
  Issue(MakeCode("c-1", "u-1"), {MakeMessage("m-1")});
  // For an unknown user, and for a known one: neither adds nor removes.
  ASSERT_TRUE(IsOk(otps().IssueDecoy(MakeCode("c-decoy-1", "no-such-user"))));
  ASSERT_TRUE(IsOk(otps().IssueDecoy(MakeCode("c-decoy-2", "u-1"))));
  EXPECT_THAT(ListIds("no-such-user"), IsEmpty());
  EXPECT_THAT(ListIds("u-1"), ElementsAre("c-1"));
  for (const char* id : {"c-decoy-1", "c-decoy-2"}) {
    auto m = outbox().Get(id);
    ASSERT_TRUE(IsOk(m));
    EXPECT_FALSE(m->has_value()) << id;
  }
  auto claimed = outbox().ClaimDue(kNow + kHour, 10, kNow + 2 * kHour);
  ASSERT_TRUE(IsOk(claimed));
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().id, "m-1");
  EXPECT_EQ(Consume("u-1", "123456"), ConsumeOutcome::kConsumed);
}

TEST_P(OtpStoreContract, DeleteAllCountsAndSparesOtherKeys) {
  AddUser("u-1");
  AddUser("u-2");
  Issue(MakeCode("c-1", "u-1"));
  Issue(MakeCode("c-verify", "u-1", Purpose::kEmailVerification));
  Issue(MakeCode("c-2", "u-2"));
  auto n = otps().DeleteAll(kNullTenant, core::UserId("u-1"), Purpose::kPasswordReset);
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 1);
  EXPECT_THAT(ListIds("u-1"), IsEmpty());
  EXPECT_THAT(ListIds("u-1", Purpose::kEmailVerification), ElementsAre("c-verify"));
  EXPECT_THAT(ListIds("u-2"), ElementsAre("c-2"));
  EXPECT_EQ(*otps().DeleteAll(kNullTenant, core::UserId("u-1"), Purpose::kPasswordReset), 0);
}

}  // namespace
}  // namespace authd::store::contract
