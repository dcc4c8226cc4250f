// Config: every option of authd, loaded from (lowest to highest precedence)
// built-in defaults < TOML file < environment < command-line flags.
//
// One table (option_table.h; entries in options_*.cc) describes each option
// once (TOML key, flag, env variable, type, help, setter); defaults come from
// the *Options structs, and --help and docs/configuration.md are generated
// from the table.
// Naming: TOML key `section.key`; flag `--section-key` (dots and underscores
// become dashes); env `AUTHD_SECTION_KEY`. A few aliases exist for
// convenience (--host, --port, --data-dir, PORT, DATABASE_URL).
#ifndef AUTHD_CONFIG_CONFIG_H_
#define AUTHD_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "courier/courier_options.h"
#include "http/http_options.h"
#include "identity/password_options.h"
#include "mfa/mfa_options.h"
#include "otp/otp_options.h"
#include "session/session_options.h"
#include "throttle/throttle_options.h"

namespace authd::config {

struct StorageOptions {
  std::string data_dir = "./data";
  // Empty = SQLite file <data_dir>/authd.db. "sqlite:///abs/path.db" or
  // "postgres://..." select a database explicitly.
  std::string database_url;
  // SQLite only: rows kept by each read cache (store/memory/read_cache.h);
  // 0 = no cache.
  int sqlite_cache_entries = 10000;
  // PostgreSQL only (store/postgres/postgres_database.h).
  int postgres_pool_size = 16;
  std::int64_t postgres_connect_timeout_ms = 5000;
  std::int64_t postgres_acquire_timeout_ms = 5000;
  std::int64_t postgres_statement_timeout_ms = 5000;
  int postgres_read_cache_entries = 0;  // 0 = off
};

struct AuthOptions {
  bool email_enabled = true;         // reference emailAuth.enabled
  bool phone_enabled = false;        // reference phoneAuth.enabled
  bool registration_enabled = true;  // reference registration.enabled
};

// How messages (e-mail, SMS, event webhooks) leave authd.
struct CourierConfig {
  std::string email_transport = "log";  // log | smtp | webhook
  std::string sms_transport = "log";    // log | webhook
  std::string templates_dir;            // override files; "" = built-ins
  std::string reset_url;                // link base in reset e-mails
  int max_attempts = 10;
  long long retry_initial_ms = 1000;
  long long retry_max_ms = 10 * 60 * 1000;
  long long lease_ms = 60 * 1000;
  courier::SmtpOptions smtp;
  courier::WebhookOptions webhook;  // e-mail/SMS through a webhook
};

struct EventsConfig {
  std::vector<std::string> webhook_urls;
  std::string webhook_secret;
  std::vector<std::string> names;          // empty = all
  std::vector<std::string> include_codes;  // events that may carry codes
};

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text or json
};

struct Config {
  std::string app_name = "authd";
  http::HttpOptions http;
  int hash_workers = 0;  // 0 = one per core
  StorageOptions storage;
  session::SessionOptions session;
  identity::PasswordOptions password;
  throttle::LockoutOptions lockout;
  throttle::RateLimitOptions rate_limit;
  AuthOptions auth;
  otp::OtpOptions otp;
  long long reset_token_ttl_seconds = 3600;  // password.reset_token_expires_in
  CourierConfig courier;
  EventsConfig events;
  mfa::MfaOptions mfa;
  LogOptions log;
  std::string config_file;  // the TOML file that was read, if any
};

enum class LoadOutcome { kRun, kExitSuccess };  // kExitSuccess: --help, --version

struct Loaded {
  LoadOutcome outcome = LoadOutcome::kRun;
  Config config;
  std::string output;  // text to print for kExitSuccess (help, version)
  // Non-fatal findings for the caller to log at startup: unknown AUTHD_*
  // environment variables (likely typos), a short jwt_secret, ...
  std::vector<std::string> warnings;
};

// Parses flags `argv` (argv[0] is skipped), environment `env` (NAME ->
// value) and the TOML file named by --config / AUTHD_CONFIG. Errors are
// kInvalidArgument with a message naming the option and the source (file,
// env or flag), e.g.
//   invalid value "abc" for server.port (env AUTHD_SERVER_PORT): expected an
//   integer 0..65535
// Unknown TOML keys and flags are errors; unknown AUTHD_* variables are
// warnings. --help / --version win over any other argument.
core::Result<Loaded> Load(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& env);

// Milliseconds of a duration in the reference's `ms` grammar: "15m", "1h",
// "30d", "500ms", "2 days", "1.5h"; a bare number is milliseconds. Units are
// case-insensitive. Negative values and values over 100 years are errors.
core::Result<long long> ParseDurationMs(const std::string& text);

// Markdown reference of every option (docs/configuration.md body).
std::string OptionsMarkdown();

}  // namespace authd::config

#endif  // AUTHD_CONFIG_CONFIG_H_
