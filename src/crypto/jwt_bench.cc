// Micro-benchmarks of the per-request crypto of the hot routes:
//   - JWT HS256 sign (login, signup, refresh: two per token pair)
//   - JWT HS256 verify (every authenticated request, every refresh)
//   - HMAC-SHA256 hex of a refresh token (what a session stores; every
//     refresh computes it once for the presented token)
//   - a whole token pair via TokenService (claims JSON + 2 signs)
// The payloads are real authd access/refresh claims, encoded by the same
// codec the server uses (http/claims_json.h).
//
//   build/authd_bench --benchmark_filter='Jwt|Hmac|TokenService'
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "crypto/hmac.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "http/claims_json.h"
#include "session/claims.h"
#include "session/session.h"
#include "session/session_options.h"
#include "session/token_service.h"

namespace {

using namespace authd;

constexpr std::int64_t kNow = 1'764'000'000;  // 2025-11-24, seconds
const std::string kKey = "bench-secret-0123456789abcdef0123456789abcdef";

session::Session BenchSession() {
  session::Session s;
  s.id = core::SessionId("6f1c2b9e-6a0b-4d43-9b8e-1f2a3b4c5d6e");
  s.user_id = core::UserId("0b7d9a8c-1e2f-4a3b-8c4d-5e6f7a8b9c0d");
  s.data.user.id = s.user_id;
  s.data.user.email = "bench@example.com";
  s.data.user.created_at = s.data.user.updated_at = kNow * 1000;
  s.expires_at = (kNow + 2592000) * 1000;
  return s;
}

session::TokenClaims AccessClaims() {
  session::TokenClaims c;
  c.user_id = "0b7d9a8c-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
  c.session_id = "6f1c2b9e-6a0b-4d43-9b8e-1f2a3b4c5d6e";
  c.email = "bench@example.com";
  c.type = session::kTokenTypeAccess;
  c.iat = kNow;
  c.exp = kNow + 3600;
  return c;
}

const session::ClaimsCodec& Codec() {
  static const std::unique_ptr<session::ClaimsCodec> codec = http::NewJsonClaimsCodec();
  return *codec;
}

void BM_JwtSignHs256_AccessToken(benchmark::State& state) {
  const std::string payload = Codec().Encode(AccessClaims());
  for (auto _ : state) {
    std::string t = crypto::JwtSignHs256(payload, kKey);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtSignHs256_AccessToken);

void BM_JwtVerifyHs256_AccessToken(benchmark::State& state) {
  const std::string token = crypto::JwtSignHs256(Codec().Encode(AccessClaims()), kKey);
  state.counters["token_bytes"] = static_cast<double>(token.size());
  for (auto _ : state) {
    crypto::JwtVerifyResult r = crypto::JwtVerifyHs256(token, kKey, kNow + 1);
    if (!r.jwt) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtVerifyHs256_AccessToken);

// Verify + decode of the claims JSON: what TokenService::Verify does for
// every Bearer token.
void BM_TokenServiceVerify_AccessToken(benchmark::State& state) {
  session::SessionOptions opt;
  opt.jwt_secret = kKey;
  session::TokenService ts(opt, Codec(), crypto::OsRandom());
  const std::string token = crypto::JwtSignHs256(Codec().Encode(AccessClaims()), kKey);
  for (auto _ : state) {
    auto c = ts.Verify(token, kNow + 1);
    if (!c) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenServiceVerify_AccessToken);

void BM_HmacSha256Hex_RefreshToken(benchmark::State& state) {
  session::TokenClaims c = AccessClaims();
  c.type = session::kTokenTypeRefresh;
  c.jti = "c0ffee00-1234-4abc-8def-0123456789ab";
  c.exp = kNow + 2592000;
  const std::string refresh = crypto::JwtSignHs256(Codec().Encode(c), kKey);
  for (auto _ : state) {
    std::string h = crypto::HmacSha256Hex(kKey, refresh);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HmacSha256Hex_RefreshToken);

// Access + refresh token of a session (2 claim encodes, 2 signs, 1 uuid):
// the token half of login/refresh.
void BM_TokenServiceMint_Pair(benchmark::State& state) {
  session::SessionOptions opt;
  opt.jwt_secret = kKey;
  session::TokenService ts(opt, Codec(), crypto::OsRandom());
  const session::Session s = BenchSession();
  for (auto _ : state) {
    session::TokenPair p = ts.Mint(s, kNow);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenServiceMint_Pair);

// Successor pair of a rotation (derived jti: one extra HMAC).
void BM_TokenServiceMintSuccessor_Pair(benchmark::State& state) {
  session::SessionOptions opt;
  opt.jwt_secret = kKey;
  session::TokenService ts(opt, Codec(), crypto::OsRandom());
  const session::Session s = BenchSession();
  const std::string presented = ts.RefreshHash(ts.Mint(s, kNow).refresh_token);
  for (auto _ : state) {
    session::TokenPair p = ts.MintSuccessor(s, presented, kNow + 5);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenServiceMintSuccessor_Pair);

}  // namespace
