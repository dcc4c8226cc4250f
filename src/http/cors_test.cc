#include "http/cors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace authd::http {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr const char* kApp = "http://127.0.0.1:4210";
constexpr const char* kClientHeaders =
    "Content-Type,Authorization,x-access-token-type,x-csrf-token,"
    "nest_auth_device_trust,X-Request-Id";

Cors Make(std::vector<std::string> origins, bool credentials = true) {
  CorsOptions o;
  o.allowed_origins = std::move(origins);
  o.allow_credentials = credentials;
  return Cors(o, "x-csrf-token");
}

Request Req(std::string method, Headers headers) {
  Request r;
  r.method = std::move(method);
  r.path = "/auth/login";
  r.headers = std::move(headers);
  return r;
}

Request PreflightFrom(const std::string& origin) {
  return Req("OPTIONS", {{"origin", origin},
                         {"access-control-request-method", "POST"},
                         {"access-control-request-headers", "content-type,x-access-token-type"}});
}

TEST(CorsTest, PreflightFromAnAllowedOrigin) {
  const Cors cors = Make({"https://other.test", kApp});
  std::optional<Response> r = cors.Preflight(PreflightFrom(kApp));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  EXPECT_THAT(r->headers,
              ElementsAre(Pair("Vary", "Origin"), Pair("Access-Control-Allow-Origin", kApp),
                          Pair("Access-Control-Allow-Credentials", "true"),
                          Pair("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE"),
                          Pair("Access-Control-Allow-Headers", kClientHeaders),
                          Pair("Access-Control-Max-Age", "600")));
}

TEST(CorsTest, PreflightFromAnotherOriginGetsNoCorsHeaders) {
  const Cors cors = Make({kApp});
  for (const char* origin : {"http://127.0.0.1:4211", "http://evil.test", "HTTP://127.0.0.1:4210",
                             "null", "http://127.0.0.1:4210/"}) {
    std::optional<Response> r = cors.Preflight(PreflightFrom(origin));
    ASSERT_TRUE(r.has_value()) << origin;
    EXPECT_EQ(r->status, 204) << origin;
    EXPECT_THAT(r->headers, ElementsAre(Pair("Vary", "Origin"))) << origin;
  }
}

TEST(CorsTest, OnlyRealPreflightsAreAnsweredBeforeRouting) {
  const Cors cors = Make({kApp});
  // OPTIONS without Origin or without Access-Control-Request-Method, and
  // other methods, go to the router as before.
  EXPECT_FALSE(cors.Preflight(Req("OPTIONS", {{"origin", kApp}})));
  EXPECT_FALSE(cors.Preflight(Req("OPTIONS", {{"access-control-request-method", "POST"}})));
  EXPECT_FALSE(
      cors.Preflight(Req("POST", {{"origin", kApp}, {"access-control-request-method", "POST"}})));
  EXPECT_FALSE(cors.Preflight(Req("GET", {})));
}

TEST(CorsTest, ActualRequestFromAnAllowedOrigin) {
  CorsOptions o;
  o.allowed_origins = {kApp};
  o.exposed_headers = {"Retry-After", "X-Request-Id"};
  const Cors cors(o, "x-csrf-token");
  Response r;
  r.AddHeader("Set-Cookie", "a=b");
  cors.Decorate(Req("POST", {{"origin", kApp}}), r);
  EXPECT_THAT(r.headers,
              ElementsAre(Pair("Set-Cookie", "a=b"), Pair("Vary", "Origin"),
                          Pair("Access-Control-Allow-Origin", kApp),
                          Pair("Access-Control-Allow-Credentials", "true"),
                          Pair("Access-Control-Expose-Headers", "Retry-After,X-Request-Id")));
}

TEST(CorsTest, ActualRequestsWithoutAnAllowedOriginOnlyVary) {
  const Cors cors = Make({kApp});
  for (const Request& req : {Req("GET", {}), Req("GET", {{"origin", "http://evil.test"}}),
                             Req("GET", {{"origin", ""}})}) {
    Response r;
    cors.Decorate(req, r);
    EXPECT_THAT(r.headers, ElementsAre(Pair("Vary", "Origin")));
  }
}

TEST(CorsTest, StarWithoutCredentials) {
  const Cors cors = Make({"*"}, /*credentials=*/false);
  std::optional<Response> p = cors.Preflight(PreflightFrom("http://any.test"));
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->headers,
              ElementsAre(Pair("Access-Control-Allow-Origin", "*"),
                          Pair("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE"),
                          Pair("Access-Control-Allow-Headers", kClientHeaders),
                          Pair("Access-Control-Max-Age", "600")));
  Response r;
  cors.Decorate(Req("GET", {{"origin", "null"}}), r);
  EXPECT_THAT(r.headers, ElementsAre(Pair("Access-Control-Allow-Origin", "*")));
  Response none;
  cors.Decorate(Req("GET", {}), none);  // not a CORS request
  EXPECT_THAT(none.headers, IsEmpty());
}

TEST(CorsTest, CredentialsOffAndNoMaxAge) {
  CorsOptions o;
  o.allowed_origins = {kApp};
  o.allow_credentials = false;
  o.max_age_seconds = 0;
  const Cors cors(o, "x-csrf-token");
  std::optional<Response> p = cors.Preflight(PreflightFrom(kApp));
  ASSERT_TRUE(p.has_value());
  for (const auto& [name, value] : p->headers) {
    EXPECT_NE(name, "Access-Control-Allow-Credentials");
    EXPECT_NE(name, "Access-Control-Max-Age");
  }
}

TEST(CorsTest, AllowedHeadersFollowTheConfiguration) {
  CorsOptions o;
  o.allowed_origins = {kApp};
  o.allowed_headers = {"x-captcha-token", "AUTHORIZATION", "X-My-Csrf"};
  const Cors cors(o, "x-my-csrf");
  std::optional<Response> p = cors.Preflight(PreflightFrom(kApp));
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->headers,
              testing::Contains(Pair("Access-Control-Allow-Headers",
                                     "Content-Type,Authorization,x-access-token-type,x-my-csrf,"
                                     "nest_auth_device_trust,X-Request-Id,x-captcha-token")));
}

TEST(CorsTest, DisabledWithoutOrigins) {
  const Cors cors = Make({});
  EXPECT_FALSE(cors.enabled());
  EXPECT_FALSE(cors.Preflight(PreflightFrom(kApp)));
  Response r;
  cors.Decorate(Req("GET", {{"origin", kApp}}), r);
  EXPECT_THAT(r.headers, IsEmpty());
}

}  // namespace
}  // namespace authd::http
