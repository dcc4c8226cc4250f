#include "crypto/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "crypto/encoding.h"

namespace authd::crypto {
namespace {

TEST(Random, BytesHasRequestedLength) {
  SecureRandom& random = OsRandom();
  EXPECT_EQ(random.Bytes(0).size(), 0u);
  EXPECT_EQ(random.Bytes(1).size(), 1u);
  EXPECT_EQ(random.Bytes(32).size(), 32u);
  EXPECT_EQ(random.Bytes(4096).size(), 4096u);
}

TEST(Random, BytesDiffer) {
  SecureRandom& random = OsRandom();
  EXPECT_NE(random.Bytes(32), random.Bytes(32));
}

TEST(Random, UuidV4HasCanonicalFormAndVersionBits) {
  const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 200; ++i) {
    const std::string uuid = OsRandom().UuidV4();
    EXPECT_TRUE(std::regex_match(uuid, re)) << uuid;
  }
}

TEST(Random, UuidV4IsDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(OsRandom().UuidV4());
  EXPECT_EQ(seen.size(), 1000u);
}

// A fixed source shows which bits UuidV4 forces.
class ConstantRandom final : public SecureRandom {
 public:
  explicit ConstantRandom(unsigned char byte) : byte_(byte) {}
  void Fill(void* out, std::size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n; ++i) p[i] = byte_;
  }

 private:
  unsigned char byte_;
};

TEST(Random, UuidV4ForcesVersionAndVariant) {
  ConstantRandom ones(0xff);
  EXPECT_EQ(ones.UuidV4(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  ConstantRandom zeros(0x00);
  EXPECT_EQ(zeros.UuidV4(), "00000000-0000-4000-8000-000000000000");
}

TEST(Random, TokenBase64UrlEncodesRequestedBytes) {
  const std::string token = OsRandom().TokenBase64Url(32);
  EXPECT_EQ(token.size(), 43u);  // 32 bytes, unpadded
  const auto decoded = Base64UrlDecode(token);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 32u);
  ConstantRandom fixed(0xfb);
  EXPECT_EQ(fixed.TokenBase64Url(3), "-_v7");
}

}  // namespace
}  // namespace authd::crypto
