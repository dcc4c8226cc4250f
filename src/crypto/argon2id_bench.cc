// Raw argon2id rate on this machine: the physical ceiling for POST /auth/login.
//
// Each iteration is one Argon2Verify of a PHC string hashed with the
// production defaults (m=65536 KiB, t=3, p=4), i.e. exactly the work a
// successful login costs. libargon2 runs the p=4 lanes inside one call
// (single-threaded unless built with pthreads), so ->Threads(N) with
// UseRealTime measures N concurrent verifies: items_per_second of the
// Threads(<nproc>) row is "hashes per second on all cores".
//
//   build/authd_bench --benchmark_filter=Argon2 --benchmark_min_time=5s
#include <string>

#include <benchmark/benchmark.h>

#include "crypto/argon2id.h"
#include "crypto/random.h"

namespace {

using authd::crypto::Argon2idHash;
using authd::crypto::Argon2Params;
using authd::crypto::Argon2Verify;

constexpr const char* kPassword = "Str0ng!Passw0rd";

const std::string& ProductionHash() {
  static const std::string phc = [] {
    auto r = Argon2idHash(kPassword, Argon2Params{}, authd::crypto::OsRandom());
    return r.ok() ? *r : std::string();
  }();
  return phc;
}

void BM_Argon2idVerify_m64MiB_t3_p4(benchmark::State& state) {
  const std::string& phc = ProductionHash();
  if (phc.empty()) {
    state.SkipWithError("Argon2idHash failed");
    return;
  }
  for (auto _ : state) {
    bool ok = Argon2Verify(kPassword, phc);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idVerify_m64MiB_t3_p4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

void BM_Argon2idHash_m64MiB_t3_p4(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Argon2idHash(kPassword, Argon2Params{}, authd::crypto::OsRandom());
    if (!r.ok()) state.SkipWithError("hash failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idHash_m64MiB_t3_p4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

}  // namespace
