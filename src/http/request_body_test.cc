#include "http/request_body.h"

#include <gtest/gtest.h>

#include "http/error_mapping.h"

namespace authd::http {
namespace {

Request JsonRequest(std::string body) {
  Request r;
  r.method = "POST";
  r.headers.push_back({"content-type", "application/json"});
  r.body = std::move(body);
  return r;
}

TEST(ParseJsonBody, MalformedJsonIsA400InTheFrameworkShape) {
  auto r = ParseJsonBody(JsonRequest(R"({"email":)"));
  ASSERT_TRUE(std::holds_alternative<Response>(r));
  const Response& resp = std::get<Response>(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body,
            R"({"message":"Unexpected end of JSON input","error":"Bad Request","statusCode":400})");
}

TEST(ParseJsonBody, RejectsNonObjectsDeepNestingAndBadUtf8) {
  for (std::string body : {std::string("[1,2]"), std::string("\"x\""), std::string("42"),
                           std::string(100, '[') + std::string(100, ']'),
                           std::string("{\"a\":\"\xff\"}"), std::string("{\"a\":1}x")}) {
    auto r = ParseJsonBody(JsonRequest(body));
    ASSERT_TRUE(std::holds_alternative<Response>(r)) << body;
    EXPECT_EQ(std::get<Response>(r).status, 400) << body;
  }
}

TEST(ParseJsonBody, EmptyOrNonJsonBodiesReadAsEmptyObjects) {
  auto empty = ParseJsonBody(JsonRequest(""));
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(empty));
  Request text;
  text.body = "email=x";
  auto t = ParseJsonBody(text);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(t));
  EXPECT_TRUE(std::get<boost::json::object>(t).empty());
}

Request Typed(std::string content_type, std::string body) {
  Request r;
  r.method = "POST";
  r.headers.push_back({"content-type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

TEST(ParseJsonBody, OnlyTheApplicationJsonMediaTypeIsParsed) {
  const std::string login = R"({"email":"a@b.co"})";
  // CORS-safelisted types that merely mention JSON read as empty bodies.
  for (const char* type : {"text/plain; x=application/json", "text/plain;application/json",
                           "application/x-www-form-urlencoded; x=+json", "application/vnd.api+json",
                           "application/jsonx"}) {
    auto r = ParseJsonBody(Typed(type, login));
    ASSERT_TRUE(std::holds_alternative<boost::json::object>(r)) << type;
    EXPECT_TRUE(std::get<boost::json::object>(r).empty()) << type;
  }
  for (const char* type : {"application/json", "Application/Json ; charset=UTF-8",
                           "application/json;charset=\"utf-8\""}) {
    auto r = ParseJsonBody(Typed(type, login));
    ASSERT_TRUE(std::holds_alternative<boost::json::object>(r)) << type;
    EXPECT_EQ(std::get<boost::json::object>(r).size(), 1u) << type;
  }
}

TEST(ParseJsonBody, OtherCharsetsAre415InNestsHttpErrorShape) {
  auto r = ParseJsonBody(Typed("application/json; charset=latin1", "{}"));
  ASSERT_TRUE(std::holds_alternative<Response>(r));
  EXPECT_EQ(std::get<Response>(r).status, 415);
  EXPECT_EQ(std::get<Response>(r).body,
            R"({"statusCode":415,"message":"unsupported charset \"LATIN1\""})");
  auto utf16 = ParseJsonBody(Typed("application/json; charset=utf-16", ""));
  ASSERT_TRUE(std::holds_alternative<Response>(utf16));
  EXPECT_EQ(std::get<Response>(utf16).status, 415);
  // Bytes that are not printable ASCII never reach the body.
  auto odd = ParseJsonBody(Typed("application/json; charset=l\xff\x01", ""));
  ASSERT_TRUE(std::holds_alternative<Response>(odd));
  EXPECT_EQ(
      std::get<Response>(odd).body,
      "{\"statusCode\":415,\"message\":\"unsupported charset \\\"L\xEF\xBF\xBD\xEF\xBF\xBD\\\"\"}");
  // Not JSON at all: the charset does not matter.
  EXPECT_TRUE(std::holds_alternative<boost::json::object>(
      ParseJsonBody(Typed("text/plain; charset=latin1", "{}"))));
}

TEST(Fields, TypeErrorsUseClassValidatorMessages) {
  auto r = ParseJsonBody(JsonRequest(R"({"email":123,"rememberMe":"yes"})"));
  const auto& o = std::get<boost::json::object>(r);
  std::optional<std::string> error;
  EXPECT_FALSE(StringField(o, "email", &error).has_value());
  EXPECT_EQ(*error, "email must be a string");
  std::optional<std::string> error2;
  EXPECT_FALSE(BoolField(o, "rememberMe", &error2).has_value());
  EXPECT_EQ(*error2, "rememberMe must be a boolean value");
}

TEST(ErrorMapping, FilteredRawAndRateLimitedShapes) {
  Response coded =
      ErrorResponse(core::Unauthenticated("INVALID_CREDENTIALS", "Invalid credentials"));
  EXPECT_EQ(coded.status, 401);
  EXPECT_EQ(
      coded.body,
      R"({"statusCode":401,"error":"UnauthorizedException","message":"Invalid credentials","code":"INVALID_CREDENTIALS"})");
  Response plain =
      ErrorResponse(core::Plain(core::ErrorCategory::kUnauthenticated, "Session not found"));
  EXPECT_EQ(plain.body,
            R"({"statusCode":401,"error":"Unauthorized","message":"Session not found"})");
  Response raw = ErrorResponse(core::Unauthenticated("MFA_REQUIRED", "m"), ErrorShape::kRaw);
  EXPECT_EQ(raw.body, R"({"message":"m","code":"MFA_REQUIRED"})");
  Response limited = ErrorResponse(
      core::RateLimited("RATE_LIMITED", "Too many requests. Please try again later.", 7));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(
      limited.body,
      R"({"statusCode":429,"error":"HttpException","message":"Too many requests. Please try again later.","code":"RATE_LIMITED"})");
  ASSERT_EQ(limited.headers.size(), 1u);
  EXPECT_EQ(limited.headers[0].first, "Retry-After");
  EXPECT_EQ(limited.headers[0].second, "7");
  Response internal = ErrorResponse(core::Internal("secret detail"));
  EXPECT_EQ(internal.body, R"({"statusCode":500,"message":"Internal server error"})");
  // The database is away: a retryable 503 that names nothing of it.
  Response down = ErrorResponse(core::Unavailable("postgres: cannot connect: db:5432"));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(
      down.body,
      R"({"statusCode":503,"error":"ServiceUnavailableException","message":"Service temporarily unavailable, please retry","code":"SERVICE_UNAVAILABLE"})");
  ASSERT_EQ(down.headers.size(), 1u);
  EXPECT_EQ(down.headers[0].first, "Retry-After");
  EXPECT_EQ(down.headers[0].second, "1");
}

}  // namespace
}  // namespace authd::http
