// Request and Response: the framework-neutral HTTP messages handlers see.
//
// The server (server.cc, Boost.Beast) parses a wire request into a Request
// and serialises a Response back; handlers never touch Beast types, so they
// can be unit-tested without sockets.
#ifndef AUTHD_HTTP_MESSAGE_H_
#define AUTHD_HTTP_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_options.h"

namespace authd::http {

struct Request {
  std::string method;  // upper-case, e.g. "POST"
  std::string target;  // raw request target, e.g. "/auth/me?x=1"
  std::string path;    // target without the query string, as sent (raw)
  std::string query;   // raw query string without '?'
  // Header fields in arrival order; names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;   // socket peer (or X-Forwarded-For if trusted)
  std::string request_id;  // X-Request-Id if sane, else generated

  // First value of header `name` (lower-case), if present.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  // Extra header fields in order; several "Set-Cookie" entries are allowed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// ---- Wire helpers (server.cc, tests) ----------------------------------

// decodeURIComponent: %XX escapes decoded, escaped bytes must form valid
// UTF-8 (no overlongs, surrogates or code points past U+10FFFF); other
// bytes copied as-is ('+' stays '+'). nullopt on a malformed escape, so
// callers can keep the raw text as Express and `cookie` do.
std::optional<std::string> DecodeUriComponent(std::string_view s);

// Sets r.method (upper-cased), r.target, r.query (raw, without '?') and
// r.path (decoded; kept raw if the encoding is malformed). An absolute-form
// target ("http://host/p?q") yields its path. Reuses the strings' capacity.
void SetRequestLine(std::string_view method, std::string_view target, Request& r);

// Sets r.headers[index] to (lower-cased name, value), growing r.headers if
// index == size(); reuses the existing strings' capacity.
void SetHeaderField(std::size_t index, std::string_view name, std::string_view value, Request& r);

// Derives r.request_id (X-Request-Id if valid, else generated) and
// r.remote_ip (ClientIp of forwarded.h: the peer, or the X-Forwarded-For
// hop the proxy options trust) from r.headers.
void SetRequestIdentity(std::string_view peer_ip, const HttpOptions& opts, Request& r);

// The undecoded path of a target: what the access log shows (never the
// query, which may carry tokens).
std::string_view RawPath(std::string_view target);

// An incoming X-Request-Id is kept if it is 1..64 chars of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view id);

// Writes a fresh 16-hex-char request id into `out`. Ids correlate log
// lines and are not secrets: a per-thread splitmix64 seeded once from
// std::random_device keeps this lock-free and cheap.
void GenerateRequestId(std::string& out);

// False for 204 and 304, which carry no body, Content-Type or -Length.
bool StatusHasBody(int status);

// Replaces `out` with the HTTP/1.1 status line and header block of `r`:
// Content-Type, r.headers in order, Content-Length, X-Request-Id, then
// "Connection: keep-alive" + "Keep-Alive: timeout=<keep_alive_seconds>" or
// "Connection: close". The server owns framing, so handler-set
// Content-Length/Connection/Transfer-Encoding/Keep-Alive are dropped, as is
// any header containing CR or LF (response splitting).
// REQUIRES: 200 <= r.status <= 599.
void SerializeResponseHead(const Response& r, std::string_view request_id, bool keep_alive,
                           std::int64_t keep_alive_seconds, std::string& out);

// Responses the server itself sends, byte-exact with the Express/Nest
// reference (spec/errors.md §1 C).
Response InternalServerError();            // 500, handler threw
Response RouteNotFound(const Request& r);  // 404 "Cannot GET /x"
Response PayloadTooLarge();                // 413, body over the limit
Response HeaderFieldsTooLarge();           // 431, headers over the limit
Response UnparsableRequest();              // 400, malformed HTTP

}  // namespace authd::http

#endif  // AUTHD_HTTP_MESSAGE_H_
