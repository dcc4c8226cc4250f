// Load(): defaults, each source alone, precedence, aliases, and errors for
// unknown or invalid input from each source.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace authd::config {
namespace {

using test_util::Env;
using test_util::ErrorOf;
using test_util::LoadWith;
using test_util::TempToml;
using ::testing::HasSubstr;

TEST(ConfigTest, DefaultsMatchTheDocumentedValues) {
  auto r = LoadWith({});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->outcome, LoadOutcome::kRun);
  const Config& c = r->config;
  EXPECT_EQ(c.app_name, "authd");
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.http.port, 3000);
  EXPECT_EQ(c.http.io_threads, 0);
  EXPECT_EQ(c.http.blocking_workers, 0);
  EXPECT_EQ(c.hash_workers, 0);
  EXPECT_EQ(c.http.max_header_bytes, 16384u);
  EXPECT_EQ(c.http.max_body_bytes, 102400u);
  EXPECT_EQ(c.http.read_timeout_ms, 30000);
  EXPECT_EQ(c.http.idle_timeout_ms, 5000);
  EXPECT_EQ(c.http.shutdown_grace_ms, 10000);
  EXPECT_FALSE(c.http.trust_proxy);
  EXPECT_EQ(c.http.global_prefix, "");
  EXPECT_EQ(c.http.route_prefix, "auth");
  EXPECT_EQ(c.storage.data_dir, "./data");
  EXPECT_EQ(c.storage.database_url, "");
  EXPECT_EQ(c.session.jwt_secret, "");
  EXPECT_EQ(c.http.token_mode, http::TokenMode::kAuto);
  EXPECT_EQ(c.session.access_token_ttl_seconds, 3600);
  EXPECT_EQ(c.session.refresh_token_ttl_seconds, 30 * 86400);
  EXPECT_EQ(c.session.refresh_grace_ms, 10000);
  EXPECT_EQ(c.session.max_sessions_per_user, 10);
  EXPECT_FALSE(c.http.cookies.secure);
  EXPECT_EQ(c.http.cookies.same_site, http::SameSite::kLax);
  EXPECT_FALSE(c.http.csrf.enabled);
  EXPECT_EQ(c.http.csrf.cookie_name, "nest_auth_csrf");
  EXPECT_EQ(c.http.csrf.header_name, "x-csrf-token");
  EXPECT_TRUE(c.http.csrf.allowed_origins.empty());
  EXPECT_EQ(c.password.argon2_memory_kib, 65536u);
  EXPECT_EQ(c.password.argon2_time_cost, 3u);
  EXPECT_EQ(c.password.argon2_parallelism, 4u);
  EXPECT_TRUE(c.password.policy_enabled);
  EXPECT_EQ(c.password.min_length, 8);
  EXPECT_EQ(c.password.max_length, 128);
  EXPECT_TRUE(c.lockout.enabled);
  EXPECT_EQ(c.lockout.max_failed_attempts, 10);
  EXPECT_EQ(c.lockout.window_ms, 15 * 60000);
  EXPECT_EQ(c.lockout.lock_duration_ms, 15 * 60000);
  EXPECT_TRUE(c.rate_limit.enabled);
  EXPECT_EQ(c.rate_limit.key_by, throttle::KeyBy::kBoth);
  EXPECT_EQ(c.rate_limit.forgot_password.max, 3);
  EXPECT_EQ(c.rate_limit.forgot_password.window_ms, 60000);
  EXPECT_TRUE(c.auth.email_enabled);
  EXPECT_FALSE(c.auth.phone_enabled);
  EXPECT_TRUE(c.auth.registration_enabled);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
  EXPECT_EQ(c.config_file, "");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ConfigTest, TomlFileAlone) {
  TempToml file(R"(
[app]
name = "acme"
[server]
port = 8080
read_timeout = 2500          # integer = milliseconds
idle_timeout = "1 min"
route_prefix = "/v1/auth/"
[session]
access_token_ttl = "15m"
access_token_type = "cookie"
[csrf]
enabled = true
allowed_origins = ["https://app.example.com", "http://localhost:5173"]
[rate_limit]
login = "10/30s"
key_by = "ip"
)");
  auto r = LoadWith({"--config", file.path()});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  const Config& c = r->config;
  EXPECT_EQ(c.config_file, file.path());
  EXPECT_EQ(c.app_name, "acme");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.http.read_timeout_ms, 2500);
  EXPECT_EQ(c.http.idle_timeout_ms, 60000);
  EXPECT_EQ(c.http.route_prefix, "v1/auth");
  EXPECT_EQ(c.session.access_token_ttl_seconds, 900);
  EXPECT_EQ(c.http.token_mode, http::TokenMode::kCookie);
  EXPECT_TRUE(c.http.csrf.enabled);
  EXPECT_THAT(c.http.csrf.allowed_origins,
              ::testing::ElementsAre("https://app.example.com", "http://localhost:5173"));
  EXPECT_EQ(c.rate_limit.login.max, 10);
  EXPECT_EQ(c.rate_limit.login.window_ms, 30000);
  EXPECT_EQ(c.rate_limit.key_by, throttle::KeyBy::kIp);
}

TEST(ConfigTest, EnvironmentAlone) {
  auto r = LoadWith({}, {{"AUTHD_SERVER_PORT", "4000"},
                         {"AUTHD_SERVER_TRUST_PROXY", "yes"},
                         {"AUTHD_LOCKOUT_WINDOW", "2h"},
                         {"AUTHD_PASSWORD_BLOCKLIST", "hunter2, letmein"},
                         {"AUTHD_LOG_FORMAT", "json"},
                         {"HOME", "/root"}});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.port, 4000);
  EXPECT_TRUE(r->config.http.trust_proxy);
  EXPECT_EQ(r->config.lockout.window_ms, 2 * 3600000);
  EXPECT_THAT(r->config.password.blocklist, ::testing::ElementsAre("hunter2", "letmein"));
  EXPECT_EQ(r->config.log.format, "json");
}

TEST(ConfigTest, FlagsAloneInBothForms) {
  auto r = LoadWith({"--server-port", "5000", "--csrf-enabled=true", "--session-refresh-token-ttl",
                     "7 days", "--rate-limit-mfa-verify=3/5m", "--app-name=--dashes"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.port, 5000);
  EXPECT_TRUE(r->config.http.csrf.enabled);
  EXPECT_EQ(r->config.session.refresh_token_ttl_seconds, 7 * 86400);
  EXPECT_EQ(r->config.rate_limit.mfa_verify.max, 3);
  EXPECT_EQ(r->config.rate_limit.mfa_verify.window_ms, 300000);
  EXPECT_EQ(r->config.app_name, "--dashes");
}

TEST(ConfigTest, ConfigPathFromEnvAndFlagOverride) {
  TempToml a("[server]\nport = 1111\n");
  TempToml b("[server]\nport = 2222\n");
  auto from_env = LoadWith({}, {{"AUTHD_CONFIG", a.path()}});
  ASSERT_TRUE(from_env.ok()) << ErrorOf(from_env);
  EXPECT_EQ(from_env->config.http.port, 1111);
  EXPECT_EQ(from_env->config.config_file, a.path());
  auto from_flag = LoadWith({"--config=" + b.path()}, {{"AUTHD_CONFIG", a.path()}});
  ASSERT_TRUE(from_flag.ok()) << ErrorOf(from_flag);
  EXPECT_EQ(from_flag->config.http.port, 2222);
}

TEST(ConfigTest, PrecedenceFileThenEnvThenFlag) {
  TempToml file("[server]\nport = 1001\n");
  const std::vector<std::string> with_file = {"--config", file.path()};
  auto f = LoadWith(with_file);
  ASSERT_TRUE(f.ok()) << ErrorOf(f);
  EXPECT_EQ(f->config.http.port, 1001);

  auto fe = LoadWith(with_file, {{"AUTHD_SERVER_PORT", "1002"}});
  ASSERT_TRUE(fe.ok()) << ErrorOf(fe);
  EXPECT_EQ(fe->config.http.port, 1002);

  std::vector<std::string> args = with_file;
  args.insert(args.end(), {"--server-port", "1003"});
  auto fef = LoadWith(args, {{"AUTHD_SERVER_PORT", "1002"}});
  ASSERT_TRUE(fef.ok()) << ErrorOf(fef);
  EXPECT_EQ(fef->config.http.port, 1003);
}

TEST(ConfigTest, RepeatedFlagLastWins) {
  auto r = LoadWith({"--server-port", "1", "--server-port", "2"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.port, 2);
}

TEST(ConfigTest, EnvAliasesLoseToCanonicalNames) {
  auto port = LoadWith({}, {{"PORT", "8081"}});
  ASSERT_TRUE(port.ok()) << ErrorOf(port);
  EXPECT_EQ(port->config.http.port, 8081);
  auto both = LoadWith({}, {{"PORT", "8081"}, {"AUTHD_SERVER_PORT", "8082"}});
  ASSERT_TRUE(both.ok()) << ErrorOf(both);
  EXPECT_EQ(both->config.http.port, 8082);

  auto db = LoadWith({}, {{"DATABASE_URL", "sqlite:///a.db"}});
  ASSERT_TRUE(db.ok()) << ErrorOf(db);
  EXPECT_EQ(db->config.storage.database_url, "sqlite:///a.db");
  auto db2 = LoadWith(
      {}, {{"DATABASE_URL", "sqlite:///a.db"}, {"AUTHD_STORAGE_DATABASE_URL", "sqlite:///b.db"}});
  ASSERT_TRUE(db2.ok()) << ErrorOf(db2);
  EXPECT_EQ(db2->config.storage.database_url, "sqlite:///b.db");

  // An env alias still beats the file.
  TempToml file("[server]\nport = 1\n");
  auto over_file = LoadWith({"--config", file.path()}, {{"PORT", "2"}});
  ASSERT_TRUE(over_file.ok()) << ErrorOf(over_file);
  EXPECT_EQ(over_file->config.http.port, 2);
}

TEST(ConfigTest, FlagAliasesWorkAndLoseToCanonicalFlags) {
  auto r = LoadWith({"--host", "0.0.0.0", "--port", "9", "--data-dir", "/d"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.host, "0.0.0.0");
  EXPECT_EQ(r->config.http.port, 9);
  EXPECT_EQ(r->config.storage.data_dir, "/d");

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--port", "1", "--server-port", "2"}, {"--server-port", "2", "--port", "1"}}) {
    auto both = LoadWith(args);
    ASSERT_TRUE(both.ok()) << ErrorOf(both);
    EXPECT_EQ(both->config.http.port, 2);
  }
  // Any flag, alias or not, beats the environment.
  auto over_env = LoadWith({"--port", "7"}, {{"AUTHD_SERVER_PORT", "8"}});
  ASSERT_TRUE(over_env.ok()) << ErrorOf(over_env);
  EXPECT_EQ(over_env->config.http.port, 7);
}

TEST(ConfigTest, InvalidEnvValueNamesOptionAndSource) {
  auto r = LoadWith({}, {{"AUTHD_SERVER_PORT", "abc"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().category, core::ErrorCategory::kInvalidArgument);
  EXPECT_EQ(r.error().message,
            "invalid value \"abc\" for server.port (env AUTHD_SERVER_PORT): "
            "expected an integer 0..65535");
  EXPECT_THAT(ErrorOf(LoadWith({}, {{"PORT", "70000"}})), HasSubstr("for server.port (env PORT)"));
}

TEST(ConfigTest, InvalidFlagValueNamesOptionAndFlag) {
  EXPECT_EQ(ErrorOf(LoadWith({"--port", "-1"})),
            "invalid value \"-1\" for server.port (flag --port): expected an "
            "integer 0..65535");
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-enabled=maybe"})),
              HasSubstr("invalid value \"maybe\" for csrf.enabled (flag "
                        "--csrf-enabled): expected a boolean"));
}

TEST(ConfigTest, InvalidFileValueNamesOptionFileAndLine) {
  TempToml file("[server]\n\nport = 70000\n");
  EXPECT_EQ(ErrorOf(LoadWith({"--config", file.path()})),
            "invalid value 70000 for server.port (file " + file.path() +
                ":3): expected an integer 0..65535");
  TempToml quoted("[server]\nport = \"3000\"\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", quoted.path()})),
              HasSubstr("expected an integer 0..65535, not a TOML string"));
  TempToml list("[csrf]\nallowed_origins = [1]\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", list.path()})), HasSubstr("for csrf.allowed_origins"));
}

TEST(ConfigTest, UnknownTomlKeysAndSectionsAreErrors) {
  TempToml typo("[server]\nprot = 1\n");
  EXPECT_THAT(
      ErrorOf(LoadWith({"--config", typo.path()})),
      HasSubstr("unknown option server.prot in " + typo.path() + ":2 (did you mean server.port?)"));
  TempToml section("[sever]\nport = 1\n");
  EXPECT_THAT(
      ErrorOf(LoadWith({"--config", section.path()})),
      HasSubstr("unknown section [sever] in " + section.path() + ":1 (did you mean [server]?)"));
  TempToml top("port = 1\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", top.path()})),
              HasSubstr("(did you mean server.port?)"));
  TempToml nested("[server.tls]\ncert = \"x\"\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", nested.path()})),
              HasSubstr("unknown option server.tls"));
}

TEST(ConfigTest, BrokenOrMissingFileIsAnError) {
  TempToml broken("[server\nport = 1\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", broken.path()})),
              HasSubstr("config file " + broken.path() + ":1:"));
  EXPECT_THAT(ErrorOf(LoadWith({"--config", "/nonexistent/authd.toml"})),
              HasSubstr("/nonexistent/authd.toml does not exist"));
  EXPECT_THAT(ErrorOf(LoadWith({"--config="})), HasSubstr("needs a file"));
}

TEST(ConfigTest, UnknownFlagsAndMalformedArgumentsAreErrors) {
  EXPECT_EQ(ErrorOf(LoadWith({"--server-prot", "1"})),
            "unknown flag --server-prot (did you mean --server-port?); see "
            "--help");
  EXPECT_THAT(ErrorOf(LoadWith({"--frobnicate=1"})), HasSubstr("unknown flag --frobnicate;"));
  EXPECT_THAT(ErrorOf(LoadWith({"serve"})), HasSubstr("unexpected argument \"serve\""));
  EXPECT_THAT(ErrorOf(LoadWith({"-p", "1"})), HasSubstr("unexpected argument"));
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-enabled"})),
              HasSubstr("flag --csrf-enabled needs a value"));
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-enabled", "--port", "1"})),
              HasSubstr("flag --csrf-enabled needs a value"));
}

TEST(ConfigTest, UnknownAuthdEnvVarsAreWarnings) {
  auto r = LoadWith({}, {{"AUTHD_SERVER_PROT", "1"}, {"PATH", "/bin"}});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "ignoring unknown environment variable AUTHD_SERVER_PROT (did "
            "you mean AUTHD_SERVER_PORT?)");
}

}  // namespace
}  // namespace authd::config
