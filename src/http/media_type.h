// Content-Type parsing as the reference's host parses it (Express
// body-parser 2 -> type-is 2 -> content-type 2 + media-typer 1), so that
// authd decides "is this body JSON?" exactly as the reference does, and
// never by substring (`text/plain; x=application/json` is text/plain).
//
//   Content-Type = media-type *( OWS ";" OWS parameter )   (RFC 9110 §8.3)
//
// The media type is the text before the first ';', OWS (space, tab)
// trimmed, lower-cased; it is valid if it matches RFC 6838's restricted
// names (`type/subtype`, each 1..127 of [A-Za-z0-9!#$&^_.+-], starting with
// a letter or digit; no '.' or '+' in the type). Parameters are parsed
// leniently as the `content-type` package does: name up to '=' (OWS
// trimmed, lower-cased), value quoted (backslash escapes) or up to the next
// ';' (OWS trimmed); the first occurrence of a name wins; a parameter
// without '=' is skipped. Pure functions; safe for any input.
#ifndef AUTHD_HTTP_MEDIA_TYPE_H_
#define AUTHD_HTTP_MEDIA_TYPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace authd::http {

struct ContentType {
  std::string type;                    // "type/subtype", lower-cased; "" if invalid
  std::optional<std::string> charset;  // the charset parameter, lower-cased
};

ContentType ParseContentType(std::string_view header);

// RFC 6838 restricted-name check of a lower-cased "type/subtype".
bool IsValidMediaType(std::string_view type);

// The reference's `express.json()` test (type-is with "application/json"):
// the media type is exactly application/json, whatever the parameters.
// `+json` types (application/vnd.api+json) are not JSON to it.
bool IsJsonMediaType(const ContentType& ct);

}  // namespace authd::http

#endif  // AUTHD_HTTP_MEDIA_TYPE_H_
