// LogLimiter: lets at most one log line of a kind through per interval and
// counts the ones it held back, so a condition that repeats thousands of
// times a second (accept failing with EMFILE, connections refused at the
// cap, a full hashing queue) is reported once a second, with a count,
// instead of flooding the log.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_HTTP_LOG_LIMITER_H_
#define AUTHD_HTTP_LOG_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/mutex.h"

namespace authd::http {

class LogLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit LogLimiter(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}

  // One occurrence at `now`. If it should be logged, returns how many
  // occurrences were held back since the last one logged (0 for the first);
  // otherwise nullopt (it is counted for the next line).
  std::optional<std::uint64_t> Allow(TimePoint now);

 private:
  const std::chrono::milliseconds interval_;
  core::Mutex mu_;
  std::optional<TimePoint> last_ GUARDED_BY(mu_);
  std::uint64_t suppressed_ GUARDED_BY(mu_) = 0;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_LOG_LIMITER_H_
