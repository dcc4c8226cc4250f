#include "http/media_type.h"

#include <gtest/gtest.h>

namespace authd::http {
namespace {

TEST(ParseContentType, TypeIsLowerCasedAndTrimmedParametersAreParsed) {
  ContentType ct = ParseContentType(" \tApplication/JSON \t;  Charset = \"UTF-8\" ; x=y");
  EXPECT_EQ(ct.type, "application/json");
  EXPECT_EQ(ct.charset, "utf-8");
  EXPECT_TRUE(IsJsonMediaType(ct));
  EXPECT_EQ(ParseContentType("application/json;charset=utf-8").charset, "utf-8");
  EXPECT_EQ(ParseContentType("application/json; charset=\"a\\\"b\"").charset, "a\"b");
  // The first charset wins, a parameter without '=' is skipped.
  EXPECT_EQ(ParseContentType("application/json; foo; charset=latin1; charset=utf-8").charset,
            "latin1");
  // An unterminated quoted value is no parameter.
  EXPECT_FALSE(ParseContentType("application/json; charset=\"utf-8").charset);
  EXPECT_FALSE(ParseContentType("application/json").charset);
}

TEST(ParseContentType, JsonOnlyByTheMediaTypeNeverBySubstring) {
  for (const char* not_json :
       {"text/plain; x=application/json", "text/plain;application/json",
        "application/x-www-form-urlencoded; a=\"application/json\"",
        "multipart/form-data; boundary=application/json", "application/json2", "application/jsonx",
        "xapplication/json", "application/vnd.api+json", "application/ld+json", "application /json",
        "application/ json", "application/json/x", "*/*", "application/*", "", ";application/json",
        "application/json,text/plain"}) {
    EXPECT_FALSE(IsJsonMediaType(ParseContentType(not_json))) << not_json;
  }
  for (const char* json :
       {"application/json", "APPLICATION/JSON", "application/json;",
        "application/json ;charset=utf-8", "application/json; a=b; c", "\tapplication/json\t"}) {
    EXPECT_TRUE(IsJsonMediaType(ParseContentType(json))) << json;
  }
}

TEST(IsValidMediaType, Rfc6838RestrictedNames) {
  EXPECT_TRUE(IsValidMediaType("application/vnd.api+json"));
  EXPECT_TRUE(IsValidMediaType("a/b"));
  EXPECT_FALSE(IsValidMediaType("a.b/c"));
  EXPECT_FALSE(IsValidMediaType("-a/b"));
  EXPECT_FALSE(IsValidMediaType("a/"));
  EXPECT_FALSE(IsValidMediaType("/b"));
  EXPECT_FALSE(IsValidMediaType("a/b/c"));
  EXPECT_FALSE(IsValidMediaType("a b/c"));
  EXPECT_FALSE(IsValidMediaType(std::string(128, 'a') + "/b"));
  EXPECT_TRUE(IsValidMediaType(std::string(127, 'a') + "/b"));
}

}  // namespace
}  // namespace authd::http
