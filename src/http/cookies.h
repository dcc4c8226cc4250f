// Cookies: the request Cookie header parser and the Set-Cookie serialiser.
//
// Both mirror the Node `cookie` package as Express 5 and cookie-parser use
// it, because the wire strings are part of the API contract
// (spec/tokens-and-sessions.md). Pure functions; thread-safe.
#ifndef AUTHD_HTTP_COOKIES_H_
#define AUTHD_HTTP_COOKIES_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace authd::http {

// Parses one Cookie header value into (name, value) pairs in header order.
// Parts split on ';', spaces and tabs trimmed around names and values, parts
// without '=' skipped, a value wrapped in double quotes unquoted, values
// decoded like decodeURIComponent (kept raw if the encoding is malformed).
// Duplicate names are all returned; lookups take the first (FindCookie).
std::vector<std::pair<std::string, std::string>> ParseCookieHeader(std::string_view header);

// The value of the first cookie called `name` across all Cookie headers of
// `req`, in arrival order; nullopt if absent.
std::optional<std::string> FindCookie(const Request& req, std::string_view name);

struct SetCookie {
  std::string name;   // REQUIRES: an RFC 7230 token (written verbatim)
  std::string value;  // written through encodeURIComponent, as Express does
  std::optional<long long> max_age_seconds;
  std::string domain;      // empty = no Domain attribute
  std::string path = "/";  // empty = no Path attribute
  std::optional<long long> expires_unix_millis;
  bool http_only = false;
  bool secure = false;
  std::string same_site;  // "Lax", "Strict", "None" (any case) or empty
};

// The Set-Cookie header value, attributes in `cookie` order:
// name=value; Max-Age; Domain; Path; Expires; HttpOnly; Secure; SameSite.
// E.g. "accessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT".
std::string Serialize(const SetCookie& cookie);

}  // namespace authd::http

#endif  // AUTHD_HTTP_COOKIES_H_
