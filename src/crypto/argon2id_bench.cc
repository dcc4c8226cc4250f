// Raw argon2id rate on this machine: the physical ceiling for POST /auth/login.
//
// Each iteration is one Argon2Verify of a PHC string hashed with the
// production defaults (m=65536 KiB, t=3, p=4), i.e. exactly the work a
// successful login costs. A lone hash fills its p=4 lanes on every core;
// concurrent ones on one thread each (argon2id.cc), so ->Threads(N) with
// UseRealTime measures N concurrent verifies: items_per_second of the
// Threads(<nproc>) row is "hashes per second on all cores", and its CPU
// column the CPU of one hash.
//
//   build/authd_bench --benchmark_filter=Argon2 --benchmark_min_time=5s
#include <argon2.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "crypto/argon2_core.h"
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

// ---- The kernels, and libargon2 beside them ------------------------------
//
// One m=64 MiB, t=3, p=4 argon2id computation per iteration, lanes filled
// on args[1] threads. The CPU column counts the benchmark's own thread only;
// process_cpu_ms counts every thread of the process (the helpers too), so
// with one thread both agree, and with two it shows what the parallel fill
// costs in CPU. Run, e.g.:
//
//   build/authd_bench --benchmark_filter='Argon2(Kernel|LibArgon2)' --benchmark_repetitions=3
double ProcessCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

authd::crypto::argon2::Inputs ProductionInputs() {
  authd::crypto::argon2::Inputs in;  // argon2id v=19, m = 64 MiB, t = 3, p = 4
  in.password = kPassword;
  in.salt = "0123456789abcdef";
  return in;
}

void BM_Argon2Kernel(benchmark::State& state) {
  namespace a2 = authd::crypto::argon2;
  const auto kernel = static_cast<a2::Kernel>(state.range(0));
  const auto kernels = a2::AvailableKernels();
  if (std::find(kernels.begin(), kernels.end(), kernel) == kernels.end()) {
    state.SkipWithError("kernel not supported by this CPU");
    return;
  }
  state.SetLabel(a2::KernelName(kernel));
  const a2::Inputs in = ProductionInputs();
  std::uint8_t tag[32];
  const double cpu0 = ProcessCpuMs();
  for (auto _ : state) {
    if (!a2::Compute(in, tag, kernel, static_cast<std::uint32_t>(state.range(1)))) {
      state.SkipWithError("argon2 failed");
    }
    benchmark::DoNotOptimize(tag);
  }
  state.counters["process_cpu_ms"] =
      benchmark::Counter((ProcessCpuMs() - cpu0) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Argon2Kernel)
    ->ArgNames({"kernel", "threads"})
    ->ArgsProduct({{0, 1, 2, 3}, {1, 2}})
    ->Unit(benchmark::kMillisecond);

void BM_Argon2LibArgon2(benchmark::State& state) {
  const authd::crypto::argon2::Inputs in = ProductionInputs();
  std::uint8_t tag[32];
  const double cpu0 = ProcessCpuMs();
  for (auto _ : state) {
    argon2_context ctx{};
    ctx.out = tag;
    ctx.outlen = sizeof tag;
    ctx.pwd = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.password.data()));
    ctx.pwdlen = static_cast<std::uint32_t>(in.password.size());
    ctx.salt = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.salt.data()));
    ctx.saltlen = static_cast<std::uint32_t>(in.salt.size());
    ctx.t_cost = in.time_cost;
    ctx.m_cost = in.memory_kib;
    ctx.lanes = in.parallelism;
    ctx.threads = static_cast<std::uint32_t>(state.range(0));
    ctx.version = ARGON2_VERSION_13;
    if (argon2_ctx(&ctx, Argon2_id) != ARGON2_OK) state.SkipWithError("libargon2 failed");
    benchmark::DoNotOptimize(tag);
  }
  state.counters["process_cpu_ms"] =
      benchmark::Counter((ProcessCpuMs() - cpu0) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Argon2LibArgon2)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
