// Option table, part 2: password, lockout, rate_limit, auth, log.
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/option_builders.h"
#include "config/option_table.h"
#include "throttle/buckets.h"

namespace authd::config::internal {
namespace {

core::Status NonEmptyItem(std::string& s) {
  if (s.empty()) return Invalid("items must not be empty");
  return core::Status::Ok();
}

void AppendPassword(std::vector<Option>& out) {
  out.push_back(IntOption(
      "password.argon2_memory_kib", [](auto& c) -> auto& { return c.password.argon2_memory_kib; },
      8, 4194304,
      "Argon2id memory per hash, in KiB (65536 = 64 MiB); at least 8 x "
      "argon2_parallelism. More memory makes GPU cracking costlier but is "
      "paid per concurrent hash (see server.hash_workers). Existing hashes "
      "keep their own parameters and still verify after a change."));
  out.push_back(IntOption(
      "password.argon2_time_cost", [](auto& c) -> auto& { return c.password.argon2_time_cost; }, 1,
      1000, "Argon2id passes over memory; login latency grows linearly with it."));
  out.push_back(IntOption(
      "password.argon2_parallelism", [](auto& c) -> auto& { return c.password.argon2_parallelism; },
      1, 64, "Argon2id lanes (threads) per hash."));
  out.push_back(BoolOption(
      "password.policy_enabled", [](auto& c) -> auto& { return c.password.policy_enabled; },
      "Enforce the rules below wherever a password is set (signup, change, "
      "reset, admin). ON by default in authd; the reference ships it off."));
  out.push_back(IntOption(
      "password.min_length", [](auto& c) -> auto& { return c.password.min_length; }, 1, 4096,
      "Minimum password length in characters (400 PASSWORD_TOO_SHORT)."));
  out.push_back(IntOption(
      "password.max_length", [](auto& c) -> auto& { return c.password.max_length; }, 1, 4096,
      "Maximum password length in characters (400 PASSWORD_TOO_LONG); at "
      "least min_length. Bounds the work an attacker can force per hash."));
  out.push_back(BoolOption(
      "password.block_common", [](auto& c) -> auto& { return c.password.block_common_passwords; },
      "Reject passwords on the built-in list of common passwords (400 "
      "PASSWORD_TOO_COMMON)."));
  out.push_back(BoolOption(
      "password.block_contains_identifier",
      [](auto& c) -> auto& { return c.password.block_contains_identifier; },
      "Reject passwords containing the e-mail's local part (3+ characters, "
      "case-insensitive; 400 PASSWORD_CONTAINS_IDENTIFIER)."));
  out.push_back(ListOption(
      "password.blocklist", [](auto& c) -> auto& { return c.password.blocklist; },
      "Additional forbidden passwords, matched case-insensitively and "
      "exactly (400 PASSWORD_TOO_COMMON).",
      NonEmptyItem));
}

void AppendLockout(std::vector<Option>& out) {
  out.push_back(BoolOption(
      "lockout.enabled", [](auto& c) -> auto& { return c.lockout.enabled; },
      "Lock an identifier + client IP after repeated failed logins (429 "
      "ACCOUNT_LOCKED with Retry-After). ON by default in authd; the "
      "reference ships it off. State is in-process."));
  out.push_back(IntOption(
      "lockout.max_failed_attempts", [](auto& c) -> auto& { return c.lockout.max_failed_attempts; },
      1, 1000000,
      "Failed logins (INVALID_CREDENTIALS) within lockout.window that lock "
      "the identifier + IP."));
  out.push_back(DurationOption(
      "lockout.window", [](auto& c) -> auto& { return c.lockout.window_ms; }, 1, 1000,
      "Period in which failed logins are counted; at least 1s."));
  out.push_back(DurationOption(
      "lockout.duration", [](auto& c) -> auto& { return c.lockout.lock_duration_ms; }, 1, 1000,
      "How long a locked identifier + IP is refused; at least 1s."));
}

void AppendRateLimit(std::vector<Option>& out) {
  out.push_back(BoolOption(
      "rate_limit.enabled", [](auto& c) -> auto& { return c.rate_limit.enabled; },
      "Enforce the per-route limits below (429 RATE_LIMITED with "
      "Retry-After). ON by default in authd; the reference ships it off. "
      "Counters are in-process, fixed windows."));
  out.push_back(EnumOption(
      "rate_limit.key_by", [](auto& c) -> auto& { return c.rate_limit.key_by; },
      std::vector<std::pair<std::string, throttle::KeyBy>>{
          {"both", throttle::KeyBy::kBoth},
          {"ip", throttle::KeyBy::kIp},
          {"identifier", throttle::KeyBy::kIdentifier}},
      "What each limit counts: both = per client IP and, separately, per "
      "submitted e-mail/phone; ip = per client IP; identifier = per e-mail/"
      "phone. Behind a reverse proxy set server.trust_proxy, or every "
      "client shares the proxy's IP."));
  for (const throttle::BucketSpec& bucket : throttle::AllBuckets()) {
    if (bucket.routes.empty()) continue;  // shares another bucket's option
    const auto limits = bucket.limits;
    out.push_back(RateOption(
        fmt::format("rate_limit.{}", bucket.config),
        [limits](auto& c) -> auto& { return c.rate_limit.*limits; },
        fmt::format("Limit of {}: at most MAX requests per WINDOW per key (see key_by).",
                    bucket.routes)));
  }
}

void AppendAuthAndLog(std::vector<Option>& out) {
  out.push_back(BoolOption(
      "auth.email_enabled", [](auto& c) -> auto& { return c.auth.email_enabled; },
      "Accept e-mail identities (signup and login with an e-mail address)."));
  out.push_back(BoolOption(
      "auth.phone_enabled", [](auto& c) -> auto& { return c.auth.phone_enabled; },
      "Accept phone-number identities."));
  out.push_back(BoolOption(
      "auth.registration_enabled", [](auto& c) -> auto& { return c.auth.registration_enabled; },
      "Allow self-service signup; false = signup answers 403 "
      "REGISTRATION_DISABLED (users are then created by administrators)."));
  out.push_back(EnumOption(
      "log.level", [](auto& c) -> auto& { return c.log.level; },
      std::vector<std::pair<std::string, std::string>>{{"trace", "trace"},
                                                       {"debug", "debug"},
                                                       {"info", "info"},
                                                       {"warn", "warn"},
                                                       {"error", "error"}},
      "Lowest severity logged: trace, debug, info, warn or error."));
  out.push_back(EnumOption(
      "log.format", [](auto& c) -> auto& { return c.log.format; },
      std::vector<std::pair<std::string, std::string>>{{"text", "text"}, {"json", "json"}},
      "text = human-readable lines; json = one JSON object per line, for "
      "log collectors: {\"time\",\"level\",\"msg\"}, the message escaped "
      "as a JSON string (invalid UTF-8 becomes U+FFFD), so no logged value "
      "can add fields or lines."));
}

}  // namespace

void AppendSecurityOptions(std::vector<Option>& out) {
  AppendPassword(out);
  AppendLockout(out);
  AppendRateLimit(out);
  AppendAuthAndLog(out);
}

}  // namespace authd::config::internal
