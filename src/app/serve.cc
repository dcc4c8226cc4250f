#include "app/commands.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/command_line.h"
#include "app/data_dir_secrets.h"
#include "app/database.h"
#include "app/services.h"
#include "config/config.h"
#include "config/data_dir.h"
#include "core/clock.h"
#include "courier/templates.h"
#include "crypto/random.h"
#include "delivery/curl_handle.h"
#include "delivery/log_transport.h"
#include "delivery/sender.h"
#include "delivery/smtp_transport.h"
#include "delivery/webhook_transport.h"
#include "http/auth_handlers.h"
#include "http/fd_limit.h"
#include "http/log_format.h"
#include "http/log_sink.h"
#include "http/router.h"
#include "http/server.h"
#include "http/token_transport.h"
#include "store/postgres/postgres_database.h"

namespace authd::app {
namespace {

// Two loggers over one buffered writer on stderr (http/log_sink.h): "authd"
// (lifecycle, errors, the courier's log transport) writes each line before
// the call returns; "http" (the access log and the server's own warnings)
// leaves its lines to the writer's thread, so an I/O thread never waits for
// a write, and drops access lines rather than block when stderr stalls.
void SetUpLogging(const config::LogOptions& log) {
  auto format = [&log] {
    return log.format == "json" ? http::NewJsonLogFormatter() : http::NewTextLogFormatter();
  };
  auto writer = std::make_shared<http::LogWriter>(http::LogWriter::Options{}, format());
  const spdlog::level::level_enum level = spdlog::level::from_str(log.level);
  auto logger = std::make_shared<spdlog::logger>(
      "authd", std::make_shared<http::LogSink>(writer, /*lossy=*/false));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  auto access = std::make_shared<spdlog::logger>(
      "http", std::make_shared<http::LogSink>(writer, /*lossy=*/true));
  access->set_level(level);
  access->flush_on(spdlog::level::warn);
  spdlog::register_logger(access);
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
    case http::TokenMode::kHeader:
      return "header";
    case http::TokenMode::kCookie:
      return "cookie";
    case http::TokenMode::kAuto:
      return "auto";
  }
  return "?";
}

void LogOpenFileLimit() {
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
}

// The data dir holds the database and the JWT secret: owner-only.
bool CreateDataDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec) && !ec) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec) {
    spdlog::critical("cannot create data dir {}: {}", dir, ec.message());
    return false;
  }
  return true;
}

// Fills the secrets the configuration leaves empty from the data dir.
bool ResolveSecrets(config::Config& cfg, crypto::SecureRandom& random) {
  for (auto [value, name, what, hint] :
       {std::tuple{&cfg.session.jwt_secret, "jwt-secret", "jwt secret",
                   "set session.jwt_secret to manage it yourself"},
        std::tuple{&cfg.mfa.encryption_key, "mfa-key", "mfa key",
                   "back it up with the database"}}) {
    if (!value->empty()) continue;  // configured
    std::optional<std::string> secret = DataDirSecret(cfg.storage, name, what, hint, random);
    if (!secret) return false;
    *value = std::move(*secret);
  }
  return true;
}

void WarnAboutLogTransports(const config::CourierConfig& courier) {
  for (const auto& [channel, transport] :
       {std::pair{"e-mail", courier.email_transport}, std::pair{"SMS", courier.sms_transport}}) {
    if (transport == "log") {
      spdlog::warn(
          "courier: no {} transport configured; such messages (password reset and "
          "verification codes) are written to this log instead of being delivered "
          "(see courier.email_transport / courier.sms_transport)",
          channel);
    }
  }
}

}  // namespace

int Serve(int argc, char** argv) {
  config::Config cfg;
  std::vector<std::string> warnings;
  if (std::optional<int> exit = LoadConfig(argc, argv, cfg, warnings)) return *exit;
  SetUpLogging(cfg.log);
  for (const std::string& w : warnings) spdlog::warn("config: {}", w);
  config::RestrictNewFileModes();  // the data dir, database and secrets: owner-only
  const auto t0 = std::chrono::steady_clock::now();
  LogOpenFileLimit();
  if (!CreateDataDir(cfg.storage.data_dir)) return 1;
  crypto::SecureRandom& random = crypto::OsRandom();
  core::Clock& clock = core::SystemClock();
  const bool jwt_configured = !cfg.session.jwt_secret.empty();
  const bool mfa_key_configured = !cfg.mfa.encryption_key.empty();
  if (!ResolveSecrets(cfg, random)) return 1;

  auto opened = OpenDatabase(cfg.storage);
  if (!opened.ok()) {
    spdlog::critical("cannot open the database: {} {}", opened.error().message,
                     opened.error().debug);
    return 1;
  }
  store::Database& db = **opened;
  const bool postgres = store::IsPostgresUrl(cfg.storage.database_url);
  if (!postgres) WarnAboutExposedDatabaseFiles(SqlitePathOf(cfg.storage));
  if (postgres && (!jwt_configured || !mfa_key_configured)) {
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
  WarnAboutLogTransports(cfg.courier);
  delivery::SenderOptions sender_opts;
  sender_opts.max_attempts = cfg.courier.max_attempts;
  sender_opts.retry_initial_ms = cfg.courier.retry_initial_ms;
  sender_opts.retry_max_ms = cfg.courier.retry_max_ms;
  sender_opts.lease_ms = cfg.courier.lease_ms;
  delivery::Sender sender(sender_opts, db.outbox(), transports.by_channel, clock, random);
  Services services({cfg, db, clock, random, *templates, [&sender] { sender.Wake(); }});

  http::Router router;
  services.RegisterRoutes(router);
  auto server = http::Server::Create(cfg.http, router, cfg.hash_workers);
  if (!server.ok()) {
    spdlog::critical("{} {}", server.error().message, server.error().debug);
    return 1;
  }
  // The unknown-user decoy hash, computed once the server listens: on a
  // small machine, hashing beside the startup (its lanes take every core)
  // would delay the first answer by about the hash's own time.
  std::thread warm;
  sender.Start();

  (*server)->Run([&] {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    spdlog::info(
        "authd listening on http://{}:{}{} storage={} schema=v{} token_mode={} "
        "csrf={} rate_limit={} lockout={} argon2=m{}/t{}/p{} courier({}) startup_ms={:.1f}",
        cfg.http.host, (*server)->port(), http::BasePath(cfg.http), db.description(),
        db.schema_version(), ModeName(cfg.http.token_mode), cfg.http.csrf.enabled ? "on" : "off",
        cfg.rate_limit.enabled ? "on" : "off", cfg.lockout.enabled ? "on" : "off",
        cfg.password.argon2_memory_kib, cfg.password.argon2_time_cost,
        cfg.password.argon2_parallelism, transports.summary, ms.count());
    warm = std::thread([&services] { services.passwords.Warm(); });
  });
  if (warm.joinable()) warm.join();
  sender.Stop();
  spdlog::info("authd stopped");
  return 0;
}

}  // namespace authd::app
