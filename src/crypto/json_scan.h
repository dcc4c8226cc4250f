// A small, bounded, validating JSON scanner for the JWT layer.
//
// crypto must not depend on a JSON library, yet JWT verification has to read
// a few top-level members ("alg", "typ", "crit", "exp", "nbf", "iat") from
// attacker-supplied bytes. This scanner validates a whole document strictly
// (RFC 8259: no comments, no trailing commas, no NaN/Infinity, strings must
// be valid UTF-8 with no raw control characters and no lone surrogates) and
// reports the members of the top-level object.
//
// Bounded: nesting deeper than kMaxJsonDepth is rejected, so recursion depth
// and stack use are fixed; running time and memory are linear in the input
// (duplicate detection uses a sorted set). It never reads past the input.
// Thread-safety: stateless function.
#ifndef AUTHD_CRYPTO_JSON_SCAN_H_
#define AUTHD_CRYPTO_JSON_SCAN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authd::crypto::internal {

// The top-level object counts as depth 1.
inline constexpr int kMaxJsonDepth = 32;

enum class JsonKind { kString, kNumber, kTrue, kFalse, kNull, kObject, kArray };

struct JsonMember {
  std::string key;  // decoded (escapes resolved), UTF-8
  JsonKind kind = JsonKind::kNull;
  // kString: the decoded string. kNumber: the literal's text exactly as it
  // appears (valid JSON number grammar). Empty for every other kind.
  std::string value;
};

// Parses `text` as exactly one JSON object, optionally surrounded by JSON
// whitespace, and returns its top-level members in document order. nullopt if
// the text is not such an object, nests deeper than kMaxJsonDepth, or repeats
// a top-level key (parsers disagree on which duplicate wins, so accepting one
// would let this scanner and the caller's JSON library see different claims).
std::optional<std::vector<JsonMember>> ScanJsonObject(std::string_view text);

}  // namespace authd::crypto::internal

#endif  // AUTHD_CRYPTO_JSON_SCAN_H_
