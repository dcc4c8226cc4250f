// JSON micro-benchmarks: the claims codec (http/claims_json.h) in both
// directions and the header-mode token response body of login/refresh
// (http/token_transport.h TokenTransport::TokenResponse).
//
//   build/authd_bench --benchmark_filter='Claims|TokenResponse'
#include <memory>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include "core/clock.h"
#include "crypto/random.h"
#include "http/claims_json.h"
#include "http/http_options.h"
#include "http/message.h"
#include "http/token_transport.h"
#include "session/claims.h"
#include "session/token_service.h"

namespace {

using namespace authd;

constexpr std::int64_t kNow = 1'764'000'000;

session::TokenClaims Claims(bool refresh) {
  session::TokenClaims c;
  c.user_id = "0b7d9a8c-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
  c.session_id = "6f1c2b9e-6a0b-4d43-9b8e-1f2a3b4c5d6e";
  c.email = "bench@example.com";
  c.type = refresh ? session::kTokenTypeRefresh : session::kTokenTypeAccess;
  if (refresh) c.jti = "c0ffee00-1234-4abc-8def-0123456789ab";
  c.iat = kNow;
  c.exp = kNow + (refresh ? 2592000 : 3600);
  return c;
}

void BM_ClaimsEncode_Access(benchmark::State& state) {
  auto codec = http::NewJsonClaimsCodec();
  const session::TokenClaims c = Claims(false);
  for (auto _ : state) {
    std::string s = codec->Encode(c);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClaimsEncode_Access);

void BM_ClaimsEncode_RefreshWithRole(benchmark::State& state) {
  auto codec = http::NewJsonClaimsCodec();
  session::TokenClaims c = Claims(true);
  c.email_verified_at = kNow * 1000 + 123;
  c.roles.push_back({"r-1", "user", "web", std::nullopt, false, true});
  for (auto _ : state) {
    std::string s = codec->Encode(c);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClaimsEncode_RefreshWithRole);

void BM_ClaimsDecode_Access(benchmark::State& state) {
  auto codec = http::NewJsonClaimsCodec();
  const std::string json = codec->Encode(Claims(false));
  for (auto _ : state) {
    auto c = codec->Decode(json);
    if (!c) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClaimsDecode_Access);

// {"accessToken":..,"refreshToken":..,"isRequiresMfa":false,"message":..}
// built and serialised as the login/refresh handlers do in header mode.
void BM_TokenResponse_HeaderMode(benchmark::State& state) {
  http::HttpOptions opt;
  opt.token_mode = http::TokenMode::kHeader;
  http::TokenTransport tt(opt, 3600, 2592000, core::SystemClock(), crypto::OsRandom());
  http::Request req;
  req.method = "POST";
  req.target = req.path = "/auth/login";
  req.headers = {{"content-type", "application/json"}};
  session::TokenPair pair;
  pair.access_token = std::string(420, 'a');  // typical authd sizes
  pair.refresh_token = std::string(480, 'r');
  for (auto _ : state) {
    boost::json::object body;
    body["isRequiresMfa"] = false;
    body["message"] = "Login successful";
    http::Response r = tt.TokenResponse(req, pair, std::move(body), std::nullopt);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenResponse_HeaderMode);

}  // namespace
