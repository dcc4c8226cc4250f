#include "store/sqlite/sqlite_writer.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace authd::store::sqlite {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "authd-writer-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    pool_ = std::make_unique<ConnectionPool>(SqliteOptions{dir_ + "/w.db"});
    auto conn = pool_->Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  }
  void TearDown() override {
    pool_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long Count() {
    auto conn = pool_->Acquire();
    auto st = (*conn)->Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(st->Step().ok());
    return st->Int(0);
  }

  std::string dir_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(WriterTest, ConcurrentWritesAllCommitAndFailuresRollBackAlone) {
  auto writer = Writer::Start(*pool_);
  ASSERT_TRUE(writer.ok());
  constexpr int kThreads = 32;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      core::Status s = (*writer)->Run([i](Connection& c) -> core::Status {
        auto st = c.Prepare("INSERT INTO t (k, v) VALUES (?1, 'x')");
        if (!st.ok()) return st.error();
        st->BindInt(1, i);
        if (auto r = st->Run(); !r.ok()) return r;
        // Every fourth operation fails after writing: its row must vanish.
        if (i % 4 == 0) return core::Internal("deliberate");
        return core::Status::Ok();
      });
      (s.ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads - kThreads / 4);
  EXPECT_EQ(failed.load(), kThreads / 4);
  EXPECT_EQ(Count(), kThreads - kThreads / 4);
}

TEST_F(WriterTest, AcknowledgedWritesSurviveReopen) {
  {
    auto writer = Writer::Start(*pool_);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)
                    ->Run([](Connection& c) {
                      return c.Exec("INSERT INTO t (k, v) VALUES (1, 'durable')");
                    })
                    .ok());
  }
  pool_ = std::make_unique<ConnectionPool>(SqliteOptions{dir_ + "/w.db"});
  EXPECT_EQ(Count(), 1);
}

// Foreign writes are noticed before the next batch (the idle check is off
// here, so nothing depends on timing); our own commits and reads on the
// pool's connections never count as foreign.
TEST_F(WriterTest, ListenerHearsOfCommitsByOtherConnectionsOnly) {
  auto writer = Writer::Start(*pool_, /*foreign_write_check_ms=*/0);
  ASSERT_TRUE(writer.ok());
  std::atomic<int> heard{0};
  (*writer)->SetForeignWriteListener([&heard] { ++heard; });
  auto own = [&](int k) {
    return (*writer)->Run([k](Connection& c) {
      return c.Exec(("INSERT INTO t (k, v) VALUES (" + std::to_string(k) + ", 'own')").c_str());
    });
  };
  ASSERT_TRUE(own(1).ok());
  ASSERT_TRUE(own(2).ok());
  EXPECT_EQ(Count(), 2);  // a read on a pool connection
  ASSERT_TRUE(own(3).ok());
  EXPECT_EQ(heard.load(), 0) << "our own commits and reads are not foreign writes";

  {  // another process, e.g. the sqlite3 CLI
    auto other = Connection::Open(SqliteOptions{dir_ + "/w.db"});
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->Exec("UPDATE t SET v = 'theirs' WHERE k = 1").ok());
  }
  ASSERT_TRUE(own(4).ok());
  EXPECT_EQ(heard.load(), 1) << "noticed before the batch that followed it";
  ASSERT_TRUE(own(5).ok());
  EXPECT_EQ(heard.load(), 1) << "once per foreign commit seen";

  (*writer)->SetForeignWriteListener(nullptr);
  {
    auto other = Connection::Open(SqliteOptions{dir_ + "/w.db"});
    ASSERT_TRUE((*other)->Exec("DELETE FROM t WHERE k = 2").ok());
  }
  ASSERT_TRUE(own(6).ok());
  EXPECT_EQ(heard.load(), 1) << "a removed listener is not called";
}

}  // namespace
}  // namespace authd::store::sqlite
