// Byte encodings used on the wire: base64url (RFC 4648 §5, no padding),
// standard base64, base32 (RFC 4648 §6, TOTP secrets), lower-case hex,
// percent-encoding (RFC 3986 §2.1).
#ifndef AUTHD_CRYPTO_ENCODING_H_
#define AUTHD_CRYPTO_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace authd::crypto {

std::string Base64UrlEncode(std::string_view bytes);
// Strict: rejects padding, characters outside [A-Za-z0-9_-], a length of
// 1 mod 4, and non-zero trailing bits. nullopt on any error.
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string Base64Encode(std::string_view bytes);  // with padding

// Base32 with the RFC 4648 §6 alphabet A-Z2-7, upper-case, without padding:
// the form authenticator apps expect in otpauth:// URLs (20 bytes -> 32
// characters).
std::string Base32Encode(std::string_view bytes);
// Accepts either case and, optionally, the full '=' padding to a multiple of
// 8 characters (no partial or excess padding). Rejects every other character
// (whitespace and '-' included: callers strip them if they want to), lengths
// of 1, 3 or 6 mod 8 (no byte count encodes to those) and non-zero trailing
// bits, so each byte string has exactly one accepted unpadded spelling per
// letter case. nullopt on any error.
std::optional<std::string> Base32Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);  // lower-case
// Accepts either case; nullopt on odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

// Percent-encoding with upper-case hex: ASCII letters and digits and the
// characters of `keep` stay, every other byte becomes %XX. Callers differ on
// purpose in what they keep, so the set is theirs to name (the two below).
std::string PercentEncode(std::string_view bytes, std::string_view keep);
// RFC 3986 §2.3's unreserved marks.
inline constexpr std::string_view kUriUnreserved = "-._~";
// What JavaScript's encodeURIComponent leaves as is.
inline constexpr std::string_view kUriComponentUnreserved = "-._~!*'()";

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_ENCODING_H_
