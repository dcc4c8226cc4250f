#include "http/token_transport.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace authd::http {
namespace {

std::vector<std::string> SetCookies(const Response& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie") out.push_back(v);
  }
  return out;
}

class TokenTransportTest : public ::testing::Test {
 protected:
  TokenTransport Make(TokenMode mode, bool csrf = false) {
    HttpOptions o;
    o.token_mode = mode;
    o.csrf.enabled = csrf;
    return TokenTransport(o, 3600, 2592000, clock_, crypto::OsRandom());
  }
  // 2026-11-25T17:11:43Z
  core::FakeClock clock_{1795626703000};
  session::TokenPair pair_{"AAA", "RRR"};
};

TEST_F(TokenTransportTest, HeaderModePutsTokensFirstInTheBody) {
  TokenTransport t = Make(TokenMode::kHeader);
  Request req;
  boost::json::object body{{"isRequiresMfa", false}, {"message", "Login successful"}};
  Response r = t.TokenResponse(req, pair_, body, std::nullopt);
  EXPECT_EQ(
      r.body,
      R"({"accessToken":"AAA","refreshToken":"RRR","isRequiresMfa":false,"message":"Login successful"})");
  EXPECT_TRUE(SetCookies(r).empty());
}

TEST_F(TokenTransportTest, CookieModeWritesTheReferenceCookies) {
  TokenTransport t = Make(TokenMode::kCookie);
  Request req;
  boost::json::object body{{"isRequiresMfa", false}, {"message", "Login successful"}};
  Response r = t.TokenResponse(req, pair_, body, std::nullopt);
  EXPECT_EQ(r.body, R"({"isRequiresMfa":false,"message":"Login successful"})");
  std::vector<std::string> c = SetCookies(r);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0],
            "accessToken=AAA; Max-Age=3600; Path=/; Expires=Wed, 25 Nov 2026 "
            "18:11:43 GMT; HttpOnly; SameSite=Lax");
  EXPECT_EQ(c[1],
            "refreshToken=RRR; Max-Age=2592000; Path=/; Expires=Fri, 25 Dec "
            "2026 17:11:43 GMT; HttpOnly; SameSite=Lax");
  EXPECT_EQ(c[2], "nest_auth_remember=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_F(TokenTransportTest, RememberMeFalseMakesSessionCookies) {
  TokenTransport t = Make(TokenMode::kCookie);
  Request req;
  Response r = t.TokenResponse(req, pair_, {}, false);
  std::vector<std::string> c = SetCookies(r);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], "accessToken=AAA; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(c[2], "nest_auth_remember=0; Path=/; HttpOnly; SameSite=Lax");
  // The choice sticks through the remember cookie.
  Request again;
  again.headers.push_back({"cookie", "nest_auth_remember=0"});
  Response r2 = t.TokenResponse(again, pair_, {}, std::nullopt);
  EXPECT_EQ(SetCookies(r2)[1], "refreshToken=RRR; Path=/; HttpOnly; SameSite=Lax");
}

TEST_F(TokenTransportTest, AutoModeFollowsTheRequestHeader) {
  TokenTransport t = Make(TokenMode::kAuto);
  Request plain;
  EXPECT_FALSE(t.CookieMode(plain));
  Request cookie;
  cookie.headers.push_back({"x-access-token-type", "cookie"});
  EXPECT_TRUE(t.CookieMode(cookie));
}

TEST_F(TokenTransportTest, ExtractsTokensPerMode) {
  Request req;
  req.headers.push_back({"authorization", "bearer HDR"});
  req.headers.push_back({"cookie", "accessToken=CK"});
  EXPECT_EQ(Make(TokenMode::kHeader).AccessToken(req)->token, "HDR");
  EXPECT_EQ(Make(TokenMode::kCookie).AccessToken(req)->token, "CK");
  EXPECT_TRUE(Make(TokenMode::kCookie).AccessToken(req)->from_cookie);
  EXPECT_EQ(Make(TokenMode::kAuto).AccessToken(req)->token, "HDR");
  Request basic;
  basic.headers.push_back({"authorization", "Basic dXNlcjpwYXNz"});
  EXPECT_FALSE(Make(TokenMode::kHeader).AccessToken(basic).has_value());
}

TEST_F(TokenTransportTest, CsrfDoubleSubmit) {
  TokenTransport t = Make(TokenMode::kCookie, /*csrf=*/true);
  Request get;
  get.method = "GET";
  EXPECT_TRUE(t.CheckCsrf(get).ok());
  Request post;
  post.method = "POST";
  post.headers.push_back({"cookie", "nest_auth_csrf=tok123"});
  EXPECT_EQ(t.CheckCsrf(post).error().code, "CSRF_TOKEN_INVALID");
  post.headers.push_back({"x-csrf-token", "tok124"});
  EXPECT_EQ(t.CheckCsrf(post).error().code, "CSRF_TOKEN_INVALID");
  post.headers.back().second = "tok123";
  EXPECT_TRUE(t.CheckCsrf(post).ok());
}

TEST_F(TokenTransportTest, LogoutClearsBothCookies) {
  Response r;
  Make(TokenMode::kHeader).AddClearCookies(r);
  std::vector<std::string> c = SetCookies(r);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "accessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(c[1], "refreshToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
}

// Browsers replace a cookie only by one with the same Domain and Path, and
// take cross-site cookies only with SameSite=None; Secure: a clearing
// cookie must repeat them, or logout leaves the old cookies in place.
TEST_F(TokenTransportTest, ClearingCookiesMatchTheCookiesTheyClear) {
  HttpOptions o;
  o.token_mode = TokenMode::kCookie;
  o.cookies.domain = "example.test";
  o.cookies.secure = true;
  o.cookies.same_site = SameSite::kNone;
  TokenTransport t(o, 3600, 2592000, clock_, crypto::OsRandom());
  Response out;
  t.AddClearCookies(out);
  EXPECT_EQ(SetCookies(out),
            (std::vector<std::string>{"accessToken=; Domain=example.test; Path=/; Expires=Thu, 01 "
                                      "Jan 1970 00:00:00 GMT; Secure; SameSite=None",
                                      "refreshToken=; Domain=example.test; Path=/; Expires=Thu, 01 "
                                      "Jan 1970 00:00:00 GMT; Secure; SameSite=None"}));

  Request req;
  Response login = t.TokenResponse(req, pair_, {}, /*remember_me=*/true);
  EXPECT_EQ(SetCookies(login).back(),
            "nest_auth_remember=; Domain=example.test; Path=/; Expires=Thu, "
            "01 Jan 1970 00:00:00 GMT; Secure; SameSite=None");
  Response session = t.TokenResponse(req, pair_, {}, /*remember_me=*/false);
  EXPECT_EQ(SetCookies(session).back(),
            "nest_auth_remember=0; Domain=example.test; Path=/; HttpOnly; "
            "Secure; SameSite=None");

  o.cookies.secure = false;
  o.cookies.same_site = SameSite::kStrict;
  TokenTransport strict(o, 3600, 2592000, clock_, crypto::OsRandom());
  Response out2;
  strict.AddClearCookies(out2);
  EXPECT_EQ(SetCookies(out2)[0],
            "accessToken=; Domain=example.test; Path=/; Expires=Thu, 01 Jan "
            "1970 00:00:00 GMT; SameSite=Strict");
}

}  // namespace
}  // namespace authd::http
