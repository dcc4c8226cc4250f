#include "http/cookies.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "http/message.h"

namespace authd::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(CookieParse, SplitsAndTrims) {
  EXPECT_EQ(ParseCookieHeader("a=1; b=2"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(ParseCookieHeader("  a = 1 ;\tb=2\t;c=3  "),
            (Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(ParseCookieHeader("a=1;b=2;"), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(CookieParse, EmptyAndTinyInputs) {
  EXPECT_TRUE(ParseCookieHeader("").empty());
  EXPECT_TRUE(ParseCookieHeader("a").empty());
  EXPECT_TRUE(ParseCookieHeader("=").empty());  // shorter than 2 chars
  EXPECT_EQ(ParseCookieHeader("a="), (Pairs{{"a", ""}}));
  EXPECT_EQ(ParseCookieHeader("a=; b=2"), (Pairs{{"a", ""}, {"b", "2"}}));
}

TEST(CookieParse, SkipsPartsWithoutEquals) {
  EXPECT_EQ(ParseCookieHeader("foo; a=1"), (Pairs{{"a", "1"}}));
  EXPECT_EQ(ParseCookieHeader("a=1; junk; b=2"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(ParseCookieHeader("just junk; more").empty());
}

TEST(CookieParse, ValueKeepsLaterEqualsSigns) {
  EXPECT_EQ(ParseCookieHeader("t=a=b==; u=1"), (Pairs{{"t", "a=b=="}, {"u", "1"}}));
}

TEST(CookieParse, UnquotesValues) {
  EXPECT_EQ(ParseCookieHeader("a=\"hello world\""), (Pairs{{"a", "hello world"}}));
  EXPECT_EQ(ParseCookieHeader("a=\"\"; b=\""), (Pairs{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(ParseCookieHeader("a=\"half"), (Pairs{{"a", "\"half"}}));
}

TEST(CookieParse, KeepsDuplicatesInOrder) {
  EXPECT_EQ(ParseCookieHeader("a=1; a=2"), (Pairs{{"a", "1"}, {"a", "2"}}));
}

TEST(CookieParse, PercentDecodes) {
  EXPECT_EQ(ParseCookieHeader("a=hello%20world; b=%E2%82%AC; c=x+y"),
            (Pairs{{"a", "hello world"}, {"b", "\xE2\x82\xAC"}, {"c", "x+y"}}));
}

TEST(CookieParse, MalformedPercentKeepsRawValue) {
  EXPECT_EQ(ParseCookieHeader("a=100%; b=%zz; c=%E2%82; d=%FF; e=%C0%80"),
            (Pairs{{"a", "100%"}, {"b", "%zz"}, {"c", "%E2%82"}, {"d", "%FF"}, {"e", "%C0%80"}}));
}

TEST(CookieFind, FirstOccurrenceAcrossHeadersWins) {
  Request req;
  req.headers = {
      {"cookie", "a=1; token=first"}, {"x-other", "token=nope"}, {"cookie", "token=second; b=%41"}};
  EXPECT_EQ(FindCookie(req, "token"), "first");
  EXPECT_EQ(FindCookie(req, "b"), "A");
  EXPECT_EQ(FindCookie(req, "missing"), std::nullopt);
  EXPECT_EQ(FindCookie(Request{}, "a"), std::nullopt);
}

TEST(CookieSerialize, AccessTokenLikeExpress) {
  SetCookie c;
  c.name = "accessToken";
  c.value = "eyJhbGciOiJIUzI1NiJ9.e30.sig-_";
  c.max_age_seconds = 3600;
  c.expires_unix_millis = 1795630303000;  // Wed, 25 Nov 2026 18:11:43 GMT
  c.http_only = true;
  c.same_site = "Lax";
  EXPECT_EQ(Serialize(c),
            "accessToken=eyJhbGciOiJIUzI1NiJ9.e30.sig-_; Max-Age=3600; "
            "Path=/; Expires=Wed, 25 Nov 2026 18:11:43 GMT; HttpOnly; "
            "SameSite=Lax");
}

TEST(CookieSerialize, DeletionCookie) {
  SetCookie c;
  c.name = "accessToken";
  c.expires_unix_millis = 1;  // Express clearCookie: new Date(1)
  EXPECT_EQ(Serialize(c), "accessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(CookieSerialize, AllAttributesInCookieOrder) {
  SetCookie c;
  c.name = "refreshToken";
  c.value = "r";
  c.max_age_seconds = 2592000;
  c.domain = "example.com";
  c.expires_unix_millis = 1798218703000;  // Fri, 25 Dec 2026 17:11:43 GMT
  c.http_only = true;
  c.secure = true;
  c.same_site = "strict";
  EXPECT_EQ(Serialize(c),
            "refreshToken=r; Max-Age=2592000; Domain=example.com; Path=/; "
            "Expires=Fri, 25 Dec 2026 17:11:43 GMT; HttpOnly; Secure; "
            "SameSite=Strict");
}

TEST(CookieSerialize, SessionCookieHasNoMaxAgeOrExpires) {
  SetCookie c;
  c.name = "nest_auth_remember";
  c.value = "0";
  c.http_only = true;
  c.secure = true;
  c.same_site = "None";
  EXPECT_EQ(Serialize(c), "nest_auth_remember=0; Path=/; HttpOnly; Secure; SameSite=None");
}

TEST(CookieSerialize, EncodesLikeEncodeUriComponent) {
  SetCookie c;
  c.name = "v";
  c.value = "a b;c,d\"e%f+g/h=i!~*'()\xE2\x82\xAC";
  c.path.clear();
  EXPECT_EQ(Serialize(c), "v=a%20b%3Bc%2Cd%22e%25f%2Bg%2Fh%3Di!~*'()%E2%82%AC");
  // Round trip through the parser.
  EXPECT_EQ(ParseCookieHeader(Serialize(c)), (Pairs{{"v", c.value}}));
}

TEST(DecodeUriComponent, DecodesAndRejects) {
  EXPECT_EQ(DecodeUriComponent("a%2Fb%20c"), "a/b c");
  EXPECT_EQ(DecodeUriComponent("%F0%9F%98%80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(DecodeUriComponent("plain"), "plain");
  EXPECT_EQ(DecodeUriComponent("%"), std::nullopt);
  EXPECT_EQ(DecodeUriComponent("%4"), std::nullopt);
  EXPECT_EQ(DecodeUriComponent("%ED%A0%80"), std::nullopt);     // surrogate
  EXPECT_EQ(DecodeUriComponent("%F4%90%80%80"), std::nullopt);  // > U+10FFFF
  EXPECT_EQ(DecodeUriComponent("%E2%82x"), std::nullopt);       // truncated
  EXPECT_EQ(DecodeUriComponent("%80"), std::nullopt);           // lone continuation
}

}  // namespace
}  // namespace authd::http
