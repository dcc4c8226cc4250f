#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace authd::crypto {
namespace {

std::string Unhex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or("");
}

std::string Iota(unsigned char first, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<char>(first + i));
  }
  return out;
}

// The bytes between the "v1." prefix and the end: nonce || ct || tag.
std::string RawOf(const std::string& sealed) {
  EXPECT_EQ(sealed.substr(0, 3), "v1.");
  auto raw = Base64UrlDecode(std::string_view(sealed).substr(3));
  EXPECT_TRUE(raw.has_value()) << sealed;
  return raw.value_or("");
}

// "v1." + base64url(raw); built by appending (GCC 12 reports -Wrestrict
// false positives for literal + std::string).
std::string Sealed(std::string_view raw) {
  std::string out("v1.");
  out.append(Base64UrlEncode(raw));
  return out;
}

std::string Concat(std::string_view a, std::string_view b) {
  std::string out(a);
  out.append(b);
  return out;
}

// Counts up from `next`: a deterministic nonce source.
class CountingRandom final : public SecureRandom {
 public:
  explicit CountingRandom(unsigned char next) : next_(next) {}
  void Fill(void* out, std::size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n; ++i) p[i] = next_++;
  }

 private:
  unsigned char next_;
};

constexpr std::string_view kKey(
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
    32);
constexpr char kSecret[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr char kAad[] = "tenant-1/identity-42/totp";

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14.
TEST(Aead, MatchesGcmSpecTestCase14) {
  const std::string sealed = internal::SealWithNonce(std::string(32, '\0'), std::string(12, '\0'),
                                                     std::string(16, '\0'), "");
  EXPECT_EQ(HexEncode(RawOf(sealed)),
            "000000000000000000000000"            // nonce
            "cea7403d4d606b6e074ec5d3baf39d18"    // ciphertext
            "d0d1c8a799996bf0265b98b5d48ab919");  // tag
}

// Test case 16: 256-bit key, 60-byte plaintext, 20-byte AAD.
TEST(Aead, MatchesGcmSpecTestCase16) {
  const std::string key = Unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string nonce = Unhex("cafebabefacedbaddecaf888");
  const std::string plaintext = Unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const std::string aad = Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const std::string raw = RawOf(internal::SealWithNonce(key, nonce, plaintext, aad));
  EXPECT_EQ(HexEncode(raw),
            "cafebabefacedbaddecaf888"
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            "76fc6ece0f4e1768cddf8853bb2d551b");
  EXPECT_EQ(Open(key, internal::SealWithNonce(key, nonce, plaintext, aad), aad), plaintext);
}

// Computed with python3 cryptography's AESGCM (key 00..1f, nonce a0..ab).
constexpr char kKnownSealed[] =
    "v1.oKGio6SlpqeoqaqrrFovehz4Ru8nLdeYNCqYjjruCkfLhAY82UZ2zUz7LVGzy2ktu00Rx"
    "imVd_9nmnSv";

TEST(Aead, MatchesKnownAnswer) {
  EXPECT_EQ(internal::SealWithNonce(kKey, Iota(0xa0, 12), kSecret, kAad), kKnownSealed);
  EXPECT_EQ(Open(kKey, kKnownSealed, kAad), kSecret);
  // Seal draws its nonce from the injected SecureRandom.
  CountingRandom random(0xa0);
  EXPECT_EQ(Seal(kKey, kSecret, kAad, random), kKnownSealed);
}

TEST(Aead, RoundTrips) {
  for (const std::string& plaintext : {std::string(), std::string("x"), std::string(kSecret),
                                       std::string(1000, '\xff'), std::string("a\0b", 3)}) {
    for (const std::string& aad : {std::string(), std::string(kAad)}) {
      const std::string sealed = Seal(kKey, plaintext, aad, OsRandom());
      EXPECT_EQ(sealed.substr(0, 3), "v1.");
      EXPECT_EQ(RawOf(sealed).size(), 12 + plaintext.size() + 16);
      EXPECT_EQ(Open(kKey, sealed, aad), plaintext);
    }
  }
}

TEST(Aead, SealsWithFreshNonces) {
  const std::string a = Seal(kKey, kSecret, kAad, OsRandom());
  const std::string b = Seal(kKey, kSecret, kAad, OsRandom());
  EXPECT_NE(a, b);
  EXPECT_NE(RawOf(a).substr(0, 12), RawOf(b).substr(0, 12));
  EXPECT_EQ(Open(kKey, a, kAad), kSecret);
  EXPECT_EQ(Open(kKey, b, kAad), kSecret);
}

TEST(Aead, RejectsAnyTamperedByte) {
  const std::string raw = RawOf(kKnownSealed);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = raw;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      EXPECT_FALSE(Open(kKey, Sealed(bad), kAad).has_value()) << i;
    }
  }
}

TEST(Aead, RejectsAnyTamperedCharacter) {
  const std::string sealed = kKnownSealed;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(Open(kKey, bad, kAad).has_value()) << i;
  }
}

TEST(Aead, RejectsTruncatedOrExtendedInput) {
  const std::string raw = RawOf(kKnownSealed);
  for (std::size_t n = 0; n < raw.size(); ++n) {
    EXPECT_FALSE(Open(kKey, Sealed(raw.substr(0, n)), kAad).has_value()) << n;
  }
  EXPECT_FALSE(Open(kKey, Sealed(raw + "x"), kAad).has_value());
  // Dropping the first byte shifts nonce and ciphertext.
  EXPECT_FALSE(Open(kKey, Sealed(raw.substr(1)), kAad).has_value());
}

TEST(Aead, RejectsWrongAad) {
  EXPECT_FALSE(Open(kKey, kKnownSealed, "").has_value());
  EXPECT_FALSE(Open(kKey, kKnownSealed, "tenant-1/identity-43/totp").has_value());
  EXPECT_FALSE(Open(kKey, kKnownSealed, Concat(kAad, std::string_view("\0", 1))).has_value());
  const std::string no_aad = Seal(kKey, kSecret, "", OsRandom());
  EXPECT_FALSE(Open(kKey, no_aad, kAad).has_value());
}

TEST(Aead, RejectsWrongKey) {
  std::string other(kKey);
  other[31] = static_cast<char>(other[31] ^ 1);
  EXPECT_FALSE(Open(other, kKnownSealed, kAad).has_value());
  EXPECT_FALSE(Open(std::string(32, '\0'), kKnownSealed, kAad).has_value());
}

TEST(Aead, RejectsBadPrefixAndEncoding) {
  const std::string body = std::string(kKnownSealed).substr(3);
  EXPECT_FALSE(Open(kKey, body, kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat("v2.", body), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat("V1.", body), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat("v1", body), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat("v1..", body), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat(" v1.", body), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat(kKnownSealed, "="), kAad).has_value());
  EXPECT_FALSE(Open(kKey, Concat(kKnownSealed, " "), kAad).has_value());
  EXPECT_FALSE(Open(kKey, "", kAad).has_value());
  EXPECT_FALSE(Open(kKey, "v1.", kAad).has_value());
}

TEST(Aead, WrongKeyLengthFailsClosed) {
  for (std::size_t n : {0u, 16u, 24u, 31u, 33u, 64u}) {
    const std::string key(n, 'k');
    EXPECT_EQ(Seal(key, kSecret, kAad, OsRandom()), "") << n;
    EXPECT_FALSE(Open(key, kKnownSealed, kAad).has_value()) << n;
    EXPECT_FALSE(Open(key, Seal(key, kSecret, kAad, OsRandom()), kAad).has_value()) << n;
  }
  EXPECT_EQ(internal::SealWithNonce(kKey, Iota(0, 11), kSecret, kAad), "");
  EXPECT_EQ(internal::SealWithNonce(kKey, Iota(0, 16), kSecret, kAad), "");
  EXPECT_FALSE(Open(kKey, "", kAad).has_value());
}

TEST(DeriveKey, IsHmacSha256OfPrefixedPurpose) {
  const std::string key = DeriveKey("configured-secret", "totp-secret");
  EXPECT_EQ(key.size(), kAeadKeyBytes);
  // python3: hmac.new(b"configured-secret", b"authd/totp-secret", sha256)
  EXPECT_EQ(HexEncode(key), "039f8bb448d8c4223dfc05a48430f57bf567add560b8af5ca461e5b6282c3fd4");
  EXPECT_EQ(key, HmacSha256("configured-secret", "authd/totp-secret"));
}

TEST(DeriveKey, SeparatesPurposesAndSecrets) {
  const std::string a = DeriveKey("configured-secret", "totp-secret");
  EXPECT_NE(a, DeriveKey("configured-secret", "recovery"));
  EXPECT_NE(a, DeriveKey("configured-secreT", "totp-secret"));
  const std::string sealed = Seal(a, kSecret, kAad, OsRandom());
  EXPECT_EQ(Open(a, sealed, kAad), kSecret);
  EXPECT_FALSE(Open(DeriveKey("configured-secret", "recovery"), sealed, kAad).has_value());
}

}  // namespace
}  // namespace authd::crypto
