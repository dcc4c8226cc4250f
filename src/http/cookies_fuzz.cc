// libFuzzer target: the Cookie request header path. Arbitrary bytes go
// through ParseCookieHeader, FindCookie (over one or two Cookie headers)
// and DecodeUriComponent, plus two invariants:
//  - DecodeUriComponent of encodeURIComponent(x) is x or nullopt (never a
//    different string);
//  - the first cookie of Serialize({"n", x}) parses back as name "n".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/cookies.h"
#include "http/message.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cookies_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authd::http;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto pairs = ParseCookieHeader(input);
  for (const auto& [name, value] : pairs) {
    Require(name.size() <= input.size(), "cookie name longer than the header");
    Require(value.size() <= input.size(), "cookie value longer than the header");
  }

  // FindCookie over the header split in two at the first NUL (two Cookie
  // fields in arrival order), looking up the names the server reads.
  Request req;
  const std::size_t nul = input.find('\0');
  SetHeaderField(0, "Cookie", input.substr(0, nul), req);
  if (nul != std::string_view::npos) {
    SetHeaderField(1, "cookie", input.substr(nul + 1), req);
  }
  for (const char* name :
       {"accessToken", "refreshToken", "nest_auth_csrf", "nest_auth_remember", ""}) {
    (void)FindCookie(req, name);
  }
  // The first cookie of the first header is what FindCookie returns.
  const auto first_header = ParseCookieHeader(input.substr(0, nul));
  if (!first_header.empty()) {
    auto first = FindCookie(req, first_header.front().first);
    Require(first == first_header.front().second, "FindCookie disagrees with ParseCookieHeader");
  }

  (void)DecodeUriComponent(input);

  SetCookie c;
  c.name = "n";
  c.value.assign(input);
  c.max_age_seconds = 3600;
  c.expires_unix_millis = 1700000000000;
  c.http_only = true;
  c.same_site = "lax";
  const std::string header = Serialize(c);
  auto back = ParseCookieHeader(header);
  Require(!back.empty() && back.front().first == "n", "Serialize round trip");
  const std::string encoded = header.substr(2, header.find(';') - 2);
  auto decoded = DecodeUriComponent(encoded);
  Require(!decoded || *decoded == input, "decode(encode(x)) != x");
  Require(back.front().second == (decoded ? *decoded : encoded),
          "parsed value differs from the decoded serialized value");
  return 0;
}
