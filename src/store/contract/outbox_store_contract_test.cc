#include "store/contract/outbox_store_contract.h"

#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>

#include "store/contract/user_store_contract.h"

namespace authd::store::contract {
namespace {

using courier::MessageState;
using courier::OutboxMessage;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OutboxStoreContract);

constexpr core::UnixMillis kLease = 30'000;

void ExpectSameMessage(const OutboxMessage& got, const OutboxMessage& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.channel, want.channel);
  EXPECT_EQ(got.recipient, want.recipient);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.subject, want.subject);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.next_attempt_at, want.next_attempt_at);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.last_error, want.last_error);
}

TEST_P(OutboxStoreContract, EnqueueThenGetRoundTripsEveryField) {
  OutboxMessage sms = MakeMessage("m-sms", kNow + 5, kNow - 7);
  sms.tenant_id = kTenantA;
  sms.channel = courier::Channel::kSms;
  sms.recipient = "+15550001";
  sms.kind = "phone_verification";
  sms.subject = "";
  sms.body = "Code: 654321 — ünïcode";
  OutboxMessage hook = MakeMessage("m-hook");
  hook.channel = courier::Channel::kWebhook;
  hook.recipient = "https://hooks.example.com/authd?x=1";
  hook.kind = "nest_auth.logged_in";
  hook.subject = "";
  hook.body = R"({"event":"nest_auth.logged_in","userId":"u-1"})";
  Enqueue({sms, hook});
  std::optional<OutboxMessage> got = GetMessage("m-sms");
  ASSERT_TRUE(got.has_value());
  ExpectSameMessage(*got, sms);
  got = GetMessage("m-hook");
  ASSERT_TRUE(got.has_value());
  ExpectSameMessage(*got, hook);
  EXPECT_FALSE(GetMessage("m-unknown").has_value());
}

TEST_P(OutboxStoreContract, EnqueuedMessagesArePending) {
  OutboxMessage m = MakeMessage("m-1");
  m.state = MessageState::kSent;  // ignored: the outbox takes pending messages
  Enqueue({m});
  ASSERT_TRUE(GetMessage("m-1").has_value());
  EXPECT_EQ(GetMessage("m-1")->state, MessageState::kPending);
  EXPECT_THAT(ClaimIds(kNow, 10, kNow + kLease), ElementsAre("m-1"));
}

TEST_P(OutboxStoreContract, EnqueueIsAllOrNothing) {
  Enqueue({MakeMessage("m-1")});
  EXPECT_FALSE(outbox().Enqueue({MakeMessage("m-2"), MakeMessage("m-1")}).ok()) << "m-1 exists";
  EXPECT_FALSE(outbox().Enqueue({MakeMessage("m-3"), MakeMessage("m-3")}).ok()) << "m-3 repeated";
  EXPECT_FALSE(GetMessage("m-2").has_value());
  EXPECT_FALSE(GetMessage("m-3").has_value());
  EXPECT_EQ(GetMessage("m-1").value().body, MakeMessage("m-1").body)
      << "the existing message is untouched";
  EXPECT_TRUE(IsOk(outbox().Enqueue({}))) << "an empty batch is fine";
}

TEST_P(OutboxStoreContract, ClaimDueTakesOldestDueFirstUpToLimit) {
  Enqueue({MakeMessage("m-late", kNow - 10, kNow - 100),
           MakeMessage("m-first", kNow - 30, kNow - 50),
           MakeMessage("m-tie-new", kNow - 20, kNow - 40),
           MakeMessage("m-tie-old", kNow - 20, kNow - 60), MakeMessage("m-now", kNow, kNow),
           MakeMessage("m-future", kNow + 1, kNow - 200)});
  EXPECT_THAT(ClaimIds(kNow, 2, kNow + kLease), ElementsAre("m-first", "m-tie-old"));
  EXPECT_THAT(ClaimIds(kNow, 10, kNow + kLease), ElementsAre("m-tie-new", "m-late", "m-now"))
      << "claimed messages are skipped; not-yet-due ones wait";
  EXPECT_THAT(ClaimIds(kNow, 10, kNow + kLease), IsEmpty());
  EXPECT_THAT(ClaimIds(kNow + 1, 10, kNow + kLease), ElementsAre("m-future"));
  EXPECT_THAT(ClaimIds(kNow + 1, 0, kNow + kLease), IsEmpty());
}

TEST_P(OutboxStoreContract, ClaimDueReturnsWholeMessages) {
  OutboxMessage m = MakeMessage("m-1", kNow - 5);
  m.tenant_id = kTenantB;
  Enqueue({m});
  auto claimed = outbox().ClaimDue(kNow, 1, kNow + kLease);
  ASSERT_TRUE(IsOk(claimed));
  ASSERT_EQ(claimed->size(), 1u);
  ExpectSameMessage(claimed->front(), m);
}

TEST_P(OutboxStoreContract, ClaimLastsUntilLeaseEnds) {
  Enqueue({MakeMessage("m-1")});
  EXPECT_THAT(ClaimIds(kNow, 10, kNow + 1000), ElementsAre("m-1"));
  EXPECT_THAT(ClaimIds(kNow + 999, 10, kNow + 2000), IsEmpty());
  // The first sender died: the lease ended, another one takes it.
  EXPECT_THAT(ClaimIds(kNow + 1000, 10, kNow + 2000), ElementsAre("m-1"));
  EXPECT_THAT(ClaimIds(kNow + 1999, 10, kNow + 3000), IsEmpty());
  EXPECT_EQ(GetMessage("m-1").value().state, MessageState::kPending);
}

TEST_P(OutboxStoreContract, ConcurrentClaimersNeverShareAMessage) {
  constexpr int kMessages = 60;
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(MakeMessage("m-" + std::to_string(i), kNow - i));
  }
  Enqueue(messages);
  constexpr int kThreads = 4;
  std::latch start(kThreads);
  std::mutex mu;
  std::map<std::string, int> times_claimed;  // GUARDED_BY(mu)
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      while (true) {
        auto r = outbox().ClaimDue(kNow, 3, kNow + kLease);
        if (!r.ok()) {
          ++errors;
          return;
        }
        if (r->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const OutboxMessage& m : *r) ++times_claimed[m.id];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(times_claimed.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [id, n] : times_claimed) EXPECT_EQ(n, 1) << id;
}

TEST_P(OutboxStoreContract, MarkSentScrubsBodyAndEndsDelivery) {
  OutboxMessage m = MakeMessage("m-1");
  Enqueue({m});
  ASSERT_THAT(ClaimIds(kNow, 1, kNow + kLease), ElementsAre("m-1"));
  ASSERT_TRUE(IsOk(outbox().MarkSent("m-1", kNow + 10)));
  OutboxMessage want = m;
  want.state = MessageState::kSent;
  want.attempts = 1;
  want.body = "";
  ExpectSameMessage(GetMessage("m-1").value(), want);
  EXPECT_THAT(ClaimIds(kNow + 10 * kHour, 10, kNow + 11 * kHour), IsEmpty());
  EXPECT_FALSE(NextDue().has_value());
}

TEST_P(OutboxStoreContract, MarkRetryKeepsMessagePendingUntilNextAttempt) {
  OutboxMessage m = MakeMessage("m-1");
  Enqueue({m});
  ASSERT_THAT(ClaimIds(kNow, 1, kNow + kHour), ElementsAre("m-1"));
  ASSERT_TRUE(IsOk(outbox().MarkRetry("m-1", kNow + 5000, "smtp: 451 try later")));
  OutboxMessage want = m;
  want.attempts = 1;
  want.next_attempt_at = kNow + 5000;
  want.last_error = "smtp: 451 try later";
  ExpectSameMessage(GetMessage("m-1").value(), want);  // body kept for the retry
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 5000));
  EXPECT_THAT(ClaimIds(kNow + 4999, 10, kNow + kHour), IsEmpty());
  // Due again although the first lease ran an hour: the claim was dropped.
  EXPECT_THAT(ClaimIds(kNow + 5000, 10, kNow + kHour), ElementsAre("m-1"));
  ASSERT_TRUE(IsOk(outbox().MarkRetry("m-1", kNow + 9000, "timeout")));
  EXPECT_EQ(GetMessage("m-1").value().attempts, 2);
  EXPECT_EQ(GetMessage("m-1").value().last_error, "timeout");
}

TEST_P(OutboxStoreContract, MarkDeadScrubsBodyAndEndsDelivery) {
  OutboxMessage m = MakeMessage("m-1");
  Enqueue({m});
  ASSERT_THAT(ClaimIds(kNow, 1, kNow + kLease), ElementsAre("m-1"));
  ASSERT_TRUE(IsOk(outbox().MarkRetry("m-1", kNow + 10, "first failure")));
  ASSERT_TRUE(IsOk(outbox().MarkDead("m-1", "550 no such mailbox", kNow + 20)));
  OutboxMessage want = m;
  want.state = MessageState::kDead;
  want.attempts = 2;
  want.next_attempt_at = kNow + 10;
  want.last_error = "550 no such mailbox";
  want.body = "";
  ExpectSameMessage(GetMessage("m-1").value(), want);
  EXPECT_THAT(ClaimIds(kNow + kHour, 10, kNow + 2 * kHour), IsEmpty());
  EXPECT_FALSE(NextDue().has_value());
}

TEST_P(OutboxStoreContract, FinalMarksAreNotUndoneByALateSender) {
  Enqueue({MakeMessage("m-1"), MakeMessage("m-2")});
  ASSERT_TRUE(IsOk(outbox().MarkSent("m-1", kNow)));
  ASSERT_TRUE(IsOk(outbox().MarkDead("m-2", "gave up", kNow)));
  // A sender whose lease ran out reports late.
  EXPECT_TRUE(IsOk(outbox().MarkRetry("m-1", kNow + 10, "timeout")));
  EXPECT_TRUE(IsOk(outbox().MarkDead("m-1", "timeout", kNow)));
  EXPECT_TRUE(IsOk(outbox().MarkSent("m-2", kNow)));
  OutboxMessage m1 = GetMessage("m-1").value();
  EXPECT_EQ(m1.state, MessageState::kSent);
  EXPECT_EQ(m1.attempts, 1);
  EXPECT_EQ(m1.last_error, "");
  OutboxMessage m2 = GetMessage("m-2").value();
  EXPECT_EQ(m2.state, MessageState::kDead);
  EXPECT_EQ(m2.attempts, 1);
  EXPECT_EQ(m2.last_error, "gave up");
  EXPECT_THAT(ClaimIds(kNow + kHour, 10, kNow + 2 * kHour), IsEmpty());
  // Marks of unknown ids change nothing and are not errors.
  EXPECT_TRUE(IsOk(outbox().MarkSent("m-unknown", kNow)));
  EXPECT_FALSE(GetMessage("m-unknown").has_value());
}

TEST_P(OutboxStoreContract, ReleaseClaimsMakesClaimedMessagesDueAtOnce) {
  Enqueue({MakeMessage("m-1", kNow - 2), MakeMessage("m-2", kNow - 1),
           MakeMessage("m-3", kNow + kHour)});
  ASSERT_THAT(ClaimIds(kNow, 10, kNow + kHour), ElementsAre("m-1", "m-2"));
  ASSERT_TRUE(IsOk(outbox().ReleaseClaims()));
  EXPECT_THAT(ClaimIds(kNow, 10, kNow + kHour), ElementsAre("m-1", "m-2"));
  EXPECT_EQ(GetMessage("m-1").value().attempts, 0) << "a release is no attempt";
}

TEST_P(OutboxStoreContract, NextDueIsWhenThePendingMessageBecomesClaimable) {
  EXPECT_FALSE(NextDue().has_value());
  Enqueue({MakeMessage("m-sent", kNow - 1000), MakeMessage("m-later", kNow + 5000),
           MakeMessage("m-sooner", kNow + 1000)});
  ASSERT_TRUE(IsOk(outbox().MarkSent("m-sent", kNow)));
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 1000));
  ASSERT_THAT(ClaimIds(kNow + 1000, 1, kNow + kHour), ElementsAre("m-sooner"));
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 5000))
      << "a claimed message counts from the end of its lease only";
  ASSERT_THAT(ClaimIds(kNow + 5000, 1, kNow + 6000), ElementsAre("m-later"));
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 6000));
  ASSERT_TRUE(IsOk(outbox().MarkRetry("m-later", kNow + 7000, "503")));
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 7000));
  ASSERT_TRUE(IsOk(outbox().MarkSent("m-sooner", kNow + 1000)));
  EXPECT_EQ(NextDue(), std::optional<core::UnixMillis>(kNow + 7000));
}

TEST_P(OutboxStoreContract, PurgeDeletesFinishedMessagesCreatedBefore) {
  Enqueue({MakeMessage("m-sent-old", kNow, kNow - 2 * kHour),
           MakeMessage("m-dead-old", kNow, kNow - 2 * kHour),
           MakeMessage("m-pending-old", kNow, kNow - 2 * kHour),
           MakeMessage("m-sent-at-cutoff", kNow, kNow - kHour),
           MakeMessage("m-sent-new", kNow, kNow)});
  for (const char* id : {"m-sent-old", "m-sent-at-cutoff", "m-sent-new"}) {
    ASSERT_TRUE(IsOk(outbox().MarkSent(id, kNow)));
  }
  ASSERT_TRUE(IsOk(outbox().MarkDead("m-dead-old", "gave up", kNow)));
  auto purged = outbox().Purge(kNow - kHour);
  ASSERT_TRUE(IsOk(purged));
  EXPECT_EQ(*purged, 2);
  EXPECT_FALSE(GetMessage("m-sent-old").has_value());
  EXPECT_FALSE(GetMessage("m-dead-old").has_value());
  EXPECT_TRUE(GetMessage("m-pending-old").has_value()) << "never purged undelivered";
  EXPECT_TRUE(GetMessage("m-sent-at-cutoff").has_value());
  EXPECT_TRUE(GetMessage("m-sent-new").has_value());
  EXPECT_EQ(*outbox().Purge(kNow - kHour), 0);
}

}  // namespace
}  // namespace authd::store::contract
