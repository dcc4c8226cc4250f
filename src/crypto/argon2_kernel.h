// The Argon2 compression function G (RFC 9106 §3.5) in several
// implementations: a portable one and, on x86-64, SSSE3, AVX2 and AVX-512
// (F + BW) ones chosen at run time by what the CPU supports. They compute the same
// bits; only their speed differs. Internal to src/crypto (argon2_core.cc).
#ifndef AUTHD_CRYPTO_ARGON2_KERNEL_H_
#define AUTHD_CRYPTO_ARGON2_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace authd::crypto::argon2 {

constexpr std::size_t kBlockWords = 128;  // 1024 bytes

struct alignas(64) Block {
  std::uint64_t v[kBlockWords];
};

// next = G(prev, ref), or next ^= G(prev, ref) when `xor_into_next`
// (passes after the first, version 0x13). `next` may not alias the inputs.
using FillBlockFn = void (*)(const Block& prev, const Block& ref, Block& next, bool xor_into_next);

enum class Kernel { kPortable, kSsse3, kAvx2, kAvx512 };

const char* KernelName(Kernel kernel);

// The kernels this build has and this CPU runs, slowest first; kPortable
// is always there.
std::span<const Kernel> AvailableKernels();

// The fastest of AvailableKernels().
Kernel BestKernel();

// The fill function of an available kernel.
FillBlockFn FillBlockOf(Kernel kernel);

// Per implementation (argon2_kernel_portable.cc / argon2_kernel_x86.cc).
void FillBlockPortable(const Block& prev, const Block& ref, Block& next, bool xor_into_next);
#if defined(__x86_64__)
void FillBlockSsse3(const Block& prev, const Block& ref, Block& next, bool xor_into_next);
void FillBlockAvx2(const Block& prev, const Block& ref, Block& next, bool xor_into_next);
void FillBlockAvx512(const Block& prev, const Block& ref, Block& next, bool xor_into_next);
#endif

}  // namespace authd::crypto::argon2

#endif  // AUTHD_CRYPTO_ARGON2_KERNEL_H_
