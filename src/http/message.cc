#include "http/message.h"

#include "core/clock.h"
#include "http/error_mapping.h"
#include "http/forwarded.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdint>
#include <random>

namespace authd::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte escaped as %XX at s[i], or -1.
int EscapedByte(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size() || s[i] != '%') return -1;
  int hi = HexValue(s[i + 1]);
  int lo = HexValue(s[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// Length of the UTF-8 sequence a lead byte starts, with the smallest code
// point it may encode (to reject overlongs); 0 for an invalid lead.
int SequenceLength(int lead, std::uint32_t* min_code_point) {
  if ((lead & 0xE0) == 0xC0) return *min_code_point = 0x80, 2;
  if ((lead & 0xF0) == 0xE0) return *min_code_point = 0x800, 3;
  if ((lead & 0xF8) == 0xF0) return *min_code_point = 0x10000, 4;
  return 0;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

bool IsFramingHeader(std::string_view name) {
  using boost::beast::iequals;
  return iequals(name, "content-length") || iequals(name, "connection") ||
         iequals(name, "transfer-encoding") || iequals(name, "keep-alive");
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

void AppendNumber(std::string& out, std::size_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string> DecodeUriComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '%') {
      out.push_back(s[i++]);
      continue;
    }
    int lead = EscapedByte(s, i);
    if (lead < 0) return std::nullopt;
    i += 3;
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      continue;
    }
    std::uint32_t min_cp = 0;
    int len = SequenceLength(lead, &min_cp);
    if (len == 0) return std::nullopt;
    std::uint32_t cp = static_cast<std::uint32_t>(lead) & (0x7F >> len);
    out.push_back(static_cast<char>(lead));
    for (int k = 1; k < len; ++k, i += 3) {
      int b = EscapedByte(s, i);
      if (b < 0 || (b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | static_cast<std::uint32_t>(b & 0x3F);
      out.push_back(static_cast<char>(b));
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
  }
  return out;
}

void SetRequestLine(std::string_view method, std::string_view target, Request& r) {
  r.method.assign(method);
  for (char& c : r.method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  }
  r.target.assign(target);
  std::size_t q = target.find('?');
  r.query.assign(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  std::string_view path = target.substr(0, q);
  std::size_t scheme_end = path.find("://");
  if (!path.starts_with('/') && scheme_end != std::string_view::npos) {
    std::size_t slash = path.find('/', scheme_end + 3);
    path = slash == std::string_view::npos ? "/" : path.substr(slash);
  }
  // Not percent-decoded: like Express, routes match the path as sent, so
  // "/auth%2Fme" is not "/auth/me".
  r.path.assign(path);
}

void SetHeaderField(std::size_t index, std::string_view name, std::string_view value, Request& r) {
  if (index == r.headers.size()) r.headers.emplace_back();
  auto& [lower_name, field_value] = r.headers[index];
  lower_name.assign(name);
  for (char& c : lower_name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  field_value.assign(value);
}

void SetRequestIdentity(std::string_view peer_ip, const HttpOptions& opts, Request& r) {
  if (!opts.trust_proxy && opts.trusted_proxies.empty()) {
    r.remote_ip.assign(peer_ip);  // the common case: no allocation
  } else {
    r.remote_ip = ClientIp(peer_ip, opts, r);
  }
  std::optional<std::string_view> id = r.Header("x-request-id");
  if (id && IsValidRequestId(*id)) {
    r.request_id.assign(*id);
  } else {
    GenerateRequestId(r.request_id);
  }
}

std::string_view RawPath(std::string_view target) { return target.substr(0, target.find('?')); }

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

void GenerateRequestId(std::string& out) {
  thread_local std::uint64_t state = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  out.resize(16);
  for (int i = 15; i >= 0; --i, z >>= 4) out[i] = kHex[z & 0xF];
}

bool StatusHasBody(int status) { return status != 204 && status != 304; }

// The Date header value, formatted at most once per second per thread.
const std::string& CurrentHttpDate() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  const std::int64_t now = core::SystemClock().NowSeconds();
  if (now != cached_second) {
    cached = core::FormatHttpDate(now * 1000);
    cached_second = now;
  }
  return cached;
}

void SerializeResponseHead(const Response& r, std::string_view request_id, bool keep_alive,
                           std::int64_t keep_alive_seconds, std::string& out) {
  out.assign("HTTP/1.1 ");
  AppendNumber(out, static_cast<std::size_t>(r.status));
  out.push_back(' ');
  out.append(
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status)));
  out.append("\r\n");
  const bool has_body = StatusHasBody(r.status);
  if (has_body && !r.content_type.empty()) {
    out.append("Content-Type: ").append(r.content_type).append("\r\n");
  }
  for (const auto& [name, value] : r.headers) {
    if (HasLineBreak(name) || HasLineBreak(value) || IsFramingHeader(name)) {
      continue;
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (has_body) {
    out.append("Content-Length: ");
    AppendNumber(out, r.body.size());
    out.append("\r\n");
  }
  out.append("X-Request-Id: ").append(request_id).append("\r\n");
  out.append("Date: ").append(CurrentHttpDate()).append("\r\n");
  if (keep_alive) {
    out.append("Connection: keep-alive\r\nKeep-Alive: timeout=");
    AppendNumber(out, static_cast<std::size_t>(keep_alive_seconds));
    out.append("\r\n\r\n");
  } else {
    out.append("Connection: close\r\n\r\n");
  }
}

// The 500 body is the one shape of its own (error_mapping.cc uses it too);
// the others are Nest's default exception body (FrameworkError).
Response InternalServerError() {
  return JsonResponse(500, R"({"statusCode":500,"message":"Internal server error"})");
}

Response RouteNotFound(const Request& r) {
  // Nest's not-found handler quotes req.originalUrl: the target as sent.
  // Bytes that are not printable ASCII are percent-encoded so the body
  // stays valid UTF-8 JSON whatever the client sent.
  std::string message = "Cannot " + r.method + " ";
  for (unsigned char c : r.target) {
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      message += '%';
      message += kHex[c >> 4];
      message += kHex[c & 0xF];
    } else {
      message += static_cast<char>(c);
    }
  }
  return FrameworkError(404, message);
}

Response PayloadTooLarge() { return FrameworkError(413, "request entity too large"); }

Response HeaderFieldsTooLarge() { return FrameworkError(431, "Request header fields too large"); }

Response UnparsableRequest() { return FrameworkError(400, "Bad Request"); }

}  // namespace authd::http
