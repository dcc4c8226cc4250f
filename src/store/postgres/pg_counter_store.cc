#include <atomic>
#include <string>

#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using throttle::WindowCount;

// One statement: a new key or a dead window starts over at 1, a live one
// counts up. ON CONFLICT takes the row lock, so concurrent hits from any
// processes are applied one after the other.
constexpr const char* kHit =
    "INSERT INTO rate_counters AS c (key, count, window_end) VALUES ($1, 1, $2::bigint + $3::bigint)"
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

// Each process deletes dead windows at most this often.
constexpr core::UnixMillis kSweepEveryMs = 60'000;

class PgCounterStore final : public throttle::CounterStore {
 public:
  explicit PgCounterStore(PgPool& pool) : pool_(pool) {}

  // Run() may repeat a hit after a lost connection: the count may then be
  // one too high, which errs on the strict side.
  core::Result<WindowCount> Hit(std::string_view key, std::int64_t window_ms,
                                core::UnixMillis now) override {
    if (window_ms <= 0) return core::Internal("CounterStore::Hit: window_ms must be positive");
    MaybeSweep(now);
    return pool_.Run([&](PgConnection& c) -> core::Result<WindowCount> {
      core::Result<PgResult> r = c.Exec(kHit, PgParams().Text(key).Int(now).Int(window_ms));
      if (!r.ok()) return r.error();
      return WindowCount{r->Int(0, 0), r->Int(0, 1)};
    });
  }

  core::Result<std::optional<WindowCount>> Peek(std::string_view key,
                                                core::UnixMillis now) override {
    return pool_.Run([&](PgConnection& c) -> core::Result<std::optional<WindowCount>> {
      core::Result<PgResult> r = c.Exec(kPeek, PgParams().Text(key).Int(now));
      if (!r.ok()) return r.error();
      if (r->rows() == 0) return std::optional<WindowCount>();
      return std::optional<WindowCount>(WindowCount{r->Int(0, 0), r->Int(0, 1)});
    });
  }

  core::Status Put(std::string_view key, const WindowCount& value) override {
    return pool_.Run([&](PgConnection& c) -> core::Status {
      return StatusOf(c.Exec(kPut, PgParams().Text(key).Int(value.count).Int(value.window_end)));
    });
  }

  core::Status Erase(std::string_view key) override {
    return pool_.Run(
        [&](PgConnection& c) -> core::Status { return StatusOf(c.Exec(kErase, PgParams().Text(key))); });
  }

 private:
  // Dead windows are never read (every query checks window_end) but would
  // pile up: one process deletes them now and then. Best effort.
  void MaybeSweep(core::UnixMillis now) {
    core::UnixMillis last = last_sweep_.load(std::memory_order_relaxed);
    if (now - last < kSweepEveryMs) return;
    if (!last_sweep_.compare_exchange_strong(last, now)) return;
    (void)pool_.Run([&](PgConnection& c) -> core::Status {
      return StatusOf(c.Exec(kSweep, PgParams().Int(now)));
    });
  }

  PgPool& pool_;
  std::atomic<core::UnixMillis> last_sweep_{0};
};

}  // namespace

std::unique_ptr<throttle::CounterStore> NewPgCounterStore(PgPool& pool) {
  return std::make_unique<PgCounterStore>(pool);
}

}  // namespace authd::store::postgres
