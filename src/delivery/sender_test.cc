#include "delivery/sender.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/mutex.h"
#include "store/memory/memory_stores.h"

namespace authd::delivery {
namespace {

constexpr core::UnixMillis kNow = 1795627064000;

// Fails with `failures` (in order), then accepts; records every message.
class ScriptedTransport final : public courier::Transport {
 public:
  explicit ScriptedTransport(std::vector<core::Status> failures = {})
      : failures_(std::move(failures)) {}
  core::Status Send(const courier::OutboxMessage& m) override {
    core::MutexLock lock(&mu_);
    seen_.push_back(m.id);
    if (next_ < failures_.size()) return failures_[next_++];
    ++delivered_;
    return core::Status::Ok();
  }
  const char* name() const override { return "scripted"; }
  int delivered() {
    core::MutexLock lock(&mu_);
    return delivered_;
  }
  std::vector<std::string> seen() {
    core::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  core::Mutex mu_;
  std::vector<core::Status> failures_ GUARDED_BY(mu_);
  size_t next_ GUARDED_BY(mu_) = 0;
  int delivered_ GUARDED_BY(mu_) = 0;
  std::vector<std::string> seen_ GUARDED_BY(mu_);
};

courier::OutboxMessage Sms(const std::string& id) {
  courier::OutboxMessage m;
  m.id = id;
  m.channel = courier::Channel::kSms;
  m.recipient = "+14155552671";
  m.kind = "phone_verification";
  m.body = "123456 is your code";
  m.next_attempt_at = kNow;
  m.created_at = kNow;
  return m;
}

class SenderTest : public ::testing::Test {
 protected:
  SenderOptions Options() {
    SenderOptions o;
    o.retry_initial_ms = 1000;
    o.retry_max_ms = 8000;
    o.max_attempts = 4;
    return o;
  }
  core::FakeClock clock_{kNow};
  store::MemoryCourierStores stores_ = store::NewMemoryCourierStores();
};

TEST_F(SenderTest, RetriesWithGrowingBackoffThenDelivers) {
  ScriptedTransport sms({core::Unavailable("503"), core::Unavailable("timeout")});
  Sender sender(Options(), *stores_.outbox, {nullptr, &sms, nullptr}, clock_, crypto::OsRandom());
  ASSERT_TRUE(stores_.outbox->Enqueue({Sms("m-1")}).ok());

  EXPECT_EQ(sender.RunOnce(), 1);  // attempt 1 fails
  auto m = stores_.outbox->Get("m-1");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->state, courier::MessageState::kPending);
  EXPECT_EQ((*m)->attempts, 1);
  EXPECT_EQ((*m)->last_error, "503");
  // Retry 1 waits between 500 and 1000 ms (equal jitter on 1 s).
  EXPECT_GE((*m)->next_attempt_at, kNow + 500);
  EXPECT_LE((*m)->next_attempt_at, kNow + 1000);
  EXPECT_EQ(sender.RunOnce(), 0);  // not due yet

  clock_.Set((*m)->next_attempt_at);
  EXPECT_EQ(sender.RunOnce(), 1);  // attempt 2 fails
  m = stores_.outbox->Get("m-1");
  EXPECT_GE((*m)->next_attempt_at, clock_.NowMillis() + 1000);  // 2 s, jittered
  EXPECT_LE((*m)->next_attempt_at, clock_.NowMillis() + 2000);

  clock_.Set((*m)->next_attempt_at);
  EXPECT_EQ(sender.RunOnce(), 1);  // attempt 3 succeeds
  m = stores_.outbox->Get("m-1");
  EXPECT_EQ((*m)->state, courier::MessageState::kSent);
  EXPECT_EQ((*m)->attempts, 3);
  EXPECT_EQ((*m)->body, "");  // the code does not stay in the database
  EXPECT_EQ(sms.delivered(), 1);
  EXPECT_EQ(sms.seen(), (std::vector<std::string>{"m-1", "m-1", "m-1"}));
}

TEST_F(SenderTest, PermanentFailuresAndExhaustedAttemptsGiveUp) {
  ScriptedTransport sms({core::InvalidArgument("", "bad number"), core::Unavailable("a"),
                         core::Unavailable("b"), core::Unavailable("c"), core::Unavailable("d")});
  Sender sender(Options(), *stores_.outbox, {nullptr, &sms, nullptr}, clock_, crypto::OsRandom());
  ASSERT_TRUE(stores_.outbox->Enqueue({Sms("bad")}).ok());
  sender.RunOnce();
  auto bad = stores_.outbox->Get("bad");
  EXPECT_EQ((*bad)->state, courier::MessageState::kDead);
  EXPECT_EQ((*bad)->attempts, 1);

  ASSERT_TRUE(stores_.outbox->Enqueue({Sms("flaky")}).ok());
  for (int i = 0; i < 4; ++i) {
    clock_.Set(clock_.NowMillis() + 60000);
    EXPECT_EQ(sender.RunOnce(), 1);
  }
  auto flaky = stores_.outbox->Get("flaky");
  EXPECT_EQ((*flaky)->state, courier::MessageState::kDead);
  EXPECT_EQ((*flaky)->attempts, 4);
  EXPECT_EQ((*flaky)->last_error, "d");
  EXPECT_EQ(sms.delivered(), 0);
}

TEST_F(SenderTest, BackgroundThreadsDeliverEachMessageExactlyOnce) {
  core::FakeClock& clock = clock_;
  ScriptedTransport sms;
  SenderOptions o = Options();
  o.threads = 3;
  o.poll_ms = 20;
  Sender sender(o, *stores_.outbox, {nullptr, &sms, nullptr}, clock, crypto::OsRandom());
  sender.Start();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(stores_.outbox->Enqueue({Sms("m-" + std::to_string(i))}).ok());
    sender.Wake();
  }
  for (int i = 0; i < 500 && sms.delivered() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sender.Stop();
  EXPECT_EQ(sms.delivered(), 50);
  std::vector<std::string> seen = sms.seen();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "a message went twice";
}

TEST_F(SenderTest, MessagesWithoutATransportWait) {
  Sender sender(Options(), *stores_.outbox, {}, clock_, crypto::OsRandom());
  ASSERT_TRUE(stores_.outbox->Enqueue({Sms("m")}).ok());
  sender.RunOnce();
  auto m = stores_.outbox->Get("m");
  EXPECT_EQ((*m)->state, courier::MessageState::kPending);
  EXPECT_EQ((*m)->attempts, 1);
}

}  // namespace
}  // namespace authd::delivery
