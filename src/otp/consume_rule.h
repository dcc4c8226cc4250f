// The rule of OtpStore::Consume, written once: from the codes of one key
// as an adapter read them inside its transaction (or under its lock), what
// the submission answers and which rows change. Each adapter applies the
// decision in that same transaction, which is what keeps a code single-use
// under concurrency; this file knows nothing of storage.
#ifndef AUTHD_OTP_CONSUME_RULE_H_
#define AUTHD_OTP_CONSUME_RULE_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "otp/one_time_code.h"

namespace authd::otp {

struct ConsumeDecision {
  ConsumeOutcome outcome = ConsumeOutcome::kInvalid;
  // kConsumed: the row to delete.
  std::string delete_id;
  // A wrong code while live codes exist: every live code (CountsAttempt)
  // gets attempts + 1, and those then reaching max_attempts
  // (SpentByAttempt) are deleted.
  bool count_attempt = false;
};

// A code still accepted at `now`; only these count wrong attempts.
inline bool CountsAttempt(const OneTimeCode& c, core::UnixMillis now) { return c.expires_at > now; }

// Whether one more wrong attempt uses `c` up (the row is deleted).
inline bool SpentByAttempt(const OneTimeCode& c, int max_attempts) {
  return c.attempts + 1 >= max_attempts;
}

// `codes`: all codes of (tenant, user, purpose), newest first. The first
// whose hash equals `code_hash` (constant-time) decides: expired ->
// kExpired, nothing changes; else kConsumed, delete it. No match: see
// ConsumeDecision::count_attempt; kExhausted if that leaves no live code.
ConsumeDecision DecideConsume(const std::vector<const OneTimeCode*>& codes,
                              std::string_view code_hash, core::UnixMillis now, int max_attempts);
ConsumeDecision DecideConsume(const std::vector<OneTimeCode>& codes, std::string_view code_hash,
                              core::UnixMillis now, int max_attempts);

}  // namespace authd::otp

#endif  // AUTHD_OTP_CONSUME_RULE_H_
