// RateLimiter and Lockout: brute-force protection for guessable secrets.
//
// RateLimiter is the reference's fixed-window limiter: each request bumps a
// per-IP key and, when the request names an account, a per-identifier key;
// exceeding `max` in a window answers 429 RATE_LIMITED with Retry-After.
// Lockout counts failed logins per (identifier, IP) and locks that pair
// for lock_duration once max_failed_attempts is reached inside the window.
// Both are safe for concurrent use; state lives in a CounterStore.
// Windows and locks are measured on the clock's monotonic reading: a step
// of the wall clock (back by a day, or forward) changes no window's length.
#ifndef AUTHD_THROTTLE_THROTTLE_H_
#define AUTHD_THROTTLE_THROTTLE_H_

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "throttle/buckets.h"
#include "throttle/counter_store.h"
#include "throttle/throttle_options.h"

namespace authd::throttle {

class RateLimiter {
 public:
  RateLimiter(const RateLimitOptions& options, CounterStore& store, const core::Clock& clock);

  // Counts one request to `bucket_name` (e.g. "login") from `ip` for
  // `identifier` (normalised; empty = none). Error kRateLimited if over.
  core::Status Hit(std::string_view bucket_name, const Bucket& bucket, std::string_view ip,
                   std::string_view identifier);
  // The same for a named bucket (buckets.h), with its configured limits.
  core::Status Hit(BucketId bucket, std::string_view ip, std::string_view identifier);

  const RateLimitOptions& options() const { return options_; }

 private:
  const RateLimitOptions options_;
  CounterStore& store_;
  const core::Clock& clock_;
};

class Lockout {
 public:
  Lockout(const LockoutOptions& options, CounterStore& store, const core::Clock& clock);

  // kRateLimited ACCOUNT_LOCKED if (identifier, ip) is locked.
  core::Status Check(std::string_view identifier, std::string_view ip);
  // Records one failed login; locks the pair once the limit is reached.
  void RecordFailure(std::string_view identifier, std::string_view ip);
  // Clears the failures and lock of (identifier, ip) after a success.
  void Clear(std::string_view identifier, std::string_view ip);

  bool enabled() const { return options_.enabled; }

 private:
  const LockoutOptions options_;
  CounterStore& store_;
  const core::Clock& clock_;
};

// The reference's 429 RATE_LIMITED error ("Too many requests. Please try
// again later.") with Retry-After `retry_after_seconds`.
core::Error TooManyRequests(int retry_after_seconds);

// The reference's identifier normalisation: trimmed, lower-cased.
std::string NormalizeIdentifier(std::string_view raw);

}  // namespace authd::throttle

#endif  // AUTHD_THROTTLE_THROTTLE_H_
