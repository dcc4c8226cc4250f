// The cors options: origin normalisation, "*" rules, defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace authd::config {
namespace {

using test_util::ErrorOf;
using test_util::LoadWith;
using test_util::TempToml;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CorsOptionsTest, OffByDefaultWithCredentialsAndTenMinutes) {
  auto r = LoadWith({});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  const http::CorsOptions& c = r->config.http.cors;
  EXPECT_THAT(c.allowed_origins, IsEmpty());
  EXPECT_TRUE(c.allow_credentials);
  EXPECT_EQ(c.max_age_seconds, 600);
  EXPECT_THAT(c.allowed_headers, IsEmpty());
  EXPECT_THAT(c.exposed_headers, IsEmpty());
}

TEST(CorsOptionsTest, OriginsAreLowerCasedWithoutDefaultPorts) {
  auto r = LoadWith({"--cors-allowed-origins",
                     "HTTPS://App.Example.com:443,http://a.test:80,"
                     "http://127.0.0.1:4210,https://b.test:8443,"
                     "http://[::1]:80"});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  EXPECT_THAT(r->config.http.cors.allowed_origins,
              ElementsAre("https://app.example.com", "http://a.test", "http://127.0.0.1:4210",
                          "https://b.test:8443", "http://[::1]"));
}

TEST(CorsOptionsTest, NonOriginsAreRefused) {
  for (const char* bad : {"app.example.com", "https://app.example.com/", "https://a.test/path",
                          "ftp://a.test", "null", "https://user@a.test", "https://"}) {
    EXPECT_THAT(ErrorOf(LoadWith({"--cors-allowed-origins", bad})),
                HasSubstr("for cors.allowed_origins (flag "
                          "--cors-allowed-origins): item"))
        << bad;
  }
}

TEST(CorsOptionsTest, StarNeedsCredentialsOffAndStandsAlone) {
  EXPECT_EQ(ErrorOf(LoadWith({}, {{"AUTHD_CORS_ALLOWED_ORIGINS", "*"}})),
            "cors.allowed_origins = * (env AUTHD_CORS_ALLOWED_ORIGINS) "
            "requires cors.allow_credentials = false, but it is true "
            "(default): credentials (cookies) are only allowed for listed "
            "origins");
  EXPECT_THAT(ErrorOf(LoadWith({"--cors-allowed-origins", "*,https://a.test",
                                "--cors-allow-credentials", "false"})),
              HasSubstr("lists * with other origins"));
  auto ok = LoadWith({"--cors-allowed-origins", "*", "--cors-allow-credentials", "false"});
  ASSERT_TRUE(ok.ok()) << ErrorOf(ok);
  EXPECT_THAT(ok->config.http.cors.allowed_origins, ElementsAre("*"));
  EXPECT_FALSE(ok->config.http.cors.allow_credentials);
}

TEST(CorsOptionsTest, FromTomlWithMaxAgeAndHeaders) {
  TempToml file(
      "[cors]\n"
      "allowed_origins = [\"https://app.example.com\"]\n"
      "max_age = \"2h\"\n"
      "allowed_headers = [\"x-captcha-token\"]\n"
      "exposed_headers = [\"Retry-After\", \"X-Request-Id\"]\n");
  auto r = LoadWith({"--config", file.path()});
  ASSERT_TRUE(r.ok()) << ErrorOf(r);
  const http::CorsOptions& c = r->config.http.cors;
  EXPECT_EQ(c.max_age_seconds, 7200);
  EXPECT_THAT(c.allowed_headers, ElementsAre("x-captcha-token"));
  EXPECT_THAT(c.exposed_headers, ElementsAre("Retry-After", "X-Request-Id"));
  EXPECT_THAT(ErrorOf(LoadWith({"--cors-max-age", "1500ms"})),
              HasSubstr("whole number of seconds"));
  EXPECT_THAT(ErrorOf(LoadWith({"--cors-allowed-headers", "bad header"})),
              HasSubstr("must be a token"));
}

}  // namespace
}  // namespace authd::config
