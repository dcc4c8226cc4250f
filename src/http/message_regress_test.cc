// Regression tests for inputs found by fuzzing (src/http/*_fuzz.cc).
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "http/message.h"

namespace authd::http {
namespace {

bool ParsesAsJson(const std::string& body) {
  boost::system::error_code ec;
  (void)boost::json::parse(body, ec);
  return !ec;
}

TEST(RouteNotFoundRegress, AsciiTargetYieldsJson) {
  Request r;
  SetRequestLine("GET", "/auth/x%ff?\"q\\", r);
  EXPECT_TRUE(ParsesAsJson(RouteNotFound(r).body)) << RouteNotFound(r).body;
}

// Found by http_request_fuzz: Beast accepts obs-text (bytes >= 0x80) in the
// request target and RouteNotFound copies them verbatim into its JSON body,
// so `GET /auth/\xff HTTP/1.1` was answered with invalid UTF-8 "JSON"
// (fixed in message.cc: such bytes are now percent-encoded).
TEST(RouteNotFoundRegress, NonUtf8TargetYieldsJson) {
  Request r;
  SetRequestLine("GET", "/auth/\xff\xfe", r);
  EXPECT_TRUE(ParsesAsJson(RouteNotFound(r).body)) << RouteNotFound(r).body;
}

}  // namespace
}  // namespace authd::http
