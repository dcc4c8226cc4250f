#include "store/sqlite/sqlite_writer.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
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
    ASSERT_TRUE((*writer)->Run([](Connection& c) {
      return c.Exec("INSERT INTO t (k, v) VALUES (1, 'durable')");
    }).ok());
  }
  pool_ = std::make_unique<ConnectionPool>(SqliteOptions{dir_ + "/w.db"});
  EXPECT_EQ(Count(), 1);
}

}  // namespace
}  // namespace authd::store::sqlite
