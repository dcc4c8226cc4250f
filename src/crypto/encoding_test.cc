#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace authd::crypto {
namespace {

// RFC 4648 §10 test vectors.
struct Vector {
  const char* plain;
  const char* base64;
};
constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string StripPadding(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

TEST(Base64, EncodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(v.plain), v.base64) << v.plain;
  }
}

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(Base64UrlEncode(v.plain), StripPadding(v.base64)) << v.plain;
  }
}

TEST(Base64Url, DecodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    const auto decoded = Base64UrlDecode(StripPadding(v.base64));
    ASSERT_TRUE(decoded.has_value()) << v.base64;
    EXPECT_EQ(*decoded, v.plain);
  }
}

TEST(Base64Url, UsesUrlAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
}

TEST(Base64Url, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= bytes.size(); len += 7) {
    const std::string in = bytes.substr(0, len);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(in)), in) << len;
  }
}

TEST(Base64Url, RejectsPadding) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v=").has_value());
}

TEST(Base64Url, RejectsCharactersOutsideAlphabet) {
  EXPECT_FALSE(Base64UrlDecode("Zm9+").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9/").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n").has_value());
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9\xc3\xa9").has_value());
}

TEST(Base64Url, RejectsLengthOneModFour) {
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());
}

TEST(Base64Url, RejectsNonZeroTrailingBits) {
  // "Zg" is canonical for "f"; "Zh".."Zv" carry the same byte plus stray bits.
  EXPECT_TRUE(Base64UrlDecode("Zg").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zv").has_value());
  EXPECT_TRUE(Base64UrlDecode("Zm8").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm-").has_value());
}

TEST(Hex, EncodesLowerCase) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

TEST(Hex, DecodesBothCases) {
  EXPECT_EQ(HexDecode("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(HexDecode("ABFF"), std::string("\xab\xff", 2));
  EXPECT_EQ(HexDecode(""), std::string());
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
  EXPECT_FALSE(HexDecode("0x").has_value());
  EXPECT_FALSE(HexDecode(" 0").has_value());
}

}  // namespace
}  // namespace authd::crypto

namespace authd::crypto {
namespace {

TEST(Base64UrlRoundTrip, EveryLengthAndByteValue) {
  std::string bytes;
  for (int n = 0; n < 300; ++n) {
    const std::string text = Base64UrlEncode(bytes);
    auto back = Base64UrlDecode(text);
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, bytes) << n;
    // Any single character replaced by one outside the alphabet is refused.
    if (!text.empty()) {
      std::string broken = text;
      broken[n % text.size()] = '+';
      EXPECT_FALSE(Base64UrlDecode(broken).has_value()) << n;
    }
    bytes.push_back(static_cast<char>((n * 131 + 7) & 0xff));
  }
}

}  // namespace
}  // namespace authd::crypto
