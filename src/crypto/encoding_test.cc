#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.h"

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

// RFC 4648 §10 base32 test vectors (padded as the RFC prints them).
constexpr Vector kRfc4648Base32[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};

std::string ToLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

TEST(Base32, EncodesRfc4648VectorsWithoutPadding) {
  for (const Vector& v : kRfc4648Base32) {
    EXPECT_EQ(Base32Encode(v.plain), StripPadding(v.base64)) << v.plain;
  }
}

TEST(Base32, DecodesRfc4648VectorsWithAndWithoutPadding) {
  for (const Vector& v : kRfc4648Base32) {
    for (const std::string& text : {std::string(v.base64), StripPadding(v.base64),
                                    ToLower(v.base64), ToLower(StripPadding(v.base64))}) {
      const auto decoded = Base32Decode(text);
      ASSERT_TRUE(decoded.has_value()) << text;
      EXPECT_EQ(*decoded, v.plain) << text;
    }
  }
}

TEST(Base32, EncodesTwentyBytesAsThirtyTwoCharacters) {
  const std::string secret(20, '\xa5');
  const std::string text = Base32Encode(secret);
  EXPECT_EQ(text, "UWS2LJNFUWS2LJNFUWS2LJNFUWS2LJNF");
  EXPECT_EQ(Base32Decode(text), secret);
  // The spec's example secret (spec/mfa.md §3) decodes to 20 bytes.
  const auto example = Base32Decode("I4ZCUTSUNRQSUXSDEU6GEUBMONSUIWRZ");
  ASSERT_TRUE(example.has_value());
  EXPECT_EQ(example->size(), 20u);
  EXPECT_EQ(Base32Encode(*example), "I4ZCUTSUNRQSUXSDEU6GEUBMONSUIWRZ");
}

TEST(Base32, RoundTripsRandomBytesOfEveryLength) {
  SecureRandom& random = OsRandom();
  for (std::size_t len = 0; len <= 64; ++len) {
    for (int rep = 0; rep < 8; ++rep) {
      const std::string bytes = random.Bytes(len);
      const std::string text = Base32Encode(bytes);
      EXPECT_EQ(text.size(), (len * 8 + 4) / 5) << len;
      EXPECT_EQ(Base32Decode(text), bytes) << HexEncode(bytes);
      EXPECT_EQ(Base32Decode(ToLower(text)), bytes) << HexEncode(bytes);
      std::string padded = text;
      while (padded.size() % 8 != 0) padded.push_back('=');
      EXPECT_EQ(Base32Decode(padded), bytes) << HexEncode(bytes);
    }
  }
}

TEST(Base32, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(Base32Decode(Base32Encode(bytes)), bytes);
}

TEST(Base32, RejectsImpossibleLengths) {
  EXPECT_FALSE(Base32Decode("M").has_value());          // 1 mod 8
  EXPECT_FALSE(Base32Decode("MZX").has_value());        // 3 mod 8
  EXPECT_FALSE(Base32Decode("MZXW6Y").has_value());     // 6 mod 8
  EXPECT_FALSE(Base32Decode("MZXW6YTBO").has_value());  // 9 = 1 mod 8
  EXPECT_FALSE(Base32Decode("M=======").has_value());
  EXPECT_FALSE(Base32Decode("MZX=====").has_value());
  EXPECT_FALSE(Base32Decode("MZXW6Y==").has_value());
}

TEST(Base32, RejectsWrongPadding) {
  EXPECT_FALSE(Base32Decode("MY=").has_value());        // partial
  EXPECT_FALSE(Base32Decode("MY=====").has_value());    // one short
  EXPECT_FALSE(Base32Decode("MY=======").has_value());  // one too many
  EXPECT_FALSE(Base32Decode("MZXW6YQ==").has_value());
  EXPECT_FALSE(Base32Decode("MZXW6YTB=").has_value());  // full block
  EXPECT_FALSE(Base32Decode("MZXW6YTB========").has_value());
  EXPECT_FALSE(Base32Decode("=").has_value());
  EXPECT_FALSE(Base32Decode("========").has_value());
  EXPECT_FALSE(Base32Decode("MY======MY").has_value());  // padding inside
  EXPECT_FALSE(Base32Decode("M=Y=====").has_value());
}

TEST(Base32, RejectsCharactersOutsideAlphabet) {
  EXPECT_FALSE(Base32Decode("MZXW6YT0").has_value());  // 0, 1, 8, 9 unused
  EXPECT_FALSE(Base32Decode("MZXW6YT1").has_value());
  EXPECT_FALSE(Base32Decode("MZXW6YT8").has_value());
  EXPECT_FALSE(Base32Decode("MZXW6YT9").has_value());
  EXPECT_FALSE(Base32Decode("MZXW 6YTB").has_value());  // no whitespace
  EXPECT_FALSE(Base32Decode("MZXW6YTB ").has_value());
  EXPECT_FALSE(Base32Decode(" MZXW6YTB").has_value());
  EXPECT_FALSE(Base32Decode("MZXW6YTB\n").has_value());
  EXPECT_FALSE(Base32Decode("MZXW-6YTB").has_value());
  EXPECT_FALSE(Base32Decode(std::string("MZXW\0YTB", 8)).has_value());
  EXPECT_FALSE(Base32Decode("MZXW6Y\xc3\xa9").has_value());
}

TEST(Base32, RejectsNonZeroTrailingBits) {
  // "MY" is canonical for "f"; "MZ".."M7" carry the same byte plus stray bits.
  EXPECT_TRUE(Base32Decode("MY").has_value());
  EXPECT_FALSE(Base32Decode("MZ").has_value());
  EXPECT_FALSE(Base32Decode("M7").has_value());
  EXPECT_FALSE(Base32Decode("MZ======").has_value());
  EXPECT_TRUE(Base32Decode("MZXQ").has_value());  // "fo": 4 spare bits
  EXPECT_FALSE(Base32Decode("MZXR").has_value());
  EXPECT_TRUE(Base32Decode("MZXW6").has_value());  // "foo": 1 spare bit
  EXPECT_FALSE(Base32Decode("MZXW7").has_value());
  EXPECT_TRUE(Base32Decode("MZXW6YQ").has_value());  // "foob": 3 spare bits
  EXPECT_FALSE(Base32Decode("MZXW6YR").has_value());
  EXPECT_FALSE(Base32Decode("mzxw6yr").has_value());
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

TEST(PercentEncode, KeepsAlphanumericsAndTheNamedSet) {
  const std::string all = std::string("aZ09-._~!*'() /?&=%\x00\xC3\xA9", 22);
  EXPECT_EQ(PercentEncode(all, kUriUnreserved),
            "aZ09-._~%21%2A%27%28%29%20%2F%3F%26%3D%25%00%C3%A9");
  EXPECT_EQ(PercentEncode(all, kUriComponentUnreserved),
            "aZ09-._~!*'()%20%2F%3F%26%3D%25%00%C3%A9");
  EXPECT_EQ(PercentEncode("", kUriUnreserved), "");
}

}  // namespace
}  // namespace authd::crypto
