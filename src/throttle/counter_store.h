// CounterStore: fixed-window counters for rate limits and lockout.
//
// A port owned by the throttle domain. The embedded deployment uses the
// in-process memory adapter (one process owns the SQLite file); a
// multi-instance deployment needs an adapter shared by all instances.
// Safe for concurrent use; each call is atomic per key.
//
// Time: `now` and `window_end` are in the caller's monotonic time
// (core::Clock::MonotonicMillis), so a step of the wall clock neither
// lengthens nor shortens a window. Its origin is arbitrary and differs
// between processes: an adapter shared by several processes translates it
// into a time base common to all of them (the PostgreSQL adapter: the
// database server's clock) and answers in the caller's base again. A
// caller passes non-decreasing `now` values.
#ifndef AUTHD_THROTTLE_COUNTER_STORE_H_
#define AUTHD_THROTTLE_COUNTER_STORE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace authd::throttle {

struct WindowCount {
  std::int64_t count = 0;
  core::UnixMillis window_end = 0;  // the counter resets at this instant
};

class CounterStore {
 public:
  virtual ~CounterStore() = default;

  // Adds one to `key`. If the key has no live window at `now`, a new window
  // [now, now + window_ms) starts with count 1. Returns the state after the
  // increment.
  virtual core::Result<WindowCount> Hit(std::string_view key, std::int64_t window_ms,
                                        core::UnixMillis now) = 0;

  // The live window of `key` at `now`, if any.
  virtual core::Result<std::optional<WindowCount>> Peek(std::string_view key,
                                                        core::UnixMillis now) = 0;

  // Overwrites `key` with `value` (used to place a lock until a time);
  // `now` is the caller's current time, in the same base.
  virtual core::Status Put(std::string_view key, const WindowCount& value,
                           core::UnixMillis now) = 0;

  virtual core::Status Erase(std::string_view key) = 0;
};

}  // namespace authd::throttle

#endif  // AUTHD_THROTTLE_COUNTER_STORE_H_
