// authd: composition root. Loads the configuration, opens the store, builds
// the services, registers the routes and serves until SIGINT/SIGTERM.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "config/config.h"
#include "core/clock.h"
#include "crypto/random.h"
#include "flows/account_flows.h"
#include "flows/password_flows.h"
#include "flows/session_flows.h"
#include "flows/session_issuer.h"
#include "http/auth_handlers.h"
#include "http/claims_json.h"
#include "http/server.h"
#include "http/token_transport.h"
#include "identity/passwords.h"
#include "session/token_service.h"
#include "store/memory/memory_stores.h"
#include "store/sqlite/sqlite_database.h"
#include "throttle/throttle.h"

extern char** environ;

namespace authd {
namespace {

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

void SetUpLogging(const config::LogOptions& log) {
  auto logger = spdlog::stderr_logger_mt("authd");
  if (log.format == "json") {
    logger->set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(log.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The JWT secret: configured, else read from (or created in) the data dir
// with mode 0600 so tokens survive restarts.
core::Result<std::string> LoadOrCreateSecret(const std::filesystem::path& dir,
                                             crypto::SecureRandom& random,
                                             bool* generated) {
  const std::filesystem::path file = dir / "jwt-secret";
  *generated = false;
  if (std::ifstream in(file); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    return core::InvalidArgument("", "the secret in " + file.string() +
                                         " is shorter than 32 characters");
  }
  std::string secret = random.TokenBase64Url(48);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return core::Internal("cannot create " + file.string());
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return core::Internal("cannot write " + file.string());
  *generated = true;
  return secret;
}

core::Result<std::string> SqlitePath(const config::StorageOptions& s) {
  if (s.database_url.empty()) {
    return (std::filesystem::path(s.data_dir) / "authd.db").string();
  }
  const std::string prefix = "sqlite://";
  if (s.database_url.rfind(prefix, 0) == 0) return s.database_url.substr(prefix.size());
  return core::InvalidArgument(
      "", "storage.database_url: only sqlite:// is supported by this build (got a "
          "different scheme); PostgreSQL support is planned");
}

const char* ModeName(http::TokenMode m) {
  switch (m) {
    case http::TokenMode::kHeader: return "header";
    case http::TokenMode::kCookie: return "cookie";
    case http::TokenMode::kAuto: return "auto";
  }
  return "?";
}

int Run(int argc, char** argv) {
  auto loaded = config::Load(argc, argv, Environment());
  if (!loaded.ok()) {
    std::fprintf(stderr, "authd: %s\n(see authd --help)\n", loaded.error().message.c_str());
    return 2;
  }
  if (loaded->outcome == config::LoadOutcome::kExitSuccess) {
    std::fputs(loaded->output.c_str(), stdout);
    return 0;
  }
  config::Config cfg = std::move(loaded->config);
  SetUpLogging(cfg.log);
  for (const std::string& w : loaded->warnings) spdlog::warn("config: {}", w);
  const auto t0 = std::chrono::steady_clock::now();

  std::error_code ec;
  // The data dir holds the database and the JWT secret: owner-only.
  if (std::filesystem::create_directories(cfg.storage.data_dir, ec) && !ec) {
    std::filesystem::permissions(cfg.storage.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec) {
    spdlog::critical("cannot create data dir {}: {}", cfg.storage.data_dir, ec.message());
    return 1;
  }
  crypto::SecureRandom& random = crypto::OsRandom();
  core::Clock& clock = core::SystemClock();
  if (cfg.session.jwt_secret.empty()) {
    bool generated = false;
    auto secret = LoadOrCreateSecret(cfg.storage.data_dir, random, &generated);
    if (!secret.ok()) {
      spdlog::critical("jwt secret: {}{}", secret.error().message, secret.error().debug);
      return 1;
    }
    cfg.session.jwt_secret = *secret;
    spdlog::info("jwt secret {} {}/jwt-secret (mode 0600); set session.jwt_secret to "
                 "manage it yourself",
                 generated ? "generated and stored in" : "loaded from",
                 cfg.storage.data_dir);
  }

  auto path = SqlitePath(cfg.storage);
  if (!path.ok()) {
    spdlog::critical("{}", path.error().message);
    return 2;
  }
  auto db = store::SqliteDatabase::Open(store::SqliteOptions{*path});
  if (!db.ok()) {
    spdlog::critical("cannot open database {}: {} {}", *path, db.error().message,
                     db.error().debug);
    return 1;
  }
  std::unique_ptr<store::SqliteDatabase> database = std::move(*db);
  std::unique_ptr<throttle::CounterStore> counters = store::NewMemoryCounterStore();

  auto codec = http::NewJsonClaimsCodec();
  session::TokenService tokens(cfg.session, *codec, random);
  identity::Passwords passwords(cfg.password, random);
  throttle::RateLimiter limiter(cfg.rate_limit, *counters, clock);
  throttle::Lockout lockout(cfg.lockout, *counters, clock);
  flows::SessionIssuer issuer({database->sessions(), tokens, clock, random});
  flows::AccountOptions account_opts;
  account_opts.email_enabled = cfg.auth.email_enabled;
  account_opts.phone_enabled = cfg.auth.phone_enabled;
  account_opts.registration_enabled = cfg.auth.registration_enabled;
  flows::AccountFlows accounts(account_opts, {database->users(), passwords, issuer,
                                              limiter, lockout, clock, random});
  flows::SessionFlows sessions({database->users(), database->sessions(), tokens, clock});
  flows::PasswordFlows password_flows(
      {database->users(), database->sessions(), passwords, lockout, clock});
  http::TokenTransport transport(cfg.http, cfg.session.access_token_ttl_seconds,
                                 cfg.session.refresh_token_ttl_seconds, clock, random);

  http::Router router;
  http::RegisterAuthRoutes(router, {accounts, sessions, password_flows, transport});
  auto server = http::Server::Create(cfg.http, router, cfg.hash_workers);
  if (!server.ok()) {
    spdlog::critical("{} {}", server.error().message, server.error().debug);
    return 1;
  }
  // The unknown-user decoy hash, computed off the startup path.
  std::thread warm([&passwords] { passwords.Warm(); });

  (*server)->Run([&] {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    spdlog::info(
        "authd listening on http://{}:{}{} storage=sqlite:{} schema=v{} token_mode={} "
        "csrf={} rate_limit={} lockout={} argon2=m{}/t{}/p{} startup_ms={:.1f}",
        cfg.http.host, (*server)->port(), http::BasePath(cfg.http), *path,
        database->schema_version(), ModeName(cfg.http.token_mode),
        cfg.http.csrf.enabled ? "on" : "off", cfg.rate_limit.enabled ? "on" : "off",
        cfg.lockout.enabled ? "on" : "off", cfg.password.argon2_memory_kib,
        cfg.password.argon2_time_cost, cfg.password.argon2_parallelism, ms.count());
  });
  warm.join();
  spdlog::info("authd stopped");
  return 0;
}

}  // namespace
}  // namespace authd

int main(int argc, char** argv) { return authd::Run(argc, argv); }
