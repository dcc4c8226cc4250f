#include <atomic>
#include <string>

#include "core/mutex.h"
#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using throttle::WindowCount;

// One statement: a new key or a dead window starts over at 1, a live one
// counts up. ON CONFLICT takes the row lock, so concurrent hits from any
// processes are applied one after the other.
constexpr const char* kHit =
    "INSERT INTO rate_counters AS c (key, count, window_end) VALUES ($1, 1, $2::bigint + "
    "$3::bigint)"
    " ON CONFLICT (key) DO UPDATE SET"
    "   count = CASE WHEN c.window_end > $2 THEN c.count + 1 ELSE 1 END,"
    "   window_end = CASE WHEN c.window_end > $2 THEN c.window_end ELSE $2::bigint + $3::bigint END"
    " RETURNING count, window_end";

constexpr const char* kPeek =
    "SELECT count, window_end FROM rate_counters WHERE key = $1 AND window_end > $2";

constexpr const char* kPut =
    "INSERT INTO rate_counters (key, count, window_end) VALUES ($1, $2, $3)"
    " ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, window_end = EXCLUDED.window_end";

constexpr const char* kErase = "DELETE FROM rate_counters WHERE key = $1";

constexpr const char* kSweep = "DELETE FROM rate_counters WHERE window_end <= $1";

// The database server's clock, in Unix milliseconds: the time base every
// process shares.
constexpr const char* kServerNow = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";

// Each process deletes dead windows at most this often.
constexpr core::UnixMillis kSweepEveryMs = 60'000;

// Time. Callers pass their monotonic time, whose origin differs between
// processes; the rows hold the database server's time, which all share.
// On its first call the store reads the server's clock once and keeps
// offset = server time - caller time; every `now` and window end is then
// shifted by it, on the way in and back. The offset never changes while
// the process runs, so a step of this machine's wall clock (or of the
// server's) changes no window; processes started at different times agree
// to within the time the offset query took, as long as the server's clock
// did not step between their starts.
class PgCounterStore final : public throttle::CounterStore {
 public:
  explicit PgCounterStore(PgPool& pool) : pool_(pool) {}

  // Run() may repeat a hit after a lost connection: the count may then be
  // one too high, which errs on the strict side.
  core::Result<WindowCount> Hit(std::string_view key, std::int64_t window_ms,
                                core::UnixMillis now) override {
    if (window_ms <= 0) return core::Internal("CounterStore::Hit: window_ms must be positive");
    core::Result<std::int64_t> offset = Offset(now);
    if (!offset.ok()) return offset.error();
    const core::UnixMillis shared_now = now + *offset;
    MaybeSweep(now, shared_now);
    return pool_.Run([&](PgConnection& c) -> core::Result<WindowCount> {
      core::Result<PgResult> r = c.Exec(kHit, PgParams().Text(key).Int(shared_now).Int(window_ms));
      if (!r.ok()) return r.error();
      return WindowCount{r->Int(0, 0), r->Int(0, 1) - *offset};
    });
  }

  core::Result<std::optional<WindowCount>> Peek(std::string_view key,
                                                core::UnixMillis now) override {
    core::Result<std::int64_t> offset = Offset(now);
    if (!offset.ok()) return offset.error();
    return pool_.Run([&](PgConnection& c) -> core::Result<std::optional<WindowCount>> {
      core::Result<PgResult> r = c.Exec(kPeek, PgParams().Text(key).Int(now + *offset));
      if (!r.ok()) return r.error();
      if (r->rows() == 0) return std::optional<WindowCount>();
      return std::optional<WindowCount>(WindowCount{r->Int(0, 0), r->Int(0, 1) - *offset});
    });
  }

  core::Status Put(std::string_view key, const WindowCount& value, core::UnixMillis now) override {
    core::Result<std::int64_t> offset = Offset(now);
    if (!offset.ok()) return offset.error();
    return pool_.Run([&](PgConnection& c) -> core::Status {
      return StatusOf(
          c.Exec(kPut, PgParams().Text(key).Int(value.count).Int(value.window_end + *offset)));
    });
  }

  core::Status Erase(std::string_view key) override {
    return pool_.Run([&](PgConnection& c) -> core::Status {
      return StatusOf(c.Exec(kErase, PgParams().Text(key)));
    });
  }

 private:
  // server time - caller time, read from the server on the first call.
  core::Result<std::int64_t> Offset(core::UnixMillis now) {
    if (offset_known_.load(std::memory_order_acquire)) return offset_;
    core::MutexLock lock(&offset_mu_);
    if (offset_known_.load(std::memory_order_relaxed)) return offset_;
    core::Result<std::int64_t> server =
        pool_.Run([](PgConnection& c) -> core::Result<std::int64_t> {
          core::Result<PgResult> r = c.Exec(kServerNow);
          if (!r.ok()) return r.error();
          return r->Int(0, 0);
        });
    if (!server.ok()) return server.error();
    offset_ = *server - now;
    offset_known_.store(true, std::memory_order_release);
    return offset_;
  }

  // Dead windows are never read (every query checks window_end) but would
  // pile up: one process deletes them now and then. Best effort.
  void MaybeSweep(core::UnixMillis now, core::UnixMillis shared_now) {
    core::UnixMillis last = last_sweep_.load(std::memory_order_relaxed);
    if (now - last < kSweepEveryMs) return;
    if (!last_sweep_.compare_exchange_strong(last, now)) return;
    (void)pool_.Run([&](PgConnection& c) -> core::Status {
      return StatusOf(c.Exec(kSweep, PgParams().Int(shared_now)));
    });
  }

  PgPool& pool_;
  core::Mutex offset_mu_;  // held while the offset is first read
  std::atomic<bool> offset_known_{false};
  // Written once, under offset_mu_, before offset_known_; read without the
  // lock after it (so not GUARDED_BY: the atomic orders it).
  std::int64_t offset_ = 0;
  std::atomic<core::UnixMillis> last_sweep_{0};
};

}  // namespace

std::unique_ptr<throttle::CounterStore> NewPgCounterStore(PgPool& pool) {
  return std::make_unique<PgCounterStore>(pool);
}

}  // namespace authd::store::postgres
