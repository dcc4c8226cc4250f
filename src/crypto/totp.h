// HOTP (RFC 4226) and TOTP (RFC 6238) one-time passwords: the math behind
// authenticator-app MFA (spec/mfa.md §3). The key is the raw shared secret
// (Base32Decode the stored text first); T0 is the Unix epoch.
//
// Parameters outside the supported ranges below are never an error the
// caller can ignore by accident: generation returns "" (which no code
// matches) and verification rejects. HMAC failures inside OpenSSL abort, as
// in hmac.h.
// Thread-safety: stateless; safe to call concurrently.
#ifndef AUTHD_CRYPTO_TOTP_H_
#define AUTHD_CRYPTO_TOTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd::crypto {

// The HMAC of RFC 6238. Authenticator apps and spec/mfa.md use kSha1.
enum class OtpHash { kSha1, kSha256, kSha512 };

// RFC 4226 §5.3 asks for at least 6 digits; 8 is the most RFC 6238 uses.
inline constexpr int kMinOtpDigits = 6;
inline constexpr int kMaxOtpDigits = 8;
// Bounds the HMACs one verification computes (2 * window + 1).
inline constexpr int kMaxTotpWindow = 10;

// The `digits`-digit code for `counter` (dynamic truncation, zero-padded).
// REQUIRES: kMinOtpDigits <= digits <= kMaxOtpDigits, else returns "".
std::string Hotp(std::string_view key, std::uint64_t counter, int digits = 6,
                 OtpHash hash = OtpHash::kSha1);

// Hotp at time step floor(unix_seconds / period).
// REQUIRES: unix_seconds >= 0, period > 0, digits as for Hotp; else "".
std::string Totp(std::string_view key, std::int64_t unix_seconds, int digits = 6, int period = 30,
                 OtpHash hash = OtpHash::kSha1);

// Checks `code` against the time steps c - window .. c + window, where
// c = floor(unix_seconds / period) (steps below 0 are skipped), and returns
// the matching step, or nullopt. `code` must be exactly `digits` ASCII
// digits ("+123456", " 123456", "12345" are rejected unread). Every step in
// the window is computed and compared in constant time, so the timing does
// not tell which step matched; if several steps yield the same code the one
// nearest to c wins (the earlier on a tie).
//
// Replay: a code stays valid for its whole window, up to
// (2 * window + 1) * period seconds. To make codes single-use (RFC 6238
// §5.2), store the returned step per credential and refuse a later
// verification whose step is <= the stored one. The reference
// (spec/mfa.md §3) does not do this.
//
// REQUIRES: 0 <= window <= kMaxTotpWindow, and the other parameters as for
// Totp; else nullopt.
std::optional<std::int64_t> VerifyTotp(std::string_view key, std::string_view code,
                                       std::int64_t unix_seconds, int window = 1, int digits = 6,
                                       int period = 30, OtpHash hash = OtpHash::kSha1);

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_TOTP_H_
