// OneTimeCode and OtpStore: short codes sent by e-mail or SMS (password
// reset, e-mail and phone verification, later MFA and passwordless), and
// the persistence port that keeps them, owned by the otp domain and
// implemented by the adapters in store/.
//
// Only an HMAC of a code is stored (otp_codes.h makes and checks them).
#ifndef AUTHD_OTP_ONE_TIME_CODE_H_
#define AUTHD_OTP_ONE_TIME_CODE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"
#include "courier/message.h"

namespace authd::otp {

enum class Purpose {
  kPasswordReset,
  kEmailVerification,
  kPhoneVerification,
  kMfa,
  kPasswordlessLogin,
};

// The reference's OTP `type` strings: "password_reset",
// "email_verification", "phone_verification", "mfa", "passwordless_login".
const char* PurposeName(Purpose p);
std::optional<Purpose> ParsePurpose(std::string_view name);

struct OneTimeCode {
  std::string id;  // UUID v4
  core::UserId user_id;
  core::TenantId tenant_id;
  Purpose purpose = Purpose::kPasswordReset;
  std::string code_hash;  // HMAC-SHA256 hex of the code
  int attempts = 0;       // wrong codes counted against this one
  core::UnixMillis expires_at = 0;
  core::UnixMillis created_at = 0;
};

enum class ConsumeOutcome {
  kConsumed,   // a live code matched and is deleted
  kExpired,    // the newest matching code has expired (kept)
  kInvalid,    // no match (and no live code was used up by this attempt)
  kExhausted,  // no match, and this attempt used up the last live code
};

class OtpStore {
 public:
  virtual ~OtpStore() = default;

  // In one transaction: deletes every code of (code.tenant_id,
  // code.user_id, code.purpose), inserts `code`, and enqueues `messages`
  // in the outbox (pending). Either all of it is durable or none.
  virtual core::Status Issue(const OneTimeCode& code,
                             const std::vector<courier::OutboxMessage>& messages) = 0;

  // A write transaction of the same shape and cost as Issue that leaves
  // nothing behind: answers about unknown accounts take as long as
  // answers about known ones.
  virtual core::Status IssueDecoy(const OneTimeCode& code) = 0;

  // The reference's validate-and-consume, atomically (two concurrent
  // correct submissions: exactly one gets kConsumed). Over the codes of
  // (tenant, user, purpose), newest first: the first whose code_hash
  // equals `code_hash` (constant-time) decides: expired at `now` ->
  // kExpired (row kept), else the row is deleted -> kConsumed. With no
  // match, every unexpired code gets attempts + 1 and those reaching
  // `max_attempts` are deleted; kExhausted if this attempt used up the last
  // unexpired code, else kInvalid (also when there was no live code at all:
  // none requested, already consumed, or expired).
  virtual core::Result<ConsumeOutcome> Consume(const core::TenantId& tenant,
                                               const core::UserId& user, Purpose purpose,
                                               std::string_view code_hash, core::UnixMillis now,
                                               int max_attempts) = 0;

  // Deletes every code of (tenant, user, purpose); how many.
  virtual core::Result<int> DeleteAll(const core::TenantId& tenant, const core::UserId& user,
                                      Purpose purpose) = 0;

  // The codes of (tenant, user, purpose), newest first (tests, admin).
  virtual core::Result<std::vector<OneTimeCode>> List(const core::TenantId& tenant,
                                                      const core::UserId& user,
                                                      Purpose purpose) = 0;
};

}  // namespace authd::otp

#endif  // AUTHD_OTP_ONE_TIME_CODE_H_
