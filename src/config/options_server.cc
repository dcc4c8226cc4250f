// Option table, part 1: app, server, storage, session, cookies, csrf.
#include <string>
#include <string_view>
#include <vector>

#include "config/option_builders.h"
#include "config/option_table.h"
#include "core/ip_address.h"

namespace authd::config::internal {
namespace {

constexpr std::string_view kTokenSeparators = "()<>@,;:\\\"/[]?={} \t";

StringCheck NonEmpty() {
  return [](std::string& s) -> core::Status {
    if (s.empty()) return Invalid("must not be empty");
    return core::Status::Ok();
  };
}

// "/api/" -> "api"; inner empty segments and other characters are refused.
core::Status NormalizePathPrefix(std::string& s) {
  const size_t first = s.find_first_not_of('/');
  if (first == std::string::npos) {
    s.clear();
    return core::Status::Ok();
  }
  s = s.substr(first, s.find_last_not_of('/') - first + 1);
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-';
    if (!ok) return Invalid("allowed characters are A-Z a-z 0-9 / _ -");
  }
  if (s.find("//") != std::string::npos) {
    return Invalid("must not contain empty path segments (//)");
  }
  return core::Status::Ok();
}

core::Status CheckDatabaseUrl(std::string& s) {
  if (s.empty() || s.starts_with("sqlite://") || s.starts_with("postgres://") ||
      s.starts_with("postgresql://")) {
    return core::Status::Ok();
  }
  return Invalid("expected empty, sqlite:///path/to/file.db or postgres://...");
}

core::Status CheckJwtSecret(std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Invalid(
        "must not be blank (leave it unset to let authd generate "
        "and store a random secret)");
  }
  const std::string trimmed = ToLower(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
  for (std::string_view weak :
       {"secret", "change-me", "changeme", "default", "jwt-secret", "your-secret", "password"}) {
    if (trimmed == weak) {
      return Invalid(
          "is a well-known placeholder; use at least 32 random "
          "bytes (e.g. `openssl rand -base64 48`) or leave it unset");
    }
  }
  return core::Status::Ok();
}

// A list of IP addresses / CIDR ranges held as core::IpNetwork.
template <typename Field>
Option NetworkListOption(std::string key, Field field, std::string help) {
  Option o = Described(std::move(key), OptionType::kList, std::move(help));
  o.set = [field](Config& c, const Value& v) -> core::Status {
    std::vector<core::IpNetwork> nets;
    for (const std::string& item : std::get<std::vector<std::string>>(v)) {
      auto n = core::ParseNetwork(item);
      if (!n) return Invalid("\"" + item + "\" is not an IP address or CIDR range");
      nets.push_back(*n);
    }
    field(c) = std::move(nets);
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value {
    std::vector<std::string> items;
    for (const core::IpNetwork& n : field(c)) items.push_back(core::FormatNetwork(n));
    return items;
  };
  return o;
}

}  // namespace

// An RFC 7230 token (header names) / RFC 6265 cookie-name.
StringCheck Token(bool lower_case) {
  return [lower_case](std::string& s) -> core::Status {
    if (s.empty()) return Invalid("must not be empty");
    for (char c : s) {
      if (c <= 32 || c >= 127 || kTokenSeparators.find(c) != s.npos) {
        return Invalid("must be a token (visible ASCII without separators)");
      }
    }
    if (lower_case) s = ToLower(s);
    return core::Status::Ok();
  };
}

namespace {

core::Status CheckCookieDomain(std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return Invalid("expected a host name such as example.com");
  }
  s = ToLower(s);
  return core::Status::Ok();
}

}  // namespace

// scheme://host[:port], compared by the CSRF check as lower-case text.
core::Status CheckOrigin(std::string& s) {
  s = ToLower(s);
  const size_t sep = s.find("://");
  const std::string scheme = s.substr(0, sep);
  const std::string rest = sep == s.npos ? "" : s.substr(sep + 3);
  if ((scheme != "http" && scheme != "https") || rest.empty() ||
      rest.find_first_of("/?#@ \t") != std::string::npos) {
    return Invalid("item \"" + s +
                   "\" is not an origin; expected "
                   "scheme://host[:port] without a path, e.g. "
                   "https://app.example.com");
  }
  return core::Status::Ok();
}

namespace {

void AppendAppAndWorkers(std::vector<Option>& out) {
  out.push_back(StringOption(
      "app.name", [](auto& c) -> auto& { return c.app_name; },
      "Application name: shown in e-mails and SMS, the TOTP issuer in "
      "authenticator apps, and the "
      "default prefix of TOTP device names.",
      NonEmpty()));
  out.push_back(Aliased(StringOption(
                            "server.host", [](auto& c) -> auto& { return c.http.host; },
                            "Address to listen on. 127.0.0.1 (default) accepts local "
                            "connections only, e.g. from a reverse proxy on the same host; "
                            "0.0.0.0 or :: listens on every interface.",
                            NonEmpty()),
                        {"host"}, {}));
  out.push_back(Aliased(IntOption(
                            "server.port", [](auto& c) -> auto& { return c.http.port; }, 0, 65535,
                            "TCP port to listen on; 0 picks a free port. PORT (as set by many "
                            "hosting platforms) is used when AUTHD_SERVER_PORT is not set."),
                        {"port"}, {"PORT"}));
  out.push_back(IntOption(
      "server.io_threads", [](auto& c) -> auto& { return c.http.io_threads; }, 0, 1024,
      "Threads running HTTP I/O; 0 = one per CPU core."));
  out.push_back(IntOption(
      "server.db_workers", [](auto& c) -> auto& { return c.http.blocking_workers; }, 0, 1024,
      "Threads for database work; 0 = 64. They mostly wait on the database, "
      "and the more writes wait at once, the more share one durable commit "
      "(group commit), so keep this well above the core count."));
  out.push_back(IntOption(
      "server.hash_workers", [](auto& c) -> auto& { return c.hash_workers; }, 0, 1024,
      "Threads hashing and verifying passwords with argon2id; 0 = one per "
      "CPU core. Every concurrent hash allocates password.argon2_memory_kib "
      "(64 MiB by default), so peak hashing memory is hash_workers x that."));
  out.push_back(IntOption(
      "server.hash_queue_max", [](auto& c) -> auto& { return c.http.hash_queue_max; }, 0, 1000000,
      "Requests that may wait for a hashing thread (signup, login, change "
      "and reset password); one more is answered at once with 503 "
      "SERVICE_UNAVAILABLE and Retry-After: 1 instead of waiting behind "
      "them. 0 = 16 per hashing thread, at least 32. A waiting request whose client "
      "closed the connection is dropped, not hashed."));
  out.push_back(IntOption(
      "server.hash_per_account_max", [](auto& c) -> auto& { return c.http.hash_per_key_max; }, 0,
      1024,
      "Requests for one account that may wait or run in the hashing pool at "
      "once (by the e-mail/phone of signup and login, by the signed-in user "
      "of change-password); one more is answered 429 RATE_LIMITED with "
      "Retry-After: 1. 0 = no limit."));
  out.push_back(IntOption(
      "server.hash_nice", [](auto& c) -> auto& { return c.http.hash_nice; }, 0, 19,
      "Scheduling niceness of the hashing threads, which also run as "
      "SCHED_BATCH (never preempting the I/O threads when they wake). 0 "
      "keeps logins at a fair share of the CPU when other processes compete "
      "for it; a higher value favours everything else over logins (at 10, a "
      "busy neighbour process can make each login take tens of seconds)."));
}

void AppendServerLimitsAndRoutes(std::vector<Option>& out) {
  out.push_back(IntOption(
      "server.max_header_bytes", [](auto& c) -> auto& { return c.http.max_header_bytes; }, 1024,
      65536,
      "Largest accepted request line + headers, in bytes; larger requests "
      "are answered 431. At most 64 KiB (no single header field may exceed "
      "it)."));
  out.push_back(IntOption(
      "server.max_body_bytes", [](auto& c) -> auto& { return c.http.max_body_bytes; }, 1024,
      67108864,
      "Largest accepted request body, in bytes; larger bodies are answered "
      "413. The default equals Express's 100kb."));
  out.push_back(IntOption(
      "server.max_connections", [](auto& c) -> auto& { return c.http.max_connections; }, 0,
      100000000,
      "Open client connections (idle keep-alive ones included); a new one "
      "past it is answered 503 SERVICE_UNAVAILABLE with Retry-After: 1 and "
      "closed at once. 0 = the open-file limit less a tenth (at least 64) "
      "kept for the database and outbound connections; authd raises its "
      "soft open-file limit to the hard limit at startup (see ulimit -n, "
      "LimitNOFILE= in systemd)."));
  out.push_back(DurationOption(
      "server.read_timeout", [](auto& c) -> auto& { return c.http.read_timeout_ms; }, 1, 100,
      "A request (headers and body) must arrive within this time or the "
      "connection is closed; protects against slow clients."));
  out.push_back(DurationOption(
      "server.idle_timeout", [](auto& c) -> auto& { return c.http.idle_timeout_ms; }, 1, 100,
      "How long an idle keep-alive connection is kept open (advertised as "
      "Keep-Alive: timeout=N)."));
  out.push_back(DurationOption(
      "server.shutdown_grace", [](auto& c) -> auto& { return c.http.shutdown_grace_ms; }, 1, 0,
      "On SIGINT/SIGTERM, in-flight requests may finish within this time "
      "before connections are closed; 0 = close at once."));
  out.push_back(BoolOption(
      "server.trust_proxy", [](auto& c) -> auto& { return c.http.trust_proxy; },
      "Take the client IP (rate limits, lockout, logs) from X-Forwarded-For, "
      "the immediate peer being a proxy (server.trust_proxy_hops of them): "
      "the right-most entry with 1 hop, never the left-most, which the "
      "client writes. Only behind a proxy that appends to it, or clients "
      "forge their IP. See also server.trusted_proxies."));
  out.push_back(IntOption(
      "server.trust_proxy_hops", [](auto& c) -> auto& { return c.http.trust_proxy_hops; }, 1, 32,
      "With server.trust_proxy: proxies in front of authd, the peer included; "
      "the client is the hops-th X-Forwarded-For entry from the right."));
  out.push_back(NetworkListOption(
      "server.trusted_proxies", [](auto& c) -> auto& { return c.http.trusted_proxies; },
      "Your reverse proxies' addresses or CIDR ranges, e.g. [\"10.0.0.0/8\", \"::1\"]: "
      "X-Forwarded-For is then read from a listed peer only, the client being "
      "its right-most entry not listed (IPv4 ranges match IPv4-mapped too)."));
  out.push_back(StringOption(
      "server.global_prefix", [](auto& c) -> auto& { return c.http.global_prefix; },
      "Path prefix in front of route_prefix, e.g. api -> /api/auth/login; "
      "empty = none. Surrounding slashes are dropped; allowed characters "
      "A-Z a-z 0-9 / _ -.",
      NormalizePathPrefix));
  out.push_back(StringOption(
      "server.route_prefix", [](auto& c) -> auto& { return c.http.route_prefix; },
      "Path prefix of every auth route (the reference's routePrefix), e.g. "
      "auth -> /auth/login; empty = routes at the root. Same rules as "
      "global_prefix.",
      NormalizePathPrefix));
}

void AppendStorage(std::vector<Option>& out) {
  out.push_back(Aliased(StringOption(
                            "storage.data_dir", [](auto& c) -> auto& { return c.storage.data_dir; },
                            "Directory for authd's state: the SQLite database (authd.db) and "
                            "the generated JWT secret. Created if missing; a relative path is "
                            "relative to the working directory. Keep it private (mode 0700).",
                            NonEmpty()),
                        {"data-dir"}, {}));
  out.push_back(Secret(
      Aliased(StringOption(
                  "storage.database_url", [](auto& c) -> auto& { return c.storage.database_url; },
                  "Database to use; empty = SQLite file <data_dir>/authd.db. "
                  "sqlite:///abs/path.db picks another SQLite file. "
                  "postgres://user:password@host:5432/db?sslmode=verify-full selects "
                  "PostgreSQL, which several authd processes can share (see "
                  "docs/deployment.md); any libpq parameter may go in the URL, e.g. "
                  "options=-csearch_path%3Dauthd for a schema of its own. "
                  "DATABASE_URL is used when AUTHD_STORAGE_DATABASE_URL is not set. "
                  "Never echoed in errors or logs.",
                  CheckDatabaseUrl),
              {}, {"DATABASE_URL"})));
  out.push_back(IntOption(
      "storage.sqlite_cache_entries",
      [](auto& c) -> auto& { return c.storage.sqlite_cache_entries; }, 0, 10000000,
      "SQLite only: how many sessions, and how many users, authd keeps in "
      "memory so that authenticated requests skip the database (about 2 KiB "
      "each at most). Safe because this process is the file's only authd; "
      "a logout or password change is seen at once, a write by another "
      "program (the sqlite3 CLI) within 0.1 s. 0 = read the database "
      "on every request. PostgreSQL has its own, off by default: "
      "storage.postgres_read_cache_entries."));
  out.push_back(IntOption(
      "storage.postgres_pool_size", [](auto& c) -> auto& { return c.storage.postgres_pool_size; },
      1, 1000,
      "PostgreSQL only: most connections this process opens. Requests "
      "beyond it wait (storage.postgres_acquire_timeout). Keep the sum over "
      "all authd processes below the server's max_connections."));
  out.push_back(DurationOption(
      "storage.postgres_connect_timeout",
      [](auto& c) -> auto& { return c.storage.postgres_connect_timeout_ms; }, 1, 1000,
      "PostgreSQL only: how long one connection attempt may take (libpq "
      "connect_timeout, whole seconds, at least 2 s). While the server is "
      "unreachable requests are answered 503."));
  out.push_back(DurationOption(
      "storage.postgres_acquire_timeout",
      [](auto& c) -> auto& { return c.storage.postgres_acquire_timeout_ms; }, 1, 1,
      "PostgreSQL only: how long a request waits for a free pooled "
      "connection before it is answered 503."));
  out.push_back(DurationOption(
      "storage.postgres_statement_timeout",
      [](auto& c) -> auto& { return c.storage.postgres_statement_timeout_ms; }, 1, 100,
      "PostgreSQL only: server-side limit on one statement "
      "(statement_timeout); a statement cut off is answered 503. Also bounds "
      "how long a dead server can hold a request (TCP user timeout)."));
  out.push_back(IntOption(
      "storage.postgres_read_cache_entries",
      [](auto& c) -> auto& { return c.storage.postgres_read_cache_entries; }, 0, 10000000,
      "PostgreSQL only: how many sessions, and how many users, each authd "
      "keeps in memory for authenticated requests (about 2 KiB each at "
      "most); 0 = off, every request reads the database. Kept valid across "
      "processes by LISTEN/NOTIFY on one extra connection: a logout, "
      "password change or user update committed by any process (another "
      "authd, psql) is seen within 0.1 s, and while that connection is down "
      "requests read the database. Turn it on when /auth/me and "
      "verify-session load on the database matters more than that bound; "
      "see docs/deployment.md."));
}

void AppendSession(std::vector<Option>& out) {
  out.push_back(Secret(StringOption(
      "session.jwt_secret", [](auto& c) -> auto& { return c.session.jwt_secret; },
      "HS256 key of access, refresh and password-reset tokens, and HMAC key "
      "of stored refresh-token hashes. Empty = authd generates a random "
      "secret at first start and keeps it in data_dir. If you set it, use at "
      "least 32 random bytes (openssl rand -base64 48); blank values and "
      "placeholders such as \"secret\" or \"changeme\" are rejected. "
      "Changing it invalidates every issued token. Prefer the environment "
      "or a private file over a flag (flags are visible in ps).",
      CheckJwtSecret)));
  out.push_back(EnumOption(
      "session.access_token_type", [](auto& c) -> auto& { return c.http.token_mode; },
      std::vector<std::pair<std::string, http::TokenMode>>{{"header", http::TokenMode::kHeader},
                                                           {"cookie", http::TokenMode::kCookie},
                                                           {"auto", http::TokenMode::kAuto}},
      "How tokens travel. header: in JSON bodies, sent back as "
      "Authorization: Bearer. cookie: HttpOnly cookies (enable csrf). auto: "
      "per request, cookies iff the request has x-access-token-type: "
      "cookie (the reference's default)."));
  out.push_back(DurationOption(
      "session.access_token_ttl",
      [](auto& c) -> auto& { return c.session.access_token_ttl_seconds; }, 1000, 1000,
      "Lifetime of access tokens (JWT exp, access-cookie Max-Age); whole "
      "seconds, at least 1s. A leaked access token stays valid this long."));
  out.push_back(DurationOption(
      "session.refresh_token_ttl",
      [](auto& c) -> auto& { return c.session.refresh_token_ttl_seconds; }, 1000, 1000,
      "Lifetime of refresh tokens and of the session (JWT exp, session "
      "expiry, refresh-cookie Max-Age); whole seconds, at least 1s."));
  out.push_back(DurationOption(
      "session.refresh_grace", [](auto& c) -> auto& { return c.session.refresh_grace_ms; }, 1, 0,
      "After a refresh-token rotation, presenting the just-replaced token "
      "within this window returns the same new pair instead of revoking the "
      "session (tolerates concurrent refreshes, e.g. two tabs). 0 = the "
      "reference's behaviour: any reuse revokes the session."));
  out.push_back(IntOption(
      "session.max_sessions_per_user",
      [](auto& c) -> auto& { return c.session.max_sessions_per_user; }, 0, 1000000,
      "Sessions a user may hold; creating one more evicts the least recently "
      "active. 0 = unlimited."));
}

void AppendCookiesAndCsrf(std::vector<Option>& out) {
  out.push_back(BoolOption(
      "cookies.secure", [](auto& c) -> auto& { return c.http.cookies.secure; },
      "Secure attribute on token and CSRF cookies. Set true whenever clients "
      "reach authd over HTTPS (any production setup); false (the "
      "reference's default) lets cookies travel over plain HTTP. Required "
      "by same_site = none."));
  out.push_back(EnumOption(
      "cookies.same_site", [](auto& c) -> auto& { return c.http.cookies.same_site; },
      std::vector<std::pair<std::string, http::SameSite>>{{"lax", http::SameSite::kLax},
                                                          {"strict", http::SameSite::kStrict},
                                                          {"none", http::SameSite::kNone}},
      "SameSite attribute of token and CSRF cookies. lax: not sent on "
      "cross-site subrequests and POSTs; strict: not sent on any cross-site "
      "request; none: always sent (needs secure = true and csrf)."));
  out.push_back(StringOption(
      "cookies.domain", [](auto& c) -> auto& { return c.http.cookies.domain; },
      "Domain attribute of token and CSRF cookies, e.g. example.com to share "
      "them with subdomains; empty = host-only cookies (safest).",
      CheckCookieDomain));
  out.push_back(BoolOption(
      "csrf.enabled", [](auto& c) -> auto& { return c.http.csrf.enabled; },
      "Require the double-submit CSRF token (cookie + header) on "
      "state-changing requests authenticated by a token cookie. Enable "
      "whenever tokens may travel in cookies (access_token_type cookie or "
      "auto)."));
  out.push_back(StringOption(
      "csrf.cookie_name", [](auto& c) -> auto& { return c.http.csrf.cookie_name; },
      "Name of the (readable, not HttpOnly) cookie carrying the CSRF token.", Token(false)));
  out.push_back(StringOption(
      "csrf.header_name", [](auto& c) -> auto& { return c.http.csrf.header_name; },
      "Request header that must repeat the CSRF cookie's value; stored "
      "lower-case.",
      Token(true)));
  out.push_back(ListOption(
      "csrf.allowed_origins", [](auto& c) -> auto& { return c.http.csrf.allowed_origins; },
      "If non-empty, CSRF-checked requests whose Origin (or Referer) is not "
      "listed are refused with 403 CSRF_ORIGIN_REJECTED. Items are origins "
      "scheme://host[:port], e.g. https://app.example.com. Empty = no "
      "origin check.",
      CheckOrigin));
}

}  // namespace

void AppendServerOptions(std::vector<Option>& out) {
  AppendAppAndWorkers(out);
  AppendServerLimitsAndRoutes(out);
  AppendStorage(out);
  AppendSession(out);
  AppendCookiesAndCsrf(out);
}

}  // namespace authd::config::internal
