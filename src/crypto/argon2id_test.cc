#include "crypto/argon2id.h"

#include <gtest/gtest.h>

#include <cstring>
#include <regex>
#include <string>
#include <vector>

namespace authd::crypto {
namespace {

// Small parameters keep the suite fast; one test uses the real defaults.
Argon2Params FastParams() {
  Argon2Params p;
  p.memory_kib = 4096;
  p.time_cost = 1;
  p.parallelism = 1;
  return p;
}

// Replays a fixed byte string so a hash can be compared with a known answer.
class FixedRandom final : public SecureRandom {
 public:
  explicit FixedRandom(std::string bytes) : bytes_(std::move(bytes)) {}
  void Fill(void* out, std::size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n; ++i) {
      p[i] = static_cast<unsigned char>(bytes_[i % bytes_.size()]);
    }
  }

 private:
  std::string bytes_;
};

const std::regex& PhcRegex() {
  static const std::regex re(
      R"(^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$)");
  return re;
}

TEST(Argon2id, HashHasNodeArgon2Format) {
  const auto phc = Argon2idHash("pw", FastParams(), OsRandom());
  ASSERT_TRUE(phc.ok());
  std::smatch m;
  ASSERT_TRUE(std::regex_match(*phc, m, PhcRegex())) << *phc;
  EXPECT_EQ(m[1], "4096");
  EXPECT_EQ(m[2], "1");
  EXPECT_EQ(m[3], "1");
}

TEST(Argon2id, HashMatchesReferenceCliForFixedSalt) {
  // echo -n password | argon2 somesaltsomesalt -id -t 1 -m 12 -p 1 -l 32 -e
  FixedRandom salt("somesaltsomesalt");
  const auto phc = Argon2idHash("password", FastParams(), salt);
  ASSERT_TRUE(phc.ok());
  EXPECT_EQ(*phc,
            "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
            "2gwotFrXd0+zAFJqh3DHaDnAxcUpU8hrA/whR9a0Ls0");
}

TEST(Argon2id, SaltsDiffer) {
  const auto a = Argon2idHash("pw", FastParams(), OsRandom());
  const auto b = Argon2idHash("pw", FastParams(), OsRandom());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(Argon2id, VerifiesCorrectPasswordOnly) {
  const auto phc = Argon2idHash("correct horse", FastParams(), OsRandom());
  ASSERT_TRUE(phc.ok());
  EXPECT_TRUE(Argon2Verify("correct horse", *phc));
  EXPECT_FALSE(Argon2Verify("correct horsE", *phc));
  EXPECT_FALSE(Argon2Verify("", *phc));
  EXPECT_FALSE(Argon2Verify("correct horse ", *phc));
}

TEST(Argon2id, HandlesEmptyAndBinaryPasswords) {
  const auto empty = Argon2idHash("", FastParams(), OsRandom());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(Argon2Verify("", *empty));
  const std::string binary("a\0b", 3);
  const auto bin = Argon2idHash(binary, FastParams(), OsRandom());
  ASSERT_TRUE(bin.ok());
  EXPECT_TRUE(Argon2Verify(binary, *bin));
  EXPECT_FALSE(Argon2Verify("a", *bin));
}

TEST(Argon2id, DefaultParamsMatchReference) {
  const auto phc = Argon2idHash("Str0ng!Passw0rd", Argon2Params{}, OsRandom());
  ASSERT_TRUE(phc.ok());
  EXPECT_EQ(phc->rfind("$argon2id$v=19$m=65536,t=3,p=4$", 0), 0u) << *phc;
  EXPECT_TRUE(std::regex_match(*phc, PhcRegex()));
  EXPECT_TRUE(Argon2Verify("Str0ng!Passw0rd", *phc));
}

TEST(Argon2id, VerifyUsesParamsFromTheString) {
  Argon2Params other = FastParams();
  other.time_cost = 2;
  other.parallelism = 2;
  const auto phc = Argon2idHash("pw", other, OsRandom());
  ASSERT_TRUE(phc.ok());
  EXPECT_NE(phc->find("m=4096,t=2,p=2$"), std::string::npos);
  EXPECT_TRUE(Argon2Verify("pw", *phc));
}

// Generated with Debian's argon2 CLI (libargon2 20171227), e.g.
//   echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
TEST(Argon2id, VerifiesKnownAnswerVectors) {
  EXPECT_TRUE(Argon2Verify("password",
                           "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$"
                           "GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"));
  EXPECT_TRUE(Argon2Verify("password",
                           "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$"
                           "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc"));
  EXPECT_TRUE(Argon2Verify("Str0ng!Passw0rd",
                           "$argon2id$v=19$m=4096,t=2,p=2$MDEyMzQ1Njc4OWFiY2RlZg$"
                           "Qz+bVDmEK0TwN7E8TKYtou1+51Jzu7spE1qLoIwrhd0"));
  EXPECT_FALSE(Argon2Verify("passwore",
                            "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$"
                            "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc"));
}

TEST(Argon2id, VerifiesArgon2iAndArgon2d) {
  // echo -n password | argon2 somesalt -i -t 2 -m 12 -p 1 -l 32 -e   (and -d -p
  // 2)
  const std::string i =
      "$argon2i$v=19$m=4096,t=2,p=1$c29tZXNhbHQ$"
      "QuwEJiXx4wjwzsNqZTfeDSW7nqhXbjXKyrVnp8/gBxw";
  const std::string d =
      "$argon2d$v=19$m=4096,t=2,p=2$c29tZXNhbHQ$"
      "YJIjERbnMCO/JKyOJWUa+KbHs/a+XyW/M1o67TWqg00";
  EXPECT_TRUE(Argon2Verify("password", i));
  EXPECT_TRUE(Argon2Verify("password", d));
  EXPECT_FALSE(Argon2Verify("wrong", i));
  // Same salt and hash relabelled with another variant must not verify.
  std::string relabelled = i;
  relabelled.replace(0, 9, "$argon2d$");
  EXPECT_FALSE(Argon2Verify("password", relabelled));
}

TEST(Argon2id, MalformedStringsVerifyFalse) {
  const std::string good =
      "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$"
      "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc";
  ASSERT_TRUE(Argon2Verify("password", good));
  const std::string salt_hash = "c29tZXNhbHQ$yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc";
  const std::vector<std::string> cases = {
      std::string(""),
      std::string("password"),
      std::string("$argon2id$"),
      "$argon2x$v=19$m=4096,t=1,p=1$" + salt_hash,
      "$argon2ID$v=19$m=4096,t=1,p=1$" + salt_hash,
      "argon2id$v=19$m=4096,t=1,p=1$" + salt_hash,
      "$argon2id$v=20$m=4096,t=1,p=1$" + salt_hash,
      "$argon2id$m=4096,t=1,p=1$" + salt_hash,
      "$argon2id$v=19$t=1,m=4096,p=1$" + salt_hash,
      "$argon2id$v=19$m=4096,t=1$" + salt_hash,
      "$argon2id$v=19$m=4096,t=1,p=1,x=1$" + salt_hash,
      "$argon2id$v=19$m=04096,t=1,p=1$" + salt_hash,
      "$argon2id$v=19$m=-4096,t=1,p=1$" + salt_hash,
      "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt_hash,
      "$argon2id$v=19$m=4096,t=0,p=1$" + salt_hash,
      "$argon2id$v=19$m=4096,t=1,p=0$" + salt_hash,
      "$argon2id$v=19$m=4,t=1,p=1$" + salt_hash,
      good.substr(0, good.size() - 1),
      good + "=",
      good + "$",
      good + "$extra",
      good + " ",
      " " + good,
      "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ=$"
      "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc",
      "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$"
      "yIW3jKhc46JgZ3FAcoGEowrd6vyP_WTSy_wUREAmlwc",
      "$argon2id$v=19$m=4096,t=1,p=1$$"
      "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc",
      "$argon2id$v=19$m=4096,t=1,p=1$c29tZQ$"
      "yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc",     // 5-byte salt
      "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$yIW3",  // 3-byte hash
      good.substr(0, 41) + std::string(1, '\0') + good.substr(41),
  };
  for (const std::string& bad : cases) {
    EXPECT_FALSE(Argon2Verify("password", bad)) << bad;
  }
}

TEST(Argon2id, RejectsCostsBeyondCapsWithoutRunning) {
  // Would take minutes and gigabytes if honoured; must return false at once.
  const std::string salt_hash = "c29tZXNhbHQ$yIW3jKhc46JgZ3FAcoGEowrd6vyP/WTSy/wUREAmlwc";
  EXPECT_FALSE(Argon2Verify("password", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt_hash));
  EXPECT_FALSE(Argon2Verify("password", "$argon2id$v=19$m=4096,t=100000,p=1$" + salt_hash));
  EXPECT_FALSE(Argon2Verify("password", "$argon2id$v=19$m=65536,t=1,p=65$" + salt_hash));
}

TEST(Argon2id, HashRejectsOutOfRangeParams) {
  Argon2Params p = FastParams();
  p.salt_bytes = 4;
  EXPECT_FALSE(Argon2idHash("pw", p, OsRandom()).ok());
  p = FastParams();
  p.memory_kib = 1u << 22;
  EXPECT_FALSE(Argon2idHash("pw", p, OsRandom()).ok());
  p = FastParams();
  p.time_cost = 0;
  EXPECT_FALSE(Argon2idHash("pw", p, OsRandom()).ok());
}

}  // namespace
}  // namespace authd::crypto
