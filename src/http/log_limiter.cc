#include "http/log_limiter.h"

namespace authd::http {

std::optional<std::uint64_t> LogLimiter::Allow(TimePoint now) {
  core::MutexLock lock(&mu_);
  if (last_ && now - *last_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_ = now;
  const std::uint64_t held_back = suppressed_;
  suppressed_ = 0;
  return held_back;
}

}  // namespace authd::http
