// libFuzzer target: the wire request path of server.cc (ReadRequest,
// AnswerReadError, Handle) minus the socket. Bytes are fed in chunks to a
// beast request_parser<string_body> with the server's default header and
// body limits, exactly as async_read does; a parsed message is copied into
// a Request reused across inputs (as a connection reuses request_) with
// SetRequestLine / SetHeaderField / SetRequestIdentity, then the 404 and
// error responses are serialised.
// Input: byte 0 = chunk size seed (1..256 bytes per read) and bit 7 =
// trust X-Forwarded-For (the 2nd bit of the chunk seed then picks hops or a
// trusted-proxy list); the rest is the byte stream of one connection.
// Invariant: remote_ip is the peer or a canonical IP address.
// Boost asserts stay on, through this handler (declared before any Boost
// header): Beast 1.81's basic_parser::parse_chunk_header asserts n >= 5
// where n == 3 is valid ("0\r\n" then the final CRLF in later reads,
// empty chunked body); the code after the assert handles it. Fixed upstream
// in boostorg/beast PR #2861 (Boost 1.86). Release builds (NDEBUG) are
// unaffected; Debug/sanitizer builds of authd abort on it.
#define BOOST_ENABLE_ASSERT_HANDLER
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace boost {
void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header") != nullptr) {
    return;  // the known, harmless Beast 1.81 assert described above
  }
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}
void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}
}  // namespace boost

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>

#include "core/ip_address.h"
#include "http/cookies.h"
#include "http/forwarded.h"
#include "http/http_options.h"
#include "http/message.h"
#include "http/request_body.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http_request_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

bool IsUtf8Json(const std::string& body) {
  boost::system::error_code ec;
  (void)boost::json::parse(body, ec);
  return !ec;
}

// SerializeResponseHead must yield one well-formed head: it ends the
// header block exactly once, at the end.
void CheckHead(const authd::http::Response& r, std::string_view request_id) {
  std::string head;
  authd::http::SerializeResponseHead(r, request_id, true, 5, head);
  Require(head.starts_with("HTTP/1.1 "), "status line");
  Require(head.find("\r\n\r\n") == head.size() - 4, "header block framing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authd::http;
  if (size < 1) return 0;
  const std::size_t chunk = (data[0] & 0x7F) * 2 + 1;
  const bool trust_proxy = (data[0] & 0x80) != 0;
  const char* wire = reinterpret_cast<const char*>(data) + 1;
  const std::size_t wire_size = size - 1;
  const HttpOptions opts;  // the server's default limits
  static const HttpOptions by_hops = [] {
    HttpOptions o;
    o.trust_proxy = true;
    o.trust_proxy_hops = 2;
    return o;
  }();
  static const HttpOptions by_list = [] {
    HttpOptions o;
    for (const char* n : {"203.0.113.0/24", "10.0.0.0/8", "::1", "2001:db8::/32"}) {
      o.trusted_proxies.push_back(*authd::core::ParseNetwork(n));
    }
    return o;
  }();
  const HttpOptions& proxy_opts = !trust_proxy ? opts : (data[0] & 0x02) ? by_list : by_hops;

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
  parser.body_limit(opts.max_body_bytes);
  beast::flat_buffer buffer;
  std::size_t fed = 0;
  beast::error_code ec;
  while (!parser.is_done()) {
    if (buffer.size() == 0 || ec == bhttp::error::need_more) {
      if (fed == wire_size) {  // EOF, handled as beast's read_some does
        ec = {};
        if (parser.got_some()) parser.put_eof(ec);
        if (!ec && !parser.is_done()) ec = bhttp::error::end_of_stream;
        break;
      }
      const std::size_t n = std::min(chunk, wire_size - fed);
      auto mb = buffer.prepare(n);
      std::memcpy(mb.data(), wire + fed, n);
      buffer.commit(n);
      fed += n;
    }
    ec = {};
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec && ec != bhttp::error::need_more) break;
  }
  if (parser.is_done()) ec = {};

  if (ec) {
    // AnswerReadError
    Response r;
    if (ec == bhttp::error::body_limit) {
      r = PayloadTooLarge();
    } else if (ec == bhttp::error::header_limit) {
      r = HeaderFieldsTooLarge();
    } else {
      r = UnparsableRequest();
    }
    Require(IsUtf8Json(r.body), "error response body is not JSON");
    std::string id;
    GenerateRequestId(id);
    CheckHead(r, id);
    if (parser.is_header_done()) (void)RawPath(parser.get().target());
    return 0;
  }

  // Handle(): copy into a Request whose strings are reused across inputs.
  static Request request;
  auto& msg = parser.get();
  SetRequestLine(msg.method_string(), msg.target(), request);
  std::size_t n = 0;
  for (const auto& f : msg) SetHeaderField(n++, f.name_string(), f.value(), request);
  request.headers.resize(n);
  request.body = std::move(msg.body());
  SetRequestIdentity("203.0.113.7", proxy_opts, request);

  Require(request.body.size() <= opts.max_body_bytes, "body over the limit");
  Require(IsValidRequestId(request.request_id), "invalid request id");
  Require(!request.remote_ip.empty(), "empty remote ip");
  for (std::string_view entry : ForwardedForEntries(request)) {
    if (auto a = ParseForwardedAddress(entry)) {
      auto again = authd::core::ParseIp(authd::core::FormatIp(*a));
      Require(again && *again == *a, "address does not survive FormatIp/ParseIp");
      if (auto n = authd::core::ParseNetwork(authd::core::FormatIp(*a) + "/64")) {
        Require(n->Contains(*a), "a network does not contain its own address");
      }
    }
  }
  if (auto ip = authd::core::ParseIp(request.remote_ip)) {
    Require(authd::core::FormatIp(*ip) == request.remote_ip, "remote ip not canonical");
  } else {
    Require(false, "remote ip is not an IP address");
  }
  Require(request.path.size() <= request.target.size(), "path longer than target");
  for (const auto& [name, value] : request.headers) {
    for (char c : name) Require(!(c >= 'A' && c <= 'Z'), "header name not lower-cased");
  }
  (void)RawPath(request.target);
  (void)FindCookie(request, "accessToken");
  (void)FindCookie(request, "refreshToken");
  (void)ParseJsonBody(request);

  const Response not_found = RouteNotFound(request);
  Require(IsUtf8Json(not_found.body), "404 body is not JSON");
  CheckHead(not_found, request.request_id);
  return 0;
}
