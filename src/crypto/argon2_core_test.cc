// Our Argon2 against the RFC 9106 test vectors and, bit for bit, against
// libargon2 (the reference implementation Debian ships), for every kernel
// this CPU runs.
#include "crypto/argon2_core.h"

#include <argon2.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/argon2_kernel.h"
#include "crypto/blake2b.h"

namespace authd::crypto::argon2 {
namespace {

std::string Hex(std::span<const std::uint8_t> bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

std::string Blake2bHex(std::string_view in, std::size_t digest_bytes) {
  Blake2b h(digest_bytes);
  h.Update(in.data(), in.size());
  std::vector<std::uint8_t> out(digest_bytes);
  h.Final(out.data());
  return Hex(out);
}

TEST(Blake2bTest, Rfc7693Abc) {
  EXPECT_EQ(Blake2bHex("abc", 64),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(Blake2bTest, MatchesOpenSslBlake2b512AtEveryLengthAndSplit) {
  std::mt19937 rng(7);
  for (std::size_t len = 0; len <= 300; ++len) {
    std::string msg(len, '\0');
    for (char& c : msg) c = static_cast<char>(rng());
    unsigned char want[64];
    unsigned int want_len = 0;
    ASSERT_EQ(EVP_Digest(msg.data(), msg.size(), want, &want_len, EVP_blake2b512(), nullptr), 1);
    // Fed in two pieces, split anywhere.
    const std::size_t split = len == 0 ? 0 : rng() % len;
    Blake2b h(64);
    h.Update(msg.data(), split);
    h.Update(msg.data() + split, len - split);
    std::uint8_t got[64];
    h.Final(got);
    ASSERT_EQ(Hex(got), Hex({want, 64})) << "length " << len;
  }
}

class Argon2CoreTest : public ::testing::TestWithParam<Kernel> {};

std::string ComputeHex(const Inputs& in, std::size_t tag_bytes, Kernel kernel,
                       std::uint32_t threads = 1) {
  std::vector<std::uint8_t> out(tag_bytes);
  if (!Compute(in, out, kernel, threads)) return "failed";
  return Hex(out);
}

// RFC 9106 §5: m = 32 KiB, t = 3, p = 4, 32-byte password of 0x01, salt of
// 0x02, secret of 0x03, associated data of 0x04, 32-byte tag.
Inputs RfcInputs(Type type, const std::string& pwd, const std::string& salt,
                 const std::string& secret, const std::string& ad) {
  Inputs in;
  in.type = type;
  in.version = kVersion13;
  in.time_cost = 3;
  in.memory_kib = 32;
  in.parallelism = 4;
  in.password = pwd;
  in.salt = salt;
  in.secret = secret;
  in.associated_data = ad;
  return in;
}

TEST_P(Argon2CoreTest, Rfc9106TestVectors) {
  const std::string pwd(32, '\x01'), salt(16, '\x02'), secret(8, '\x03'), ad(12, '\x04');
  EXPECT_EQ(ComputeHex(RfcInputs(Type::kD, pwd, salt, secret, ad), 32, GetParam()),
            "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb");
  EXPECT_EQ(ComputeHex(RfcInputs(Type::kI, pwd, salt, secret, ad), 32, GetParam()),
            "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
  EXPECT_EQ(ComputeHex(RfcInputs(Type::kId, pwd, salt, secret, ad), 32, GetParam()),
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
}

std::string LibArgon2Hex(const Inputs& in, std::size_t tag_bytes) {
  std::vector<std::uint8_t> out(tag_bytes);
  argon2_context ctx{};
  ctx.out = out.data();
  ctx.outlen = static_cast<std::uint32_t>(out.size());
  ctx.pwd = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.password.data()));
  ctx.pwdlen = static_cast<std::uint32_t>(in.password.size());
  ctx.salt = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.salt.data()));
  ctx.saltlen = static_cast<std::uint32_t>(in.salt.size());
  ctx.t_cost = in.time_cost;
  ctx.m_cost = in.memory_kib;
  ctx.lanes = in.parallelism;
  ctx.threads = 1;
  ctx.version = in.version;
  ctx.flags = ARGON2_DEFAULT_FLAGS;
  const int rc = argon2_ctx(&ctx, static_cast<argon2_type>(in.type));
  if (rc != ARGON2_OK) return std::string("libargon2: ") + argon2_error_message(rc);
  return Hex(out);
}

TEST_P(Argon2CoreTest, MatchesLibArgon2OnRandomParameters) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 120; ++round) {
    Inputs in;
    in.type = static_cast<Type>(rng() % 3);
    in.version = rng() % 4 == 0 ? kVersion10 : kVersion13;
    in.parallelism = 1 + rng() % 8;
    in.time_cost = 1 + rng() % 4;
    // From the minimum (8p) up to a few thousand KiB, including sizes that
    // are no multiple of 4p (m' rounds down) and segments over 128 blocks.
    in.memory_kib = 8 * in.parallelism + rng() % 2048;
    std::string pwd(rng() % 80, '\0'), salt(8 + rng() % 40, '\0');
    for (char& c : pwd) c = static_cast<char>(rng());
    for (char& c : salt) c = static_cast<char>(rng());
    in.password = pwd;
    in.salt = salt;
    const std::size_t tag_bytes = 4 + rng() % 200;
    const std::uint32_t threads = 1 + rng() % 3;
    ASSERT_EQ(ComputeHex(in, tag_bytes, GetParam(), threads), LibArgon2Hex(in, tag_bytes))
        << "round " << round << " type " << static_cast<int>(in.type) << " v" << in.version
        << " m=" << in.memory_kib << " t=" << in.time_cost << " p=" << in.parallelism << " salt "
        << salt.size() << " tag " << tag_bytes;
  }
}

TEST_P(Argon2CoreTest, MatchesLibArgon2AtProductionParameters) {
  Inputs in;  // m = 64 MiB, t = 3, p = 4, argon2id v=19
  in.password = "Str0ng!Passw0rd";
  in.salt = "0123456789abcdef";
  EXPECT_EQ(ComputeHex(in, 32, GetParam(), 2), LibArgon2Hex(in, 32));
}

TEST_P(Argon2CoreTest, RejectsInvalidInputs) {
  Inputs in;
  in.memory_kib = 64;
  in.parallelism = 1;
  in.time_cost = 1;
  in.salt = "saltsalt";
  std::vector<std::uint8_t> out(32);
  EXPECT_TRUE(Compute(in, out, GetParam(), 1));
  Inputs bad = in;
  bad.time_cost = 0;
  EXPECT_FALSE(Compute(bad, out, GetParam(), 1));
  bad = in;
  bad.parallelism = 9;  // m < 8p
  EXPECT_FALSE(Compute(bad, out, GetParam(), 1));
  bad = in;
  bad.salt = "short";
  EXPECT_FALSE(Compute(bad, out, GetParam(), 1));
  bad = in;
  bad.version = 0x12;
  EXPECT_FALSE(Compute(bad, out, GetParam(), 1));
  std::vector<std::uint8_t> tiny(3);
  EXPECT_FALSE(Compute(in, tiny, GetParam(), 1));
}

INSTANTIATE_TEST_SUITE_P(Kernels, Argon2CoreTest,
                         ::testing::ValuesIn(AvailableKernels().begin(), AvailableKernels().end()),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return std::string(KernelName(info.param));
                         });

TEST(Argon2KernelTest, PortableAndBestAreAvailable) {
  const auto kernels = AvailableKernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(kernels.front(), Kernel::kPortable);
  EXPECT_EQ(BestKernel(), kernels.back());
}

}  // namespace
}  // namespace authd::crypto::argon2
