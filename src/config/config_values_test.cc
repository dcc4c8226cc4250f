// Value rules of individual options and of option combinations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"
#include "core/ip_address.h"

namespace authd::config {
namespace {

using test_util::ErrorOf;
using test_util::LoadWith;
using test_util::TempToml;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigValuesTest, BooleanSpellings) {
  for (const char* yes : {"true", "TRUE", "1", "yes", "Yes", "on"}) {
    auto r = LoadWith({"--server-trust-proxy", yes});
    ASSERT_TRUE(r.ok()) << yes << ": " << ErrorOf(r);
    EXPECT_TRUE(r->config.http.trust_proxy) << yes;
  }
  for (const char* no : {"false", "False", "0", "no", "off", "OFF"}) {
    auto r = LoadWith({"--lockout-enabled", no});
    ASSERT_TRUE(r.ok()) << no << ": " << ErrorOf(r);
    EXPECT_FALSE(r->config.lockout.enabled) << no;
  }
  for (const char* bad : {"", "y", "2", "enabled", " true"}) {
    EXPECT_THAT(ErrorOf(LoadWith({}, {{"AUTHD_LOCKOUT_ENABLED", bad}})),
                HasSubstr("for lockout.enabled (env AUTHD_LOCKOUT_ENABLED)"))
        << bad;
  }
  TempToml file("[lockout]\nenabled = \"yes\"\n");  // TOML wants a boolean
  EXPECT_THAT(ErrorOf(LoadWith({"--config", file.path()})), HasSubstr("not a TOML string"));
}

TEST(ConfigValuesTest, TrustedProxiesAreAddressesOrRanges) {
  TempToml file("[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\", \"2001:DB8::/32\"]\n");
  auto r = LoadWith({"--config", file.path()});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  ASSERT_EQ(r->config.http.trusted_proxies.size(), 3u);
  EXPECT_TRUE(r->config.http.trusted_proxies[0].Contains(*core::ParseIp("10.1.2.3")));
  EXPECT_EQ(core::FormatNetwork(r->config.http.trusted_proxies[2]), "2001:db8::/32");
  auto env = LoadWith({}, {{"AUTHD_SERVER_TRUSTED_PROXIES", "192.168.0.0/16,::1"}});
  ASSERT_TRUE(env.ok()) << ErrorOf(env);
  EXPECT_EQ(env->config.http.trusted_proxies.size(), 2u);
  for (const char* bad : {"10.0.0.0/33", "localhost", "10.0.0.1/", "1.2.3"}) {
    EXPECT_THAT(ErrorOf(LoadWith({"--server-trusted-proxies", bad})),
                HasSubstr("is not an IP address or CIDR range"))
        << bad;
  }
}

TEST(ConfigValuesTest, TrustProxyHopsNeedTrustProxyAndNoList) {
  auto r = LoadWith({"--server-trust-proxy", "true", "--server-trust-proxy-hops", "2"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.trust_proxy_hops, 2);
  EXPECT_THAT(ErrorOf(LoadWith({"--server-trust-proxy-hops", "2"})),
              HasSubstr("server.trust_proxy_hops (flag --server-trust-proxy-hops) needs"));
  EXPECT_THAT(ErrorOf(LoadWith({"--server-trust-proxy", "true", "--server-trust-proxy-hops", "2",
                                "--server-trusted-proxies", "10.0.0.0/8"})),
              HasSubstr("needs server.trust_proxy = true and no server.trusted_proxies"));
  EXPECT_FALSE(LoadWith({"--server-trust-proxy-hops", "0"}).ok());
}

TEST(ConfigValuesTest, IntegersAreStrict) {
  for (const char* bad : {"", "+1", "1.0", "0x10", " 1", "1 ", "99999999999"}) {
    EXPECT_THAT(ErrorOf(LoadWith({"--server-io-threads=" + std::string(bad)})),
                HasSubstr("for server.io_threads"))
        << bad;
  }
  EXPECT_THAT(ErrorOf(LoadWith({"--password-argon2-parallelism", "65"})),
              HasSubstr("expected an integer 1..64"));
}

TEST(ConfigValuesTest, ListsFromEnvFlagsAndFile) {
  auto r = LoadWith({"--csrf-allowed-origins", "https://A.example.com, http://localhost:3000"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_THAT(r->config.http.csrf.allowed_origins,
              ElementsAre("https://a.example.com", "http://localhost:3000"));
  auto empty = LoadWith({"--password-blocklist="});
  ASSERT_TRUE(empty.ok()) << ErrorOf(empty);
  EXPECT_TRUE(empty->config.password.blocklist.empty());
  EXPECT_THAT(ErrorOf(LoadWith({"--password-blocklist=a,,b"})), HasSubstr("without empty items"));
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-allowed-origins=https://a.com/path"})),
              HasSubstr("is not an origin"));
  TempToml file("[password]\nblocklist = [\"x\", \"\"]\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", file.path()})), HasSubstr("items must not be empty"));
}

TEST(ConfigValuesTest, EnumsAreCaseInsensitiveAndListChoices) {
  auto r = LoadWith({"--session-access-token-type", "Header", "--cookies-same-site", "STRICT",
                     "--log-level", "Debug"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.token_mode, http::TokenMode::kHeader);
  EXPECT_EQ(r->config.http.cookies.same_site, http::SameSite::kStrict);
  EXPECT_EQ(r->config.log.level, "debug");
  EXPECT_EQ(ErrorOf(LoadWith({}, {{"AUTHD_RATE_LIMIT_KEY_BY", "user"}})),
            "invalid value \"user\" for rate_limit.key_by (env "
            "AUTHD_RATE_LIMIT_KEY_BY): expected one of both, ip or identifier");
}

TEST(ConfigValuesTest, RoutePrefixesAreNormalizedAndValidated) {
  auto r = LoadWith({"--server-global-prefix=/api/", "--server-route-prefix=/"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.global_prefix, "api");
  EXPECT_EQ(r->config.http.route_prefix, "");
  EXPECT_THAT(ErrorOf(LoadWith({"--server-route-prefix=auth v2"})),
              HasSubstr("allowed characters are A-Z a-z 0-9 / _ -"));
  EXPECT_THAT(ErrorOf(LoadWith({"--server-route-prefix=a//b"})), HasSubstr("empty path segments"));
}

TEST(ConfigValuesTest, CsrfNamesAndCookieDomain) {
  auto r = LoadWith({"--csrf-header-name", "X-My-CSRF", "--cookies-domain", "Example.COM"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.http.csrf.header_name, "x-my-csrf");
  EXPECT_EQ(r->config.http.cookies.domain, "example.com");
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-cookie-name=a;b"})), HasSubstr("must be a token"));
  EXPECT_THAT(ErrorOf(LoadWith({"--csrf-header-name="})), HasSubstr("must not be empty"));
}

TEST(ConfigValuesTest, SameSiteNoneRequiresSecure) {
  EXPECT_EQ(ErrorOf(LoadWith({}, {{"AUTHD_COOKIES_SAME_SITE", "none"}})),
            "cookies.same_site = none (env AUTHD_COOKIES_SAME_SITE) requires "
            "cookies.secure = true, but it is false (default): browsers "
            "reject SameSite=None cookies without Secure");
  auto ok = LoadWith({"--cookies-same-site=none", "--cookies-secure=on"});
  ASSERT_TRUE(ok.ok()) << ErrorOf(ok);
  EXPECT_EQ(ok->config.http.cookies.same_site, http::SameSite::kNone);
  EXPECT_TRUE(ok->config.http.cookies.secure);
}

TEST(ConfigValuesTest, WeakOrBlankJwtSecretsAreRejectedWithoutEchoing) {
  for (const char* weak : {"secret", "change-me", "changeme", "default", "jwt-secret",
                           "your-secret", "password", "  Secret ", "CHANGEME"}) {
    const std::string error = ErrorOf(LoadWith({}, {{"AUTHD_SESSION_JWT_SECRET", weak}}));
    EXPECT_THAT(error, HasSubstr("invalid value for session.jwt_secret (env "
                                 "AUTHD_SESSION_JWT_SECRET): is a "
                                 "well-known placeholder"))
        << weak;
  }
  EXPECT_THAT(ErrorOf(LoadWith({"--session-jwt-secret", " \t"})), HasSubstr("must not be blank"));
  TempToml file("[session]\njwt_secret = \"\"\n");
  EXPECT_THAT(ErrorOf(LoadWith({"--config", file.path()})), HasSubstr("must not be blank"));
  EXPECT_THAT(ErrorOf(LoadWith({"--storage-database-url=mysql://u:pw@h/db"})),
              Not(HasSubstr("pw")));

  const std::string strong(40, 'k');
  auto r = LoadWith({"--session-jwt-secret", strong});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.session.jwt_secret, strong);
  EXPECT_TRUE(r->warnings.empty());
  auto short_secret = LoadWith({"--session-jwt-secret", "short-but-not-weak"});
  ASSERT_TRUE(short_secret.ok()) << ErrorOf(short_secret);
  EXPECT_THAT(short_secret->warnings, ElementsAre(HasSubstr("shorter than 32 characters")));
}

TEST(ConfigValuesTest, TokenLifetimesAreWholeSecondsOfAtLeastOne) {
  auto r = LoadWith({"--session-access-token-ttl", "2h", "--session-refresh-token-ttl", "90000"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_EQ(r->config.session.access_token_ttl_seconds, 7200);
  EXPECT_EQ(r->config.session.refresh_token_ttl_seconds, 90);
  EXPECT_THAT(ErrorOf(LoadWith({"--session-access-token-ttl=1500ms"})),
              HasSubstr("must be a whole number of seconds"));
  EXPECT_THAT(ErrorOf(LoadWith({"--session-access-token-ttl=0"})),
              HasSubstr("must be at least 1s"));
  auto grace = LoadWith({"--session-refresh-grace=0"});
  ASSERT_TRUE(grace.ok()) << ErrorOf(grace);
  EXPECT_EQ(grace->config.session.refresh_grace_ms, 0);
}

TEST(ConfigValuesTest, PasswordCombinations) {
  EXPECT_EQ(
      ErrorOf(LoadWith({"--password-argon2-memory-kib=64", "--password-argon2-parallelism=16"})),
      "password.argon2_memory_kib = 64 (flag "
      "--password-argon2-memory-kib) must be at least 8 x "
      "password.argon2_parallelism = 128 (flag "
      "--password-argon2-parallelism)");
  EXPECT_THAT(ErrorOf(LoadWith({"--password-min-length=200"})),
              HasSubstr("password.min_length = 200 (flag "
                        "--password-min-length) exceeds password.max_length "
                        "= 128 (default)"));
}

TEST(ConfigValuesTest, CookieModeWithoutCsrfWarns) {
  auto r = LoadWith({"--session-access-token-type=cookie"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_THAT(r->warnings, ElementsAre(HasSubstr("without csrf.enabled")));
}

}  // namespace
}  // namespace authd::config
