#include "crypto/json_scan.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hmac.h"

namespace authd::crypto::internal {
namespace {

bool Valid(std::string_view text) { return ScanJsonObject(text).has_value(); }

TEST(JsonScan, ReportsTopLevelMembersInOrder) {
  const auto m =
      ScanJsonObject(R"( {"s":"x","n":-1.5e+3,"t":true,"f":false,"z":null,"o":{"a":[1]},"a":[]} )");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 7u);
  EXPECT_EQ((*m)[0].key, "s");
  EXPECT_EQ((*m)[0].kind, JsonKind::kString);
  EXPECT_EQ((*m)[0].value, "x");
  EXPECT_EQ((*m)[1].kind, JsonKind::kNumber);
  EXPECT_EQ((*m)[1].value, "-1.5e+3");
  EXPECT_EQ((*m)[2].kind, JsonKind::kTrue);
  EXPECT_EQ((*m)[3].kind, JsonKind::kFalse);
  EXPECT_EQ((*m)[4].kind, JsonKind::kNull);
  EXPECT_EQ((*m)[5].kind, JsonKind::kObject);
  EXPECT_EQ((*m)[5].value, "");
  EXPECT_EQ((*m)[6].kind, JsonKind::kArray);
}

TEST(JsonScan, AcceptsEmptyObject) {
  const auto m = ScanJsonObject("{}");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->empty());
  EXPECT_TRUE(Valid(" \t\r\n{ \n}\n"));
}

TEST(JsonScan, DecodesEscapes) {
  const auto m = ScanJsonObject(R"({"k\"\\\/\b\f\n\r\t":"\u0041\u00e9\u20ac\ud83d\ude00"})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].key, "k\"\\/\b\f\n\r\t");
  EXPECT_EQ((*m)[0].value, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(JsonScan, KeepsRawUtf8) {
  const auto m = ScanJsonObject("{\"k\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].value, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(JsonScan, RejectsNonObjects) {
  for (const char* text :
       {"", " ", "[]", "\"s\"", "1", "null", "{", "}", "{}{}", "{} x", "\xef\xbb\xbf{}"}) {
    EXPECT_FALSE(Valid(text)) << text;
  }
}

TEST(JsonScan, RejectsSyntaxErrors) {
  for (const char* text : {R"({"a":1,})", R"({"a" 1})", R"({a:1})", R"({'a':1})", R"({"a":})",
                           R"({"a":[1,]})", R"({"a":[1 2]})", R"({"a":tru})", R"({"a":nul})",
                           R"({"a":True})", R"({"a":1}})", R"({"a":{"b":1})", R"({"a":"x)",
                           R"({"a":1 /*c*/})", R"({,})", R"({"a":NaN})", R"({"a":Infinity})"}) {
    EXPECT_FALSE(Valid(text)) << text;
  }
}

TEST(JsonScan, EnforcesNumberGrammar) {
  for (const char* ok : {"0", "-0", "10", "1.5", "1e5", "1E+5", "-1.0e-5"}) {
    EXPECT_TRUE(Valid(std::string(R"({"n":)") + ok + "}")) << ok;
  }
  for (const char* bad :
       {"01", "+1", "1.", ".5", "1e", "1e+", "-", "--1", "0x10", "1.5.5", "- 1"}) {
    EXPECT_FALSE(Valid(std::string(R"({"n":)") + bad + "}")) << bad;
  }
}

TEST(JsonScan, RejectsBadStrings) {
  EXPECT_FALSE(Valid("{\"a\":\"\x01\"}"));  // raw control character
  EXPECT_FALSE(Valid("{\"a\":\"\n\"}"));
  EXPECT_FALSE(Valid(R"({"a":"\x"})"));    // unknown escape
  EXPECT_FALSE(Valid(R"({"a":"\u12"})"));  // short \u
  EXPECT_FALSE(Valid(R"({"a":"\u12g4"})"));
  EXPECT_FALSE(Valid(R"({"a":"\ud800"})"));  // lone high surrogate
  EXPECT_FALSE(Valid(R"({"a":"\ud800\u0041"})"));
  EXPECT_FALSE(Valid(R"({"a":"\udc00"})"));  // lone low surrogate
  EXPECT_FALSE(Valid(R"({"a":"\)"));
}

TEST(JsonScan, RejectsInvalidUtf8) {
  for (const char* bad :
       {"\x80", "\xc0\xaf", "\xc1\xbf", "\xc3", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe2\x82"}) {
    EXPECT_FALSE(Valid(std::string("{\"a\":\"") + bad + "\"}")) << bad;
  }
  EXPECT_FALSE(Valid("{\"a\":1,\xc3\xa9:1}"));  // non-ASCII outside strings
}

TEST(JsonScan, RejectsDuplicateTopLevelKeys) {
  EXPECT_FALSE(Valid(R"({"a":1,"a":2})"));
  EXPECT_FALSE(Valid(R"({"a":1,"\u0061":2})"));
  EXPECT_TRUE(Valid(R"({"a":{"b":1},"b":{"b":2}})"));
}

std::string Nested(int depth) {
  // `depth` containers in total, the outermost being the top-level object.
  std::string s = "{\"a\":";
  for (int i = 1; i < depth; ++i) s += (i % 2) ? "[" : "{\"b\":";
  s += "0";
  for (int i = depth - 1; i >= 1; --i) s += (i % 2) ? "]" : "}";
  return s + "}";
}

TEST(JsonScan, BoundsNestingDepth) {
  EXPECT_TRUE(Valid(Nested(kMaxJsonDepth)));
  EXPECT_FALSE(Valid(Nested(kMaxJsonDepth + 1)));
  EXPECT_FALSE(Valid("{\"a\":" + std::string(100000, '[')));
}

TEST(JsonScan, SurvivesArbitraryBytes) {
  // Deterministic pseudo-random inputs (SHA-256 chain) and mutations of a
  // valid document: must terminate without crashing; ASan checks the rest.
  const std::string seed_doc = R"({"alg":"HS256","x":[1,{"y":"\u00e9\ud83d\ude00"}],"n":-1.5e3})";
  std::string state = "json-scan-fuzz";
  for (int i = 0; i < 3000; ++i) {
    state = Sha256(state);
    std::string doc = seed_doc;
    const auto pos = static_cast<unsigned char>(state[0]) % doc.size();
    doc[pos] = state[1];
    if (state[2] & 1) doc.resize(static_cast<unsigned char>(state[3]) % doc.size());
    (void)ScanJsonObject(doc);
    (void)ScanJsonObject(state);
    (void)ScanJsonObject("{\"" + state);
  }
  SUCCEED();
}

}  // namespace
}  // namespace authd::crypto::internal
