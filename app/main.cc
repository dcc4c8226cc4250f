// authd: composition root. Loads the configuration, opens the store, builds
// the services, registers the routes and serves until SIGINT/SIGTERM.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <vector>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "config/config.h"
#include "config/data_dir.h"
#include "core/clock.h"
#include "crypto/random.h"
#include "courier/composer.h"
#include "courier/events.h"
#include "courier/templates.h"
#include "delivery/curl_handle.h"
#include "delivery/log_transport.h"
#include "delivery/sender.h"
#include "delivery/smtp_transport.h"
#include "delivery/webhook_transport.h"
#include "flows/account_flows.h"
#include "flows/code_sender.h"
#include "flows/mfa_flows.h"
#include "flows/recovery_flows.h"
#include "flows/verification_flows.h"
#include "flows/password_flows.h"
#include "flows/session_flows.h"
#include "flows/session_issuer.h"
#include "http/auth_handlers.h"
#include "http/claims_json.h"
#include "http/fd_limit.h"
#include "http/log_format.h"
#include "http/server.h"
#include "http/token_transport.h"
#include "identity/passwords.h"
#include "otp/otp_codes.h"
#include "session/token_service.h"
#include "store/memory/memory_stores.h"
#include "store/memory/read_cache.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"
#include "store/transfer/sqlite_to_postgres.h"
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
  logger->set_formatter(log.format == "json" ? http::NewJsonLogFormatter()
                                             : http::NewTextLogFormatter());
  logger->set_level(spdlog::level::from_str(log.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The SQLite file the storage options name (when they name no PostgreSQL).
std::string SqlitePathOf(const config::StorageOptions& s) {
  const std::string prefix = "sqlite://";
  if (s.database_url.rfind(prefix, 0) == 0) return s.database_url.substr(prefix.size());
  return (std::filesystem::path(s.data_dir) / "authd.db").string();
}

// A generated secret (the JWT secret, the MFA key) read from, or created
// in, <data dir>/<name> (config/data_dir.h), so it survives restarts. Logs
// where it came from and the file's real mode, warns when the group or
// others may read it; nullopt (logged) when it cannot be had.
std::optional<std::string> DataDirSecret(const config::StorageOptions& storage,
                                         const char* name, const char* what,
                                         const char* hint, crypto::SecureRandom& random) {
  const std::string file = (std::filesystem::path(storage.data_dir) / name).string();
  config::SecretFileOptions options;
  // An empty file was never a usable secret; replacing it is safe as long
  // as no database can hold anything it protected.
  options.replace_empty = !store::IsPostgresUrl(storage.database_url) &&
                          !std::filesystem::exists(SqlitePathOf(storage));
  auto loaded = config::LoadOrCreateSecret(
      file, [&random] { return random.TokenBase64Url(48); }, options);
  if (!loaded.ok()) {
    const core::Error& e = loaded.error();
    spdlog::critical("{}: {}", what, e.debug.empty() ? e.message : e.debug);
    return std::nullopt;
  }
  spdlog::info("{} {} {} (mode {}); {}", what,
               loaded->generated ? "generated and stored in" : "loaded from", file,
               config::FormatMode(loaded->mode), hint);
  if (config::OpenToGroupOrOthers(loaded->mode)) {
    spdlog::warn("{}: {} has mode {}: other local users may read it; run chmod 600 {}", what,
                 file, config::FormatMode(loaded->mode), file);
  }
  return std::move(loaded->secret);
}

// Warns about database files the group or others may read (files authd
// creates are 0600, but a database created by someone else keeps its mode,
// and SQLite gives its -wal/-shm files that mode).
void WarnAboutExposedDatabaseFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = path + suffix;
    std::optional<mode_t> mode = config::FileMode(file);
    if (mode && config::OpenToGroupOrOthers(*mode)) {
      spdlog::warn("storage: {} has mode {}: other local users may read it (password hashes, "
                   "sessions); run chmod 600 {}*", file, config::FormatMode(*mode), path);
    }
  }
}

// The stores authd runs on: the embedded SQLite file (one owner process,
// rate-limit windows in memory) or a PostgreSQL database shared by any
// number of processes (windows in the database, shared by all).
struct Storage {
  // Before `sqlite`, so destroyed after it: its writer thread may call
  // into them until it stops.
  std::unique_ptr<store::CachedUserStore> cached_users;
  std::unique_ptr<store::CachedSessionStore> cached_sessions;
  std::unique_ptr<store::SqliteDatabase> sqlite;
  std::unique_ptr<store::PostgresDatabase> postgres;
  std::unique_ptr<throttle::CounterStore> memory_counters;
  identity::UserStore* users = nullptr;
  session::SessionStore* sessions = nullptr;
  otp::OtpStore* otps = nullptr;
  courier::OutboxStore* outbox = nullptr;
  mfa::MfaStore* mfa = nullptr;
  throttle::CounterStore* counters = nullptr;
  std::string description;  // for the startup line; never a password
  int schema_version = 0;
};

// `url` without credentials or query parameters (which may hold a
// password): scheme://host:port/db.
std::string RedactDatabaseUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "?";
  std::string rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('?'));
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  return url.substr(0, scheme_end) + "://" + rest;
}

// What the SQLite writer calls when another process (the sqlite3 CLI, an
// operator's tool) wrote to the database: the cached rows may be stale.
std::function<void()> ForgetCachedRows(const std::string& path, store::CachedUserStore& users,
                                       store::CachedSessionStore& sessions) {
  return [path, &users, &sessions, logged = false]() mutable {
    users.DropAll();
    sessions.DropAll();
    if (!logged) {
      logged = true;
      spdlog::info("storage: another process wrote to {}; cached users and sessions dropped "
                   "(done at every such write; logged once)", path);
    }
  };
}

core::Result<Storage> OpenStorage(const config::StorageOptions& s) {
  Storage out;
  if (store::IsPostgresUrl(s.database_url)) {
    store::PostgresOptions o;
    o.url = s.database_url;
    o.pool_size = s.postgres_pool_size;
    o.connect_timeout_ms = static_cast<int>(s.postgres_connect_timeout_ms);
    o.acquire_timeout_ms = static_cast<int>(s.postgres_acquire_timeout_ms);
    o.statement_timeout_ms = static_cast<int>(s.postgres_statement_timeout_ms);
    auto db = store::PostgresDatabase::Open(o);
    if (!db.ok()) return db.error();
    out.postgres = std::move(*db);
    store::PostgresDatabase& d = *out.postgres;
    out.users = &d.users();
    out.sessions = &d.sessions();
    out.otps = &d.otps();
    out.outbox = &d.outbox();
    out.mfa = &d.mfa();
    out.counters = &d.counters();
    out.description = "postgres(" + RedactDatabaseUrl(s.database_url) + ")";
    out.schema_version = d.schema_version();
    return out;
  }
  const std::string path = SqlitePathOf(s);
  auto db = store::SqliteDatabase::Open(store::SqliteOptions{path});
  if (!db.ok()) return db.error();
  out.sqlite = std::move(*db);
  store::SqliteDatabase& d = *out.sqlite;
  // The file has one owner (this process): rate-limit windows live here,
  // and a claim left by a previous run that crashed is released at once.
  if (core::Status st = d.outbox().ReleaseClaims(); !st.ok()) return st.error();
  out.memory_counters = store::NewMemoryCounterStore();
  out.users = &d.users();
  out.sessions = &d.sessions();
  // Every write goes through this process, so reads can be cached.
  if (s.sqlite_cache_entries > 0) {
    store::ReadCacheOptions cache;
    cache.max_entries = static_cast<std::size_t>(s.sqlite_cache_entries);
    out.cached_users = store::NewCachedUserStore(d.users(), cache);
    out.cached_sessions = store::NewCachedSessionStore(d.sessions(), cache);
    out.users = out.cached_users.get();
    out.sessions = out.cached_sessions.get();
    d.SetForeignWriteListener(ForgetCachedRows(path, *out.cached_users, *out.cached_sessions));
  }
  out.otps = &d.otps();
  out.outbox = &d.outbox();
  out.mfa = &d.mfa();
  out.counters = out.memory_counters.get();
  out.description = "sqlite:" + path;
  out.schema_version = d.schema_version();
  return out;
}

std::set<std::string> SetOf(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end());
}

// The transports the configuration asks for, and which one serves each
// channel.
struct Delivery {
  std::unique_ptr<courier::Transport> log, smtp, webhook, events;
  delivery::Transports by_channel;
  std::string summary;  // for the startup line
};

Delivery MakeDelivery(const config::Config& cfg, const core::Clock& clock) {
  Delivery d;
  const config::CourierConfig& k = cfg.courier;
  d.log = delivery::NewLogTransport();
  // Only configured transports exist: libcurl is loaded by the first one.
  if (k.email_transport == "smtp") d.smtp = delivery::NewSmtpTransport(k.smtp, clock);
  if (k.email_transport == "webhook" || k.sms_transport == "webhook") {
    d.webhook = delivery::NewWebhookTransport(k.webhook, clock);
  }
  if (!cfg.events.webhook_urls.empty()) {
    courier::WebhookOptions ev;
    ev.secret = cfg.events.webhook_secret;
    ev.timeout_ms = k.webhook.timeout_ms;
    d.events = delivery::NewWebhookTransport(ev, clock);
  }
  auto pick = [&](const std::string& name) -> courier::Transport* {
    if (name == "smtp") return d.smtp.get();
    if (name == "webhook") return d.webhook.get();
    return d.log.get();
  };
  d.by_channel.email = pick(k.email_transport);
  d.by_channel.sms = pick(k.sms_transport);
  d.by_channel.webhook = d.events.get();
  d.summary = "email=" + k.email_transport + " sms=" + k.sms_transport +
              " events=" + std::to_string(cfg.events.webhook_urls.size());
  return d;
}

const char* ModeName(http::TokenMode m) {
  switch (m) {
    case http::TokenMode::kHeader: return "header";
    case http::TokenMode::kCookie: return "cookie";
    case http::TokenMode::kAuto: return "auto";
  }
  return "?";
}

// Loads the configuration into `cfg` (and what to warn about into
// `warnings`). Returns the exit code when the process should stop here
// (--help, --version: 0; a bad option: 2).
std::optional<int> LoadConfig(int argc, char** argv, config::Config& cfg,
                              std::vector<std::string>& warnings) {
  auto loaded = config::Load(argc, argv, Environment());
  if (!loaded.ok()) {
    std::fprintf(stderr, "authd: %s\n(see authd --help)\n", loaded.error().message.c_str());
    return 2;
  }
  if (loaded->outcome == config::LoadOutcome::kExitSuccess) {
    std::fputs(loaded->output.c_str(), stdout);
    return 0;
  }
  cfg = std::move(loaded->config);
  warnings = std::move(loaded->warnings);
  return std::nullopt;
}

// `authd migrate-data --to postgres://... [options]`: copies the SQLite
// database the options name (as authd would open it) into an empty
// PostgreSQL database. Exit 0 on success, 1 on failure, 2 on usage errors.
int MigrateData(int argc, char** argv) {
  std::string to;
  std::vector<char*> rest = {argv[0]};
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--to" && i + 1 < argc) {
      to = argv[++i];
    } else if (a.starts_with("--to=")) {
      to = std::string(a.substr(5));
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!store::IsPostgresUrl(to)) {
    std::fprintf(stderr,
                 "authd migrate-data: --to postgres://user:password@host/db is required\n"
                 "(see authd --help and docs/deployment.md)\n");
    return 2;
  }
  config::Config cfg;
  std::vector<std::string> warnings;
  if (std::optional<int> exit =
          LoadConfig(static_cast<int>(rest.size()), rest.data(), cfg, warnings)) {
    return *exit;
  }
  for (const std::string& w : warnings) std::fprintf(stderr, "authd: config: %s\n", w.c_str());
  const config::StorageOptions& from = cfg.storage;
  if (store::IsPostgresUrl(from.database_url)) {
    std::fprintf(stderr, "authd migrate-data: the source must be SQLite (storage.database_url "
                         "names PostgreSQL)\n");
    return 2;
  }
  const std::string path = SqlitePathOf(from);
  store::PostgresOptions target;
  target.url = to;
  target.connect_timeout_ms = static_cast<int>(from.postgres_connect_timeout_ms);
  // Large tables: one statement per row, but no single one should be cut.
  target.statement_timeout_ms = 600'000;
  std::fprintf(stderr, "authd migrate-data: copying sqlite:%s to %s\n", path.c_str(),
               RedactDatabaseUrl(to).c_str());
  auto report = store::CopySqliteToPostgres(path, target);
  if (!report.ok()) {
    const core::Error& e = report.error();
    // The debug text says more for database errors; the message for ours.
    const std::string& why = e.debug.empty() ? e.message : e.debug;
    std::fprintf(stderr, "authd migrate-data: failed, nothing was written: %s\n", why.c_str());
    return 1;
  }
  for (const auto& [table, rows] : report->tables) {
    std::printf("%-20s %lld rows\n", table.c_str(), static_cast<long long>(rows));
  }
  std::fprintf(stderr,
               "authd migrate-data: done. Start authd with storage.database_url set to the "
               "PostgreSQL URL and the same session.jwt_secret and mfa.encryption_key (the "
               "files jwt-secret and mfa-key of the data dir, if authd generated them).\n");
  return 0;
}

int Run(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "migrate-data") return MigrateData(argc, argv);
  config::Config cfg;
  std::vector<std::string> warnings;
  if (std::optional<int> exit = LoadConfig(argc, argv, cfg, warnings)) return *exit;
  SetUpLogging(cfg.log);
  for (const std::string& w : warnings) spdlog::warn("config: {}", w);
  config::RestrictNewFileModes();  // the data dir, database and secrets: owner-only
  const auto t0 = std::chrono::steady_clock::now();
  // Every connection takes a descriptor: allow all the process may have.
  if (const http::OpenFileLimit files = http::RaiseOpenFileLimit(); !files.error.empty()) {
    spdlog::warn("open files: cannot raise the soft limit {} to the hard limit {}: {}",
                 files.before, files.hard, files.error);
  } else {
    spdlog::info("open files: soft limit {}{}", files.soft,
                 files.soft != files.before
                     ? " (raised from " + std::to_string(files.before) + " to the hard limit)"
                     : std::string(" (the hard limit)"));
  }

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
  const bool jwt_configured = !cfg.session.jwt_secret.empty();
  const bool mfa_key_configured = !cfg.mfa.encryption_key.empty();
  for (auto [value, name, what, hint] :
       {std::tuple{&cfg.session.jwt_secret, "jwt-secret", "jwt secret",
                   "set session.jwt_secret to manage it yourself"},
        std::tuple{&cfg.mfa.encryption_key, "mfa-key", "mfa key",
                   "back it up with the database"}}) {
    if (!value->empty()) continue;  // configured
    std::optional<std::string> secret = DataDirSecret(cfg.storage, name, what, hint, random);
    if (!secret) return 1;
    *value = std::move(*secret);
  }

  auto opened = OpenStorage(cfg.storage);
  if (!opened.ok()) {
    spdlog::critical("cannot open the database: {} {}", opened.error().message,
                     opened.error().debug);
    return 1;
  }
  Storage storage = std::move(*opened);
  if (storage.sqlite) WarnAboutExposedDatabaseFiles(SqlitePathOf(cfg.storage));
  if (storage.postgres && (!jwt_configured || !mfa_key_configured)) {
    spdlog::warn(
        "storage: PostgreSQL with a {} generated into this data dir: every authd process "
        "sharing the database must use the same one (set session.jwt_secret and "
        "mfa.encryption_key, see docs/deployment.md), or tokens issued by one process "
        "are refused by the others",
        !jwt_configured ? "JWT secret" : "MFA key");
  }

  auto templates = courier::Templates::Load(cfg.courier.templates_dir);
  if (!templates.ok()) {
    spdlog::critical("courier.templates_dir: {}", templates.error().message);
    return 2;
  }
  Delivery transports = MakeDelivery(cfg, clock);
  if (transports.smtp || transports.webhook || transports.events) {
    std::string why;
    if (!delivery::CurlAvailable(&why)) {
      spdlog::critical("courier: SMTP/webhook delivery is configured but {}", why);
      return 1;
    }
  }
  for (const auto& [channel, transport] :
       {std::pair{"e-mail", cfg.courier.email_transport},
        std::pair{"SMS", cfg.courier.sms_transport}}) {
    if (transport == "log") {
      spdlog::warn(
          "courier: no {} transport configured; such messages (password reset and "
          "verification codes) are written to this log instead of being delivered "
          "(see courier.email_transport / courier.sms_transport)",
          channel);
    }
  }
  delivery::SenderOptions sender_opts;
  sender_opts.max_attempts = cfg.courier.max_attempts;
  sender_opts.retry_initial_ms = cfg.courier.retry_initial_ms;
  sender_opts.retry_max_ms = cfg.courier.retry_max_ms;
  sender_opts.lease_ms = cfg.courier.lease_ms;
  delivery::Sender sender(sender_opts, *storage.outbox, transports.by_channel, clock,
                          random);
  courier::EventPublisher events(
      {cfg.events.webhook_urls, SetOf(cfg.events.names), SetOf(cfg.events.include_codes)},
      *storage.outbox, random, clock, [&sender] { sender.Wake(); });
  courier::EventPublisher* events_or_null = cfg.events.webhook_urls.empty() ? nullptr : &events;
  courier::Composer composer(*templates, cfg.app_name, random, clock);
  otp::OtpCodes otp_codes(cfg.otp, cfg.session.jwt_secret, random, clock);
  flows::CodeSender code_sender({otp_codes, *storage.otps, composer, events});

  auto codec = http::NewJsonClaimsCodec();
  session::TokenService tokens(cfg.session, *codec, random);
  identity::Passwords passwords(cfg.password, random);
  throttle::RateLimiter limiter(cfg.rate_limit, *storage.counters, clock);
  throttle::Lockout lockout(cfg.lockout, *storage.counters, clock);
  flows::SessionIssuer issuer({*storage.sessions, tokens, clock, random});
  flows::AccountOptions account_opts;
  account_opts.email_enabled = cfg.auth.email_enabled;
  account_opts.phone_enabled = cfg.auth.phone_enabled;
  account_opts.registration_enabled = cfg.auth.registration_enabled;
  flows::MfaFlows mfa_flows(cfg.mfa, cfg.mfa.encryption_key, cfg.app_name,
                            {*storage.users, *storage.mfa, random, clock, events_or_null,
                             &*storage.sessions, &tokens, &code_sender, &limiter, &lockout});
  flows::AccountFlows accounts(account_opts, {*storage.users, passwords, issuer,
                                              limiter, lockout, clock, random,
                                              events_or_null, &mfa_flows});
  flows::SessionFlows sessions(
      {*storage.users, *storage.sessions, tokens, clock, events_or_null});
  flows::PasswordFlows password_flows(
      {*storage.users, *storage.sessions, passwords, lockout, clock, events_or_null, &limiter});
  flows::RecoveryOptions recovery_opts;
  recovery_opts.email_enabled = cfg.auth.email_enabled;
  recovery_opts.phone_enabled = cfg.auth.phone_enabled;
  recovery_opts.reset_token_ttl_seconds = cfg.reset_token_ttl_seconds;
  recovery_opts.reset_url = cfg.courier.reset_url;
  recovery_opts.secret = cfg.session.jwt_secret;
  flows::RecoveryFlows recovery(recovery_opts, {*storage.users, *storage.sessions,
                                                passwords, code_sender, limiter, clock});
  flows::VerificationFlows verification({*storage.users, code_sender, limiter, clock});
  http::TokenTransport transport(cfg.http, cfg.session.access_token_ttl_seconds,
                                 cfg.session.refresh_token_ttl_seconds, clock, random);

  http::Router router;
  http::RegisterAuthRoutes(router, {accounts, sessions, password_flows, recovery,
                                    verification, mfa_flows, transport, limiter, lockout,
                                    /*session_reads_in_memory=*/storage.cached_sessions != nullptr});
  auto server = http::Server::Create(cfg.http, router, cfg.hash_workers);
  if (!server.ok()) {
    spdlog::critical("{} {}", server.error().message, server.error().debug);
    return 1;
  }
  // The unknown-user decoy hash, computed off the startup path.
  std::thread warm([&passwords] { passwords.Warm(); });
  sender.Start();

  (*server)->Run([&] {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    spdlog::info(
        "authd listening on http://{}:{}{} storage={} schema=v{} token_mode={} "
        "csrf={} rate_limit={} lockout={} argon2=m{}/t{}/p{} courier({}) startup_ms={:.1f}",
        cfg.http.host, (*server)->port(), http::BasePath(cfg.http), storage.description,
        storage.schema_version, ModeName(cfg.http.token_mode),
        cfg.http.csrf.enabled ? "on" : "off", cfg.rate_limit.enabled ? "on" : "off",
        cfg.lockout.enabled ? "on" : "off", cfg.password.argon2_memory_kib,
        cfg.password.argon2_time_cost, cfg.password.argon2_parallelism, transports.summary,
        ms.count());
  });
  warm.join();
  sender.Stop();
  spdlog::info("authd stopped");
  return 0;
}

}  // namespace
}  // namespace authd

int main(int argc, char** argv) { return authd::Run(argc, argv); }
