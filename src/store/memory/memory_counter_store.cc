#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

using throttle::WindowCount;

// A shard never sweeps for size below this many keys...
constexpr std::size_t kMinSweepSize = 1024;
// ...but sweeps at least this often (in the callers' time) when it has keys.
constexpr core::UnixMillis kSweepIntervalMs = 60 * 1000;

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
};

using CounterMap = std::unordered_map<std::string, WindowCount, KeyHash, std::equal_to<>>;

// Cache-line aligned so neighbouring shards' mutexes do not false-share.
struct alignas(64) Shard {
  core::Mutex mu;
  CounterMap map GUARDED_BY(mu);
  std::size_t sweep_at_size GUARDED_BY(mu) = kMinSweepSize;
  core::UnixMillis sweep_at_time GUARDED_BY(mu) = 0;
};

class ShardedCounterStore final : public MemoryCounterStore {
 public:
  explicit ShardedCounterStore(const MemoryCounterOptions& options)
      : shard_count_(static_cast<std::size_t>(std::max(1, options.shards))),
        shard_cap_(std::max<std::size_t>(1, options.max_keys / shard_count_)),
        shards_(std::make_unique<Shard[]>(shard_count_)) {}

  core::Result<WindowCount> Hit(std::string_view key, std::int64_t window_ms,
                                core::UnixMillis now) override {
    if (window_ms <= 0) {
      return core::Internal("CounterStore::Hit: window_ms must be positive");
    }
    Shard& shard = ShardOf(key);
    core::MutexLock lock(&shard.mu);
    MaybeSweep(shard, now);
    auto it = shard.map.find(key);
    if (it != shard.map.end() && it->second.window_end > now) {
      ++it->second.count;
      return it->second;
    }
    const WindowCount fresh{1, now + window_ms};
    if (it != shard.map.end()) {
      it->second = fresh;
    } else {
      MakeRoom(shard, now);
      shard.map.emplace(std::string(key), fresh);
    }
    return fresh;
  }

  core::Result<std::optional<WindowCount>> Peek(std::string_view key,
                                                core::UnixMillis now) override {
    Shard& shard = ShardOf(key);
    core::MutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::optional<WindowCount>();
    if (it->second.window_end <= now) {
      shard.map.erase(it);
      return std::optional<WindowCount>();
    }
    return std::optional<WindowCount>(it->second);
  }

  core::Status Put(std::string_view key, const WindowCount& value,
                   core::UnixMillis /*now*/) override {
    Shard& shard = ShardOf(key);
    core::MutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it != shard.map.end()) {
      it->second = value;
      return core::Status::Ok();
    }
    // No `now` here: room is made by evicting the soonest-ending windows,
    // which are the expired ones first.
    if (shard.map.size() >= shard_cap_) EvictSoonestEnding(shard);
    shard.map.emplace(std::string(key), value);
    return core::Status::Ok();
  }

  core::Status Erase(std::string_view key) override {
    Shard& shard = ShardOf(key);
    core::MutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it != shard.map.end()) shard.map.erase(it);
    return core::Status::Ok();
  }

  std::size_t ApproximateSize() const override {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      core::MutexLock lock(&shards_[i].mu);
      n += shards_[i].map.size();
    }
    return n;
  }

 private:
  Shard& ShardOf(std::string_view key) const {
    // Fibonacci hashing of the high bits, so the shard choice is independent
    // of the bucket choice inside the shard's map (low bits).
    const std::uint64_t h = KeyHash{}(key)*0x9E3779B97F4A7C15ull;
    return shards_[(h >> 32) % shard_count_];
  }

  // Drops expired windows once the shard doubled since its last sweep or a
  // sweep interval passed: O(size) work per size/2 inserts, amortised O(1).
  static void MaybeSweep(Shard& shard, core::UnixMillis now) REQUIRES(shard.mu) {
    const bool by_size = shard.map.size() >= shard.sweep_at_size;
    const bool by_time = now >= shard.sweep_at_time && !shard.map.empty();
    if (by_size || by_time) Sweep(shard, now);
  }

  static void Sweep(Shard& shard, core::UnixMillis now) REQUIRES(shard.mu) {
    std::erase_if(shard.map, [now](const auto& kv) { return kv.second.window_end <= now; });
    shard.sweep_at_size = std::max(kMinSweepSize, 2 * shard.map.size());
    shard.sweep_at_time = now + kSweepIntervalMs;
  }

  // Before inserting a new key: keeps the shard within its cap.
  void MakeRoom(Shard& shard, core::UnixMillis now) const REQUIRES(shard.mu) {
    if (shard.map.size() < shard_cap_) return;
    Sweep(shard, now);
    if (shard.map.size() >= shard_cap_) EvictSoonestEnding(shard);
  }

  // Evicts the windows that end soonest, down to 90% of the cap so the
  // O(size) selection is paid once per cap/10 inserts.
  void EvictSoonestEnding(Shard& shard) const REQUIRES(shard.mu) {
    const std::size_t target = shard_cap_ - std::max<std::size_t>(1, shard_cap_ / 10);
    if (shard.map.size() <= target) return;
    std::vector<CounterMap::iterator> entries;
    entries.reserve(shard.map.size());
    for (auto it = shard.map.begin(); it != shard.map.end(); ++it) {
      entries.push_back(it);
    }
    const std::size_t excess = shard.map.size() - target;
    std::nth_element(entries.begin(), entries.begin() + excess, entries.end(),
                     [](const CounterMap::iterator& a, const CounterMap::iterator& b) {
                       return a->second.window_end < b->second.window_end;
                     });
    for (std::size_t i = 0; i < excess; ++i) shard.map.erase(entries[i]);
  }

  const std::size_t shard_count_;
  const std::size_t shard_cap_;
  const std::unique_ptr<Shard[]> shards_;
};

}  // namespace

std::unique_ptr<throttle::CounterStore> NewMemoryCounterStore() {
  return NewMemoryCounterStore(MemoryCounterOptions());
}

std::unique_ptr<MemoryCounterStore> NewMemoryCounterStore(const MemoryCounterOptions& options) {
  return std::make_unique<ShardedCounterStore>(options);
}

}  // namespace authd::store
