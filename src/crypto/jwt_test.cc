#include "crypto/jwt.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace authd::crypto {
namespace {

constexpr std::string_view kKey = "unit-test-key-0123456789abcdef0123456789";
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::string_view kPayload = R"({"sub":"u1","iat":1699999000,"exp":1700003600})";

std::string B64(std::string_view s) { return Base64UrlEncode(s); }

// Builds a correctly signed token from arbitrary header and payload bytes.
std::string Make(std::string_view header, std::string_view payload, std::string_view key = kKey) {
  const std::string input = B64(header) + "." + B64(payload);
  return input + "." + B64(HmacSha256(key, input));
}

// The error of a verification that must fail.
JwtError Rejects(std::string_view token, std::int64_t now = kNow) {
  const JwtVerifyResult r = JwtVerifyHs256(token, kKey, now);
  EXPECT_FALSE(r.jwt.has_value()) << token;
  return r.error;
}

bool Accepts(std::string_view token, std::int64_t now = kNow) {
  return JwtVerifyHs256(token, kKey, now).jwt.has_value();
}

TEST(Jwt, SignUsesFixedHeader) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  EXPECT_EQ(token, Make(kHeader, kPayload));
}

TEST(Jwt, RoundTrips) {
  const JwtVerifyResult r = JwtVerifyHs256(JwtSignHs256(kPayload, kKey), kKey, kNow);
  ASSERT_TRUE(r.jwt.has_value());
  EXPECT_EQ(r.jwt->payload_json, kPayload);
  EXPECT_EQ(r.jwt->exp, 1700003600);
  EXPECT_EQ(r.jwt->iat, 1699999000);
}

TEST(Jwt, AcceptsTokenWithoutTimeClaims) {
  const JwtVerifyResult r = JwtVerifyHs256(Make(kHeader, "{}"), kKey, kNow);
  ASSERT_TRUE(r.jwt.has_value());
  EXPECT_EQ(r.jwt->exp, 0);
  EXPECT_EQ(r.jwt->iat, 0);
}

TEST(Jwt, AcceptsHeaderWithoutTyp) {
  EXPECT_TRUE(Accepts(Make(R"({"alg":"HS256"})", kPayload)));
  EXPECT_TRUE(Accepts(Make(R"( { "typ" : "JWT" , "alg" : "HS256" } )", kPayload)));
}

TEST(Jwt, RejectsAlgNone) {
  const std::string h = R"({"alg":"none","typ":"JWT"})";
  EXPECT_EQ(Rejects(Make(h, kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(B64(h) + "." + B64(kPayload) + "."), JwtError::kBadAlgorithm);
}

TEST(Jwt, RejectsOtherAlgorithms) {
  for (const char* alg : {"HS384", "HS512", "RS256", "ES256", "hs256", "HS256 ", "", "NONE"}) {
    const std::string h = std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})";
    EXPECT_EQ(Rejects(Make(h, kPayload)), JwtError::kBadAlgorithm) << alg;
  }
}

TEST(Jwt, RejectsMissingOrNonStringAlg) {
  EXPECT_EQ(Rejects(Make(R"({"typ":"JWT"})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make("{}", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":256})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":["HS256"]})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":null})", kPayload)), JwtError::kBadAlgorithm);
}

TEST(Jwt, RejectsDuplicateAlg) {
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","alg":"none"})", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"({"alg":"none","alg":"HS256"})", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","al\u0067":"HS256"})", kPayload)), JwtError::kMalformed);
}

TEST(Jwt, RejectsCritAndB64) {
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","crit":["exp"]})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","crit":[]})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","b64":false})", kPayload)), JwtError::kBadAlgorithm);
}

TEST(Jwt, RejectsOtherTyp) {
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","typ":"xyz"})", kPayload)), JwtError::kBadAlgorithm);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256","typ":1})", kPayload)), JwtError::kBadAlgorithm);
}

TEST(Jwt, RejectsHeaderThatIsNotAJsonObject) {
  EXPECT_EQ(Rejects(Make("not json", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"(["alg","HS256"])", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"("HS256")", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make("", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256"}x)", kPayload)), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(R"({"alg":"HS256",})", kPayload)), JwtError::kMalformed);
}

TEST(Jwt, RejectsWrongSegmentCount) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  const std::string two = token.substr(0, token.rfind('.'));
  EXPECT_EQ(Rejects(two), JwtError::kMalformed);
  EXPECT_EQ(Rejects(token + ".e30"), JwtError::kMalformed);
  EXPECT_EQ(Rejects(token + "."), JwtError::kMalformed);
  EXPECT_EQ(Rejects(""), JwtError::kMalformed);
  EXPECT_EQ(Rejects(".."), JwtError::kMalformed);
  EXPECT_EQ(Rejects(B64(kHeader)), JwtError::kMalformed);
}

TEST(Jwt, RejectsWhitespaceAndTrailingData) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  EXPECT_EQ(Rejects(token + " "), JwtError::kMalformed);
  EXPECT_EQ(Rejects(token + "\n"), JwtError::kMalformed);
  EXPECT_EQ(Rejects(" " + token), JwtError::kMalformed);
  EXPECT_EQ(Rejects(token + std::string(1, '\0')), JwtError::kMalformed);
  const size_t dot = token.find('.');
  const std::string spaced = token.substr(0, dot + 1) + ' ' + token.substr(dot + 1);
  EXPECT_EQ(Rejects(spaced), JwtError::kMalformed);
}

TEST(Jwt, RejectsPaddingInAnySegment) {
  // {"a":1} is 7 bytes: its base64url needs padding in the padded alphabet.
  const std::string payload = R"({"a":1})";
  const std::string header = B64(kHeader);
  const std::string padded_payload = B64(payload) + "=";
  const std::string input = header + "." + padded_payload;
  EXPECT_EQ(Rejects(input + "." + B64(HmacSha256(kKey, input))), JwtError::kMalformed);
  const std::string token = JwtSignHs256(kPayload, kKey);  // 43-char signature
  EXPECT_EQ(Rejects(token + "="), JwtError::kMalformed);
  const std::string h2 = B64(R"({"alg":"HS256"} )") + "==";
  const std::string input2 = h2 + "." + B64(kPayload);
  EXPECT_EQ(Rejects(input2 + "." + B64(HmacSha256(kKey, input2))), JwtError::kMalformed);
}

TEST(Jwt, RejectsInvalidBase64UrlCharacters) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  for (char bad : {'+', '/', '*', '~'}) {
    std::string t = token;
    t[token.find('.') + 3] = bad;
    EXPECT_EQ(Rejects(t), JwtError::kMalformed) << bad;
  }
}

TEST(Jwt, RejectsWrongKey) {
  const std::string token = JwtSignHs256(kPayload, "another-key");
  EXPECT_EQ(Rejects(token), JwtError::kBadSignature);
  EXPECT_EQ(JwtVerifyHs256(JwtSignHs256(kPayload, kKey), "", kNow).error, JwtError::kBadSignature);
}

TEST(Jwt, RejectsFlippedSignatureBit) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  const std::size_t dot = token.rfind('.');
  std::string sig = *Base64UrlDecode(token.substr(dot + 1));
  for (std::size_t bit = 0; bit < sig.size() * 8; bit += 37) {
    std::string flipped = sig;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(Rejects(token.substr(0, dot + 1) + B64(flipped)), JwtError::kBadSignature);
  }
  EXPECT_EQ(Rejects(token.substr(0, dot + 1) + B64(sig.substr(0, 31))), JwtError::kBadSignature);
}

TEST(Jwt, RejectsModifiedPayload) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  const std::string forged = token.substr(0, dot1 + 1) +
                             B64(R"({"sub":"admin","iat":1699999000,"exp":1700003600})") +
                             token.substr(dot2);
  EXPECT_EQ(Rejects(forged), JwtError::kBadSignature);
}

TEST(Jwt, ChecksSignatureBeforeParsingPayload) {
  // An unparseable payload under a bad signature reports the signature.
  const std::string input = B64(kHeader) + "." + B64("{not json");
  EXPECT_EQ(Rejects(input + "." + B64(HmacSha256("other", input))), JwtError::kBadSignature);
  EXPECT_EQ(Rejects(input + "." + B64(HmacSha256(kKey, input))), JwtError::kMalformed);
}

TEST(Jwt, RejectsPayloadThatIsNotAJsonObject) {
  EXPECT_EQ(Rejects(Make(kHeader, "[1,2]")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, "\"str\"")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, "")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":1,"exp":9999999999})")), JwtError::kMalformed);
}

TEST(Jwt, RejectsExpiredAtAndAfterExp) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  EXPECT_TRUE(Accepts(token, 1700003599));
  EXPECT_EQ(Rejects(token, 1700003600), JwtError::kExpired);
  EXPECT_EQ(Rejects(token, 1700003601), JwtError::kExpired);
  EXPECT_EQ(Rejects(token, std::numeric_limits<std::int64_t>::max()), JwtError::kExpired);
}

TEST(Jwt, HonoursFractionalAndHugeExp) {
  const JwtVerifyResult r = JwtVerifyHs256(Make(kHeader, R"({"exp":1700000000.5})"), kKey, kNow);
  ASSERT_TRUE(r.jwt.has_value());
  EXPECT_EQ(r.jwt->exp, 1700000000);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":1700000000.5})"), kNow + 1), JwtError::kExpired);
  const JwtVerifyResult huge = JwtVerifyHs256(Make(kHeader, R"({"exp":1e300})"), kKey, kNow);
  ASSERT_TRUE(huge.jwt.has_value());
  EXPECT_EQ(huge.jwt->exp, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":1e999})")), JwtError::kMalformed);
}

TEST(Jwt, RejectsNotYetValid) {
  EXPECT_EQ(Rejects(Make(kHeader, R"({"nbf":1700000001,"exp":1700003600})")),
            JwtError::kNotYetValid);
  EXPECT_TRUE(Accepts(Make(kHeader, R"({"nbf":1700000000,"exp":1700003600})")));
}

TEST(Jwt, RejectsNonNumericTimeClaims) {
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":"1700003600"})")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":null})")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":true})")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"exp":[1700003600]})")), JwtError::kMalformed);
  EXPECT_EQ(Rejects(Make(kHeader, R"({"nbf":"0"})")), JwtError::kMalformed);
  // Like jsonwebtoken, a non-numeric iat is ignored.
  const JwtVerifyResult r = JwtVerifyHs256(Make(kHeader, R"({"iat":"x"})"), kKey, kNow);
  ASSERT_TRUE(r.jwt.has_value());
  EXPECT_EQ(r.jwt->iat, 0);
}

TEST(Jwt, RejectsOversizedToken) {
  const std::string payload = "{\"pad\":\"" + std::string(70000, 'a') + "\"}";
  EXPECT_EQ(Rejects(Make(kHeader, payload)), JwtError::kMalformed);
}

TEST(Jwt, RejectsEverySingleCharacterMutation) {
  const std::string token = JwtSignHs256(kPayload, kKey);
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (char c : {'A', 'B', 'g', 'w', '-', '_', '.', '='}) {
      if (token[i] == c) continue;
      std::string t = token;
      t[i] = c;
      EXPECT_FALSE(Accepts(t)) << "position " << i << " char " << c;
    }
  }
}

// Issued by the reference server (Node, jsonwebtoken) with its dev default
// JWT_SECRET; /work/shared/anchors/nest-ref/transcripts.md, "signup (new
// user)", accessToken <A1>.
constexpr std::string_view kRefSecret = "nest-ref-dev-secret-0123456789abcdef0123456789";
constexpr std::string_view kRefToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6IjVmYjc4MzU2LWFhYmEtNGM0My1iMjI3LWNjMDczNDc2NWZjOCIsInN1YiI6IjVm"
    "Yjc4MzU2LWFhYmEtNGM0My1iMjI3LWNjMDczNDc2NWZjOCIsInNlc3Npb25JZCI6IjY3YzE2"
    "ZmU3LTg0ODEtNDdmNi1iNDUyLWUxYzQ0MWZhYjVkYyIsImVtYWlsIjoidDE3OTU2MjcwNjQt"
    "bWFpbkBleGFtcGxlLmNvbSIsInBob25lIjpudWxsLCJlbWFpbFZlcmlmaWVkQXQiOm51bGws"
    "InBob25lVmVyaWZpZWRBdCI6bnVsbCwicm9sZXMiOltdLCJ0ZW5hbnRJZCI6bnVsbCwiaXNN"
    "ZmFFbmFibGVkIjpmYWxzZSwiaXNNZmFWZXJpZmllZCI6ZmFsc2UsInR5cGUiOiJhY2Nlc3Mi"
    "LCJpYXQiOjE3OTU2MjcwNjQsImV4cCI6MTc5NTYzMDY2NH0."
    "gW7bpXjbE0tJME2AbGLyEKQdbxxT_QvPCfyOQZhtDeo";
constexpr std::string_view kRefPayload =
    R"({"id":"5fb78356-aaba-4c43-b227-cc0734765fc8",)"
    R"("sub":"5fb78356-aaba-4c43-b227-cc0734765fc8",)"
    R"("sessionId":"67c16fe7-8481-47f6-b452-e1c441fab5dc",)"
    R"("email":"t1795627064-main@example.com","phone":null,)"
    R"("emailVerifiedAt":null,"phoneVerifiedAt":null,"roles":[],)"
    R"("tenantId":null,"isMfaEnabled":false,"isMfaVerified":false,)"
    R"("type":"access","iat":1795627064,"exp":1795630664})";

TEST(JwtCompat, VerifiesReferenceToken) {
  const JwtVerifyResult r = JwtVerifyHs256(kRefToken, kRefSecret, 1795627100);
  ASSERT_TRUE(r.jwt.has_value()) << static_cast<int>(r.error);
  EXPECT_EQ(r.jwt->payload_json, kRefPayload);
  EXPECT_EQ(r.jwt->iat, 1795627064);
  EXPECT_EQ(r.jwt->exp, 1795630664);
  EXPECT_EQ(JwtVerifyHs256(kRefToken, kRefSecret, 1795630664).error, JwtError::kExpired);
  EXPECT_EQ(JwtVerifyHs256(kRefToken, kKey, 1795627100).error, JwtError::kBadSignature);
}

TEST(JwtCompat, SignReproducesReferenceTokenBytes) {
  EXPECT_EQ(JwtSignHs256(kRefPayload, kRefSecret), kRefToken);
}

}  // namespace
}  // namespace authd::crypto
