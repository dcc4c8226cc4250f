#include "throttle/throttle.h"

#include <algorithm>
#include <cctype>

#include "core/errors.h"

namespace authd::throttle {
namespace {

int SecondsUntil(core::UnixMillis end, core::UnixMillis now) {
  long long ms = end - now;
  long long s = (ms + 999) / 1000;
  return static_cast<int>(std::max<long long>(1, s));
}

std::string LockKey(std::string_view identifier, std::string_view ip) {
  std::string k = "lockout:";
  k.append(identifier).append(":").append(ip);
  return k;
}

}  // namespace

core::Error TooManyRequests(int retry_after_seconds) {
  return core::WithRetryAfter(core::MakeError(core::Err::kRateLimited), retry_after_seconds);
}

std::string NormalizeIdentifier(std::string_view raw) {
  size_t b = 0, e = raw.size();
  while (b < e && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(raw[e - 1]))) --e;
  std::string out(raw.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

RateLimiter::RateLimiter(const RateLimitOptions& options, CounterStore& store,
                         const core::Clock& clock)
    : options_(options), store_(store), clock_(clock) {}

core::Status RateLimiter::Hit(std::string_view bucket_name, const Bucket& bucket,
                              std::string_view ip, std::string_view identifier) {
  if (!options_.enabled || bucket.max <= 0) return core::Status::Ok();
  const core::UnixMillis now = clock_.MonotonicMillis();  // windows: immune to clock steps
  int retry_after = 0;
  auto count = [&](const std::string& key) -> core::Status {
    auto r = store_.Hit(key, bucket.window_ms, now);
    if (!r.ok()) return r.status();
    if (r->count > bucket.max) {
      retry_after = std::max(retry_after, SecondsUntil(r->window_end, now));
    }
    return core::Status::Ok();
  };
  // Every request counts against each key, as in the reference.
  if (options_.key_by != KeyBy::kIdentifier) {
    std::string key = std::string(bucket_name) + ":ip:" + std::string(ip);
    if (auto s = count(key); !s.ok()) return s;
  }
  if (options_.key_by != KeyBy::kIp && !identifier.empty()) {
    std::string key = std::string(bucket_name) + ":id:" + std::string(identifier);
    if (auto s = count(key); !s.ok()) return s;
  }
  if (retry_after > 0) {
    return TooManyRequests(retry_after);
  }
  return core::Status::Ok();
}

core::Status RateLimiter::Hit(BucketId bucket, std::string_view ip, std::string_view identifier) {
  const BucketSpec& spec = SpecOf(bucket);
  return Hit(spec.name, options_.*spec.limits, ip, identifier);
}

Lockout::Lockout(const LockoutOptions& options, CounterStore& store, const core::Clock& clock)
    : options_(options), store_(store), clock_(clock) {}

core::Status Lockout::Check(std::string_view identifier, std::string_view ip) {
  if (!options_.enabled || identifier.empty()) return core::Status::Ok();
  const core::UnixMillis now = clock_.MonotonicMillis();  // windows: immune to clock steps
  auto lock = store_.Peek(LockKey(identifier, ip) + ":locked", now);
  if (!lock.ok()) return lock.status();
  if (lock->has_value()) {
    return core::WithRetryAfter(core::MakeError(core::Err::kAccountLocked),
                                SecondsUntil((*lock)->window_end, now));
  }
  return core::Status::Ok();
}

void Lockout::RecordFailure(std::string_view identifier, std::string_view ip) {
  if (!options_.enabled || identifier.empty()) return;
  const core::UnixMillis now = clock_.MonotonicMillis();  // windows: immune to clock steps
  std::string key = LockKey(identifier, ip);
  auto r = store_.Hit(key + ":failures", options_.window_ms, now);
  if (r.ok() && r->count >= options_.max_failed_attempts) {
    (void)store_.Put(key + ":locked", WindowCount{r->count, now + options_.lock_duration_ms}, now);
    (void)store_.Erase(key + ":failures");
  }
}

void Lockout::Clear(std::string_view identifier, std::string_view ip) {
  if (!options_.enabled || identifier.empty()) return;
  std::string key = LockKey(identifier, ip);
  (void)store_.Erase(key + ":failures");
  (void)store_.Erase(key + ":locked");
}

}  // namespace authd::throttle
