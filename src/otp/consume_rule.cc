#include "otp/consume_rule.h"

#include "crypto/hmac.h"

namespace authd::otp {

ConsumeDecision DecideConsume(const std::vector<const OneTimeCode*>& codes,
                              std::string_view code_hash, core::UnixMillis now, int max_attempts) {
  ConsumeDecision d;
  for (const OneTimeCode* c : codes) {
    if (!crypto::ConstantTimeEquals(c->code_hash, code_hash)) continue;
    if (!CountsAttempt(*c, now)) {
      d.outcome = ConsumeOutcome::kExpired;
      return d;
    }
    d.outcome = ConsumeOutcome::kConsumed;
    d.delete_id = c->id;
    return d;
  }
  int live = 0, survivors = 0;
  for (const OneTimeCode* c : codes) {
    if (!CountsAttempt(*c, now)) continue;
    ++live;
    if (!SpentByAttempt(*c, max_attempts)) ++survivors;
  }
  // No live code (none requested, consumed or expired): nothing to count.
  if (live == 0) return d;
  d.count_attempt = true;
  d.outcome = survivors == 0 ? ConsumeOutcome::kExhausted : ConsumeOutcome::kInvalid;
  return d;
}

ConsumeDecision DecideConsume(const std::vector<OneTimeCode>& codes, std::string_view code_hash,
                              core::UnixMillis now, int max_attempts) {
  std::vector<const OneTimeCode*> rows;
  rows.reserve(codes.size());
  for (const OneTimeCode& c : codes) rows.push_back(&c);
  return DecideConsume(rows, code_hash, now, max_attempts);
}

}  // namespace authd::otp
