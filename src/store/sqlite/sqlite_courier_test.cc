// What only the SQLite OtpStore and OutboxStore promise beyond the contract
// suites: what lands in the file, the write a decoy makes, the newest-first
// rule over several codes of one key (which Issue alone never leaves), and
// claims shared by two database handles (two processes) on one file.
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/contract/otp_store_contract.h"
#include "store/contract/outbox_store_contract.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_test_util.h"

namespace authd::store {
namespace {

using contract::AddUserRow;
using contract::CodeHash;
using contract::IsOk;
using contract::kHour;
using contract::kMaxAttempts;
using contract::kNow;
using contract::kNullTenant;
using contract::MakeCode;
using contract::MakeMessage;
using otp::ConsumeOutcome;
using otp::Purpose;
using sqlite::RawDb;
using sqlite::TempDir;

class SqliteCourierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDatabase::Open({path_});
    ASSERT_TRUE(IsOk(db));
    db_ = std::move(*db);
    AddUserRow(db_->users(), "u-1");
  }

  ConsumeOutcome Consume(const std::string& code) {
    auto r = db_->otps().Consume(kNullTenant, core::UserId("u-1"), Purpose::kPasswordReset,
                                 CodeHash(code), kNow, kMaxAttempts);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : ConsumeOutcome::kConsumed;
  }

  // Plants a password-reset code of u-1 beside the ones Issue left.
  void Plant(RawDb& raw, const std::string& id, const std::string& code,
             core::UnixMillis created_at, core::UnixMillis expires_at, int attempts = 0) {
    raw.Exec(
        "INSERT INTO otps (id, user_id, tenant_id, purpose, code_hash,"
        " attempts, expires_at, created_at) VALUES ('" +
        id + "', 'u-1', NULL, 'password_reset', '" + CodeHash(code) + "', " +
        std::to_string(attempts) + ", " + std::to_string(expires_at) + ", " +
        std::to_string(created_at) + ")");
  }

  std::string Attempts(RawDb& raw, const std::string& id) {
    return raw.Scalar("SELECT attempts FROM otps WHERE id = '" + id + "'");
  }

  TempDir dir_;
  std::string path_ = dir_.File("authd.db");
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteCourierTest, NewestMatchingCodeDecides) {
  ASSERT_TRUE(IsOk(db_->otps().Issue(
      MakeCode("c-old", "u-1", Purpose::kPasswordReset, kNullTenant, "123456", kNow - 1000), {})));
  RawDb raw(path_);
  Plant(raw, "c-new", "123456", kNow - 10, kNow - 1);  // same code, expired
  auto listed = db_->otps().List(kNullTenant, core::UserId("u-1"), Purpose::kPasswordReset);
  ASSERT_TRUE(IsOk(listed));
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "c-new");
  EXPECT_EQ((*listed)[1].id, "c-old");
  EXPECT_EQ(Consume("123456"), ConsumeOutcome::kExpired) << "the older live one is not tried";
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM otps"), "2");
}

TEST_F(SqliteCourierTest, WrongCodeCountsAgainstEveryLiveCodeOfTheKey) {
  RawDb raw(path_);
  Plant(raw, "c-a", "111111", kNow - 30, kNow + kHour, kMaxAttempts - 1);
  Plant(raw, "c-b", "222222", kNow - 20, kNow + kHour);
  Plant(raw, "c-dead", "333333", kNow - 10, kNow);  // expired at kNow
  EXPECT_EQ(Consume("000000"), ConsumeOutcome::kInvalid) << "c-b is left";
  EXPECT_EQ(Attempts(raw, "c-a"), "") << "reached max_attempts: deleted";
  EXPECT_EQ(Attempts(raw, "c-b"), "1");
  EXPECT_EQ(Attempts(raw, "c-dead"), "0");
  EXPECT_EQ(Consume("111111"), ConsumeOutcome::kInvalid);
  EXPECT_EQ(Consume("222222"), ConsumeOutcome::kConsumed);
  EXPECT_EQ(Consume("333333"), ConsumeOutcome::kExpired);
}

TEST_F(SqliteCourierTest, IssueDecoyCommitsAWriteAndLeavesNoRow) {
  RawDb raw(path_);
  const std::string before = raw.Scalar("PRAGMA data_version");
  // Control: a write that changes nothing commits no page.
  auto none = db_->otps().DeleteAll(kNullTenant, core::UserId("ghost"), Purpose::kPasswordReset);
  ASSERT_TRUE(IsOk(none));
  EXPECT_EQ(raw.Scalar("PRAGMA data_version"), before);
  ASSERT_TRUE(IsOk(db_->otps().IssueDecoy(MakeCode("c-decoy", "ghost"))));
  EXPECT_NE(raw.Scalar("PRAGMA data_version"), before) << "the decoy committed pages";
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM otps"), "0");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM outbox"), "0");
}

TEST_F(SqliteCourierTest, FileHoldsHashesAndScrubbedBodies) {
  courier::OutboxMessage m = MakeMessage("m-1");
  m.body = "Your code is 987654";
  ASSERT_TRUE(IsOk(db_->otps().Issue(
      MakeCode("c-1", "u-1", Purpose::kPasswordReset, kNullTenant, "987654"), {m})));
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT code_hash FROM otps"), CodeHash("987654"));
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM otps WHERE code_hash LIKE '%987654%'"), "0");
  auto claimed = db_->outbox().ClaimDue(kNow, 1, kNow + 5000);
  ASSERT_TRUE(IsOk(claimed));
  EXPECT_EQ(raw.Scalar("SELECT claimed_until FROM outbox"), std::to_string(kNow + 5000));
  EXPECT_EQ(raw.Scalar("SELECT sent_at IS NULL FROM outbox"), "1");
  ASSERT_TRUE(IsOk(db_->outbox().MarkSent("m-1", kNow + 7)));
  EXPECT_EQ(raw.Scalar("SELECT body FROM outbox"), "");
  EXPECT_EQ(raw.Scalar("SELECT state || ',' || claimed_until || ',' || sent_at FROM outbox"),
            "sent,0," + std::to_string(kNow + 7));
}

TEST_F(SqliteCourierTest, DeletingAUserDeletesItsCodes) {
  ASSERT_TRUE(IsOk(db_->otps().Issue(MakeCode("c-1", "u-1"), {})));
  RawDb raw(path_);
  raw.Exec("PRAGMA foreign_keys=ON");
  raw.Exec("DELETE FROM users WHERE id = 'u-1'");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM otps"), "0");
}

TEST_F(SqliteCourierTest, IssueForUnknownUserFailsWithoutWriting) {
  courier::OutboxMessage m = MakeMessage("m-1");
  core::Status s = db_->otps().Issue(MakeCode("c-1", "ghost"), {m});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().debug.find("FOREIGN KEY"), std::string::npos) << s.error().debug;
  EXPECT_FALSE(db_->outbox().Get("m-1").value().has_value());
}

TEST_F(SqliteCourierTest, TwoHandlesOnOneFileNeverClaimTheSameMessage) {
  auto other = SqliteDatabase::Open({path_});
  ASSERT_TRUE(IsOk(other));
  constexpr int kMessages = 40;
  std::vector<courier::OutboxMessage> messages;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(MakeMessage("m-" + std::to_string(i), kNow - i));
  }
  ASSERT_TRUE(IsOk(db_->outbox().Enqueue(messages)));
  std::latch start(2);
  std::mutex mu;
  std::map<std::string, int> times_claimed;  // GUARDED_BY(mu)
  auto claim_all = [&](courier::OutboxStore& outbox) {
    start.arrive_and_wait();
    while (true) {
      auto r = outbox.ClaimDue(kNow, 2, kNow + kHour);
      ASSERT_TRUE(IsOk(r));
      if (r->empty()) return;
      std::lock_guard<std::mutex> lock(mu);
      for (const courier::OutboxMessage& m : *r) ++times_claimed[m.id];
    }
  };
  std::thread a([&] { claim_all(db_->outbox()); });
  std::thread b([&] { claim_all((*other)->outbox()); });
  a.join();
  b.join();
  EXPECT_EQ(times_claimed.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [id, n] : times_claimed) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace authd::store
