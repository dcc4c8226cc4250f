// libFuzzer target: every route of the auth controller, end to end, over
// the memory database. Per input a fresh world is composed by app::Services,
// as `authd serve` does (FakeClock, seeded randomness, argon2id at 64 KiB/t=1/p=1, rate
// limits and lockout off) with one signed-up user, so runs are
// deterministic and reproducible.
//
// Input layout:
//   byte 0  route index (mod the route count)
//   byte 1  flags: bit 0 Authorization: Bearer <line>, bit 1 Cookie: <line>,
//           bit 2 x-access-token-type: cookie, bit 3 non-JSON Content-Type,
//           bit 4 query string <line>, bit 5 X-CSRF-Token: <line>,
//           bits 6-7 token mode (auto, header, cookie, cookie + CSRF)
//   then, for each set line flag in bit order, one '\n'-terminated line;
//   the rest is the body. In lines and body "$A" / "$R" are replaced by the
//   user's valid access / refresh token, "$C" by a valid CSRF token.
// HANDLERS_FUZZ_VERBOSE=1 prints each input's status and body start.
// Invariant: the handler returns 200..499 (a 500 or an escaping exception
// is a bug), and a JSON content type comes with a JSON body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "app/services.h"
#include "config/config.h"
#include "core/clock.h"
#include "courier/templates.h"
#include "crypto/random.h"
#include "flows/account_flows.h"
#include "http/auth_handlers.h"
#include "http/router.h"
#include "store/memory/memory_stores.h"

namespace authd {
namespace {

constexpr core::UnixMillis kNow = 1764000000000;  // 2025-11-24
constexpr const char* kEmail = "fuzz@example.com";
constexpr const char* kPassword = "Str0ng!Passw0rd";

[[noreturn]] void Abort(const std::string& what, const http::Request& req,
                        const http::Response* resp) {
  std::fprintf(stderr, "handlers_fuzz: %s\n  %s %s\n  body: %s\n", what.c_str(), req.method.c_str(),
               req.target.c_str(), req.body.c_str());
  if (resp != nullptr) {
    std::fprintf(stderr, "  -> %d %s\n  %s\n", resp->status, resp->content_type.c_str(),
                 resp->body.c_str());
  }
  std::abort();
}

// Deterministic "CSPRNG" (splitmix64) so a crash input reproduces exactly.
class SeededRandom final : public crypto::SecureRandom {
 public:
  void Fill(void* out, std::size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      p[i] = static_cast<unsigned char>(z ^ (z >> 31));
    }
  }

 private:
  std::uint64_t state_ = 42;
};

session::SessionOptions SessionOpts() {
  session::SessionOptions o;
  o.jwt_secret = "fuzz-jwt-secret-0123456789abcdefghijklmnop";
  return o;
}

identity::PasswordOptions CheapArgon2() {
  identity::PasswordOptions o;
  o.argon2_memory_kib = 64;
  o.argon2_time_cost = 1;
  o.argon2_parallelism = 1;
  return o;
}

throttle::RateLimitOptions RateLimitsOff() {
  throttle::RateLimitOptions o;
  o.enabled = false;
  return o;
}

throttle::LockoutOptions LockoutOff() {
  throttle::LockoutOptions o;
  o.enabled = false;
  return o;
}

http::HttpOptions HttpOpts(http::TokenMode mode, bool csrf) {
  http::HttpOptions o;
  o.token_mode = mode;
  o.csrf.enabled = csrf;
  return o;
}

mfa::MfaOptions MfaOpts() {
  mfa::MfaOptions o;
  o.enabled = true;
  return o;
}

config::Config FuzzConfig(http::TokenMode mode, bool csrf) {
  config::Config c;
  c.http = HttpOpts(mode, csrf);
  c.session = SessionOpts();
  c.password = CheapArgon2();
  c.rate_limit = RateLimitsOff();
  c.lockout = LockoutOff();
  c.mfa = MfaOpts();
  c.mfa.encryption_key = "fuzz-mfa-secret-0123456789abcdef0123456789";
  c.auth.phone_enabled = true;
  return c;
}

// One composed server, as `authd serve` builds it (app::Services), minus
// sockets and SQLite. Members are initialised in declaration order.
struct World {
  World(http::TokenMode mode, bool csrf) : config(FuzzConfig(mode, csrf)) {}

  const config::Config config;
  core::FakeClock clock{kNow};
  SeededRandom random;
  std::unique_ptr<store::Database> db = store::NewMemoryDatabase();
  courier::Templates templates;
  app::Services services{{config, *db, clock, random, templates}};
  http::Router router;
};

std::string Substitute(std::string_view in, const session::TokenPair& t, const std::string& csrf) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '$' && i + 1 < in.size()) {
      const char c = in[i + 1];
      if (c == 'A' || c == 'R' || c == 'C') {
        out += c == 'A' ? t.access_token : c == 'R' ? t.refresh_token : csrf;
        ++i;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// Splits off one '\n'-terminated line (the whole rest if none).
std::string_view TakeLine(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  return line;
}

}  // namespace
}  // namespace authd

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // handlers log internal errors
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authd;
  if (size < 2) return 0;
  const std::uint8_t flags = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  static constexpr http::TokenMode kModes[] = {http::TokenMode::kAuto, http::TokenMode::kHeader,
                                               http::TokenMode::kCookie, http::TokenMode::kCookie};
  World w(kModes[flags >> 6], (flags >> 6) == 3);
  const http::AuthHandlerDeps deps = w.services.HandlerDeps();
  http::RegisterAuthRoutes(w.router, deps);
  // Byte 0 picks a route of the route table; a path parameter is "x".
  const std::vector<http::RouteEntry> routes = http::AuthRoutes(deps);
  const http::RouteSpec& ref = routes[data[0] % routes.size()].spec;
  std::string path = ref.path;
  if (const std::size_t colon = path.find("/:"); colon != std::string::npos) {
    path = path.substr(0, colon) + "/x";
  }

  flows::SignupInput signup;
  signup.email = kEmail;
  signup.password = kPassword;
  signup.client.ip = "127.0.0.1";
  auto user = w.services.flows.accounts.Signup(signup);
  if (!user.ok()) {
    std::fprintf(stderr, "handlers_fuzz: seeding signup failed: %s\n",
                 user.error().message.c_str());
    std::abort();
  }
  const session::TokenPair& tokens = user->tokens;
  const std::string csrf = "fuzz-csrf-token";

  http::Request req;
  std::string target = http::BasePath(w.config.http) + path;
  std::size_t n = 0;
  auto header = [&](std::string_view name, std::string_view value) {
    http::SetHeaderField(n++, name, value, req);
  };
  if (flags & 0x01) {
    header("Authorization", "Bearer " + Substitute(TakeLine(rest), tokens, csrf));
  }
  if (flags & 0x02) header("Cookie", Substitute(TakeLine(rest), tokens, csrf));
  if (flags & 0x04) header("X-Access-Token-Type", "cookie");
  header("Content-Type", (flags & 0x08) ? "text/plain" : "application/json");
  if (flags & 0x10) target += "?" + std::string(TakeLine(rest));
  if (flags & 0x20) header("X-CSRF-Token", Substitute(TakeLine(rest), tokens, csrf));
  header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0");
  http::SetRequestLine(ref.method, target, req);
  req.body = Substitute(rest, tokens, csrf);
  http::SetRequestIdentity("127.0.0.1", http::HttpOptions(), req);

  const http::Route* route = w.router.Find(req.method, req.path);
  if (route == nullptr) {
    Abort("route missing from the table: " + target, req, nullptr);
  }
  if (route->queue_key) {  // runs on the I/O thread before queueing
    try {
      (void)route->queue_key(req);
    } catch (...) {
      Abort("the route's hashing-queue key threw", req, nullptr);
    }
  }
  http::Response resp;
  try {
    resp = route->handler(req);
  } catch (const std::exception& e) {
    Abort(std::string("handler threw (a 500): ") + e.what(), req, nullptr);
  } catch (...) {
    Abort("handler threw a non-std exception (a 500)", req, nullptr);
  }
  static const bool verbose = std::getenv("HANDLERS_FUZZ_VERBOSE") != nullptr;
  if (verbose) {  // for seed maintenance: what did this input reach?
    std::fprintf(stderr, "%s %s -> %d %s\n", req.method.c_str(), req.target.c_str(), resp.status,
                 resp.body.substr(0, 160).c_str());
  }
  if (resp.status < 200 || resp.status > 499) {
    Abort("status outside 200..499", req, &resp);
  }
  if (resp.content_type.starts_with("application/json") && http::StatusHasBody(resp.status)) {
    boost::system::error_code ec;
    (void)boost::json::parse(resp.body, ec);
    if (ec) Abort("JSON content type with a non-JSON body", req, &resp);
  }
  return 0;
}
