// The portable G of RFC 9106 §3.5-3.6, and the run-time choice of kernel.

#include "crypto/argon2_kernel.h"

namespace authd::crypto::argon2 {
namespace {

constexpr std::uint64_t RotR(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

// BlaMka: the Blake2b addition with a 32x32-bit product mixed in.
constexpr std::uint64_t BlaMka(std::uint64_t x, std::uint64_t y) {
  return x + y + 2 * (x & 0xffffffffULL) * (y & 0xffffffffULL);
}

inline void Gb(std::uint64_t& a, std::uint64_t& b, std::uint64_t& c, std::uint64_t& d) {
  a = BlaMka(a, b);
  d = RotR(d ^ a, 32);
  c = BlaMka(c, d);
  b = RotR(b ^ c, 24);
  a = BlaMka(a, b);
  d = RotR(d ^ a, 16);
  c = BlaMka(c, d);
  b = RotR(b ^ c, 63);
}

// The permutation P over 16 words v[idx[0]], ..., v[idx[15]].
inline void Permute(std::uint64_t* w, const std::size_t (&idx)[16]) {
  std::uint64_t v[16];
  for (int i = 0; i < 16; ++i) v[i] = w[idx[i]];
  Gb(v[0], v[4], v[8], v[12]);
  Gb(v[1], v[5], v[9], v[13]);
  Gb(v[2], v[6], v[10], v[14]);
  Gb(v[3], v[7], v[11], v[15]);
  Gb(v[0], v[5], v[10], v[15]);
  Gb(v[1], v[6], v[11], v[12]);
  Gb(v[2], v[7], v[8], v[13]);
  Gb(v[3], v[4], v[9], v[14]);
  for (int i = 0; i < 16; ++i) w[idx[i]] = v[i];
}

}  // namespace

void FillBlockPortable(const Block& prev, const Block& ref, Block& next, bool xor_into_next) {
  Block r;
  Block keep;
  for (std::size_t i = 0; i < kBlockWords; ++i) {
    r.v[i] = prev.v[i] ^ ref.v[i];
    keep.v[i] = xor_into_next ? r.v[i] ^ next.v[i] : r.v[i];
  }
  // Rows: the eight 128-byte rows, each 16 consecutive words.
  for (std::size_t row = 0; row < 8; ++row) {
    std::size_t idx[16];
    for (std::size_t k = 0; k < 16; ++k) idx[k] = 16 * row + k;
    Permute(r.v, idx);
  }
  // Columns: column c takes the 16-byte registers c, c+8, ..., c+56.
  for (std::size_t col = 0; col < 8; ++col) {
    std::size_t idx[16];
    for (std::size_t k = 0; k < 8; ++k) {
      idx[2 * k] = 2 * col + 16 * k;
      idx[2 * k + 1] = 2 * col + 16 * k + 1;
    }
    Permute(r.v, idx);
  }
  for (std::size_t i = 0; i < kBlockWords; ++i) next.v[i] = r.v[i] ^ keep.v[i];
}

const char* KernelName(Kernel kernel) {
  switch (kernel) {
    case Kernel::kPortable:
      return "portable";
    case Kernel::kSsse3:
      return "ssse3";
    case Kernel::kAvx2:
      return "avx2";
    case Kernel::kAvx512:
      return "avx512";
  }
  return "?";
}

std::span<const Kernel> AvailableKernels() {
  static const struct Found {
    Kernel kernels[4];
    std::size_t n = 0;
    Found() {
      kernels[n++] = Kernel::kPortable;
#if defined(__x86_64__)
      __builtin_cpu_init();
      if (__builtin_cpu_supports("ssse3")) kernels[n++] = Kernel::kSsse3;
      if (__builtin_cpu_supports("avx2")) kernels[n++] = Kernel::kAvx2;
      if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        kernels[n++] = Kernel::kAvx512;
      }
#endif
    }
  } found;
  return {found.kernels, found.n};
}

Kernel BestKernel() {
  static const Kernel best = AvailableKernels().back();
  return best;
}

FillBlockFn FillBlockOf(Kernel kernel) {
  switch (kernel) {
#if defined(__x86_64__)
    case Kernel::kSsse3:
      return FillBlockSsse3;
    case Kernel::kAvx2:
      return FillBlockAvx2;
    case Kernel::kAvx512:
      return FillBlockAvx512;
#endif
    default:
      return FillBlockPortable;
  }
}

}  // namespace authd::crypto::argon2
