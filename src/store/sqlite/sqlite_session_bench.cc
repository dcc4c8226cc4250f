// SQLite store micro-benchmarks on a real temp file (WAL, synchronous=FULL),
// the same configuration authd runs with:
//   - sessions().Get: the lookup behind every authenticated request
//   - users().FindUserById: the extra read of /auth/me
//   - sessions().Rotate: the durable compare-and-swap of every refresh
//     (one fsync'ed commit; shows the storage floor of chained refresh)
//
//   build/authd_bench --benchmark_filter=Sqlite
// The temp directory is created under $TMPDIR (default /tmp): its file
// system decides what an fsync costs.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "identity/user.h"
#include "session/session.h"
#include "store/sqlite/sqlite_database.h"

namespace {

using namespace authd;

class BenchDb {
 public:
  explicit BenchDb(int n_sessions) {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/authd-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    auto db = store::SqliteDatabase::Open({dir_ + "/authd.db"});
    if (!db.ok()) return;
    db_ = std::move(*db);
    now_ = core::SystemClock().NowMillis();
    for (int i = 0; i < n_sessions; ++i) {
      identity::User u;
      u.id = core::UserId("user-" + std::to_string(i));
      u.email = "bench-" + std::to_string(i) + "@example.com";
      u.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
      u.created_at = u.updated_at = now_;
      identity::Identity idn;
      idn.id = core::IdentityId("idn-" + std::to_string(i));
      idn.user_id = u.id;
      idn.provider = identity::kProviderEmail;
      idn.provider_id = *u.email;
      idn.created_at = idn.updated_at = now_;
      auto r = db_->users().CreateUser(std::nullopt, u, {idn}, false);
      if (!r.ok()) {
        db_.reset();
        return;
      }
      session::Session s;
      s.id = core::SessionId("session-" + std::to_string(i));
      s.user_id = u.id;
      s.refresh_hash = std::string(64, 'a');
      s.data.user = u;
      s.data.user.password_hash.reset();
      s.expires_at = now_ + 30LL * 24 * 3600 * 1000;
      s.user_agent = "wrk";
      s.ip_address = "127.0.0.1";
      s.last_active = s.created_at = s.updated_at = now_;
      if (!db_->sessions().Create(s, 10, now_).ok()) {
        db_.reset();
        return;
      }
    }
  }
  ~BenchDb() {
    db_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  store::SqliteDatabase* db() { return db_.get(); }
  core::UnixMillis now() const { return now_; }

 private:
  std::string dir_;
  std::unique_ptr<store::SqliteDatabase> db_;
  core::UnixMillis now_ = 0;
};

constexpr int kSessions = 1000;

void BM_SqliteSessionsGet(benchmark::State& state) {
  BenchDb b(kSessions);
  if (!b.db()) {
    state.SkipWithError("open/seed failed");
    return;
  }
  int i = 0;
  for (auto _ : state) {
    core::SessionId id("session-" + std::to_string(i++ % kSessions));
    auto r = b.db()->sessions().Get(std::nullopt, id, b.now());
    if (!r.ok() || !r->has_value()) state.SkipWithError("get failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteSessionsGet)->Unit(benchmark::kMicrosecond);

void BM_SqliteUsersFindById(benchmark::State& state) {
  BenchDb b(kSessions);
  if (!b.db()) {
    state.SkipWithError("open/seed failed");
    return;
  }
  int i = 0;
  for (auto _ : state) {
    core::UserId id("user-" + std::to_string(i++ % kSessions));
    auto r = b.db()->users().FindUserById(std::nullopt, id);
    if (!r.ok() || !r->has_value()) state.SkipWithError("find failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteUsersFindById)->Unit(benchmark::kMicrosecond);

// One durable rotation (BEGIN IMMEDIATE ... COMMIT with synchronous=FULL).
void BM_SqliteSessionsRotate(benchmark::State& state) {
  BenchDb b(1);
  if (!b.db()) {
    state.SkipWithError("open/seed failed");
    return;
  }
  auto got = b.db()->sessions().Get(std::nullopt, core::SessionId("session-0"), b.now());
  if (!got.ok() || !got->has_value()) {
    state.SkipWithError("get");
    return;
  }
  const session::Session s = **got;
  std::string cur = s.refresh_hash;
  std::int64_t n = 0;
  for (auto _ : state) {
    session::Rotation rot;
    rot.expected_hash = cur;
    rot.new_hash = std::to_string(++n);
    rot.new_hash.resize(64, 'b');
    rot.rotated_at = b.now() + n;
    rot.data = s.data;
    rot.expires_at = s.expires_at;
    auto r = b.db()->sessions().Rotate(std::nullopt, s.id, rot);
    if (!r.ok() || !*r) state.SkipWithError("rotate failed");
    cur = rot.new_hash;
  }
  state.SetItemsProcessed(state.iterations());
}
// Real time: the cost is waiting for the fsync, not CPU.
BENCHMARK(BM_SqliteSessionsRotate)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
