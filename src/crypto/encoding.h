// Byte encodings used on the wire: base64url (RFC 4648 §5, no padding),
// standard base64, lower-case hex.
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

std::string HexEncode(std::string_view bytes);  // lower-case
// Accepts either case; nullopt on odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace authd::crypto

#endif  // AUTHD_CRYPTO_ENCODING_H_
