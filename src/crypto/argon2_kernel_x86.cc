// Vectorised G for x86-64. Each function carries its own target attribute,
// so the file builds with the baseline flags and the binary still runs on
// any x86-64: AvailableKernels() only offers what the CPU reports.
//
// The block is 64 registers R0..R63 of 16 bytes (RFC 9106 §3.6). P works
// on its 16 words v0..v15 as a 4x4 matrix (rows A, B, C, D): a column step
// then a diagonal step, the diagonal one done by rotating rows B, C, D so
// that the diagonals line up as columns, and back.
#if defined(__x86_64__)

#include <immintrin.h>

// GCC 12 flags its own avx512fintrin.h once inlined here (the intrinsics pass
// _mm512_undefined_epi32() as the unused source operand): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "crypto/argon2_kernel.h"

#define AUTHD_SSSE3 __attribute__((target("ssse3"), always_inline)) inline
#define AUTHD_AVX2 __attribute__((target("avx2"), always_inline)) inline
#define AUTHD_AVX512 __attribute__((target("avx512f,avx512bw"), always_inline)) inline

namespace authd::crypto::argon2 {
namespace {

// ---- SSSE3: two words per register, eight registers per P ----------------

AUTHD_SSSE3 __m128i RotR32(__m128i x) { return _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
AUTHD_SSSE3 __m128i RotR24(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10));
}
AUTHD_SSSE3 __m128i RotR16(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9));
}
AUTHD_SSSE3 __m128i RotR63(__m128i x) {
  return _mm_xor_si128(_mm_srli_epi64(x, 63), _mm_add_epi64(x, x));
}
AUTHD_SSSE3 __m128i BlaMka(__m128i x, __m128i y) {
  const __m128i m = _mm_mul_epu32(x, y);
  return _mm_add_epi64(_mm_add_epi64(x, y), _mm_add_epi64(m, m));
}
AUTHD_SSSE3 void Gb(__m128i& a, __m128i& b, __m128i& c, __m128i& d) {
  a = BlaMka(a, b);
  d = RotR32(_mm_xor_si128(d, a));
  c = BlaMka(c, d);
  b = RotR24(_mm_xor_si128(b, c));
  a = BlaMka(a, b);
  d = RotR16(_mm_xor_si128(d, a));
  c = BlaMka(c, d);
  b = RotR63(_mm_xor_si128(b, c));
}

// P on registers (a0 a1) (b0 b1) (c0 c1) (d0 d1) = v0..v15.
AUTHD_SSSE3 void P128(__m128i& a0, __m128i& a1, __m128i& b0, __m128i& b1, __m128i& c0, __m128i& c1,
                      __m128i& d0, __m128i& d1) {
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  // (v4 v5 v6 v7) -> (v5 v6 v7 v4), C swaps halves, (v12..v15) -> (v15 v12 v13 v14).
  __m128i t0 = _mm_alignr_epi8(b1, b0, 8);
  __m128i t1 = _mm_alignr_epi8(b0, b1, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm_alignr_epi8(d0, d1, 8);
  t1 = _mm_alignr_epi8(d1, d0, 8);
  d0 = t0;
  d1 = t1;
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  t0 = _mm_alignr_epi8(b0, b1, 8);
  t1 = _mm_alignr_epi8(b1, b0, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm_alignr_epi8(d1, d0, 8);
  t1 = _mm_alignr_epi8(d0, d1, 8);
  d0 = t0;
  d1 = t1;
}

// ---- AVX2: four words per register, four registers per P -----------------

AUTHD_AVX2 __m256i RotR32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
AUTHD_AVX2 __m256i RotR24(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1,
                          2, 11, 12, 13, 14, 15, 8, 9, 10));
}
AUTHD_AVX2 __m256i RotR16(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0,
                          1, 10, 11, 12, 13, 14, 15, 8, 9));
}
AUTHD_AVX2 __m256i RotR63(__m256i x) {
  return _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}
AUTHD_AVX2 __m256i BlaMka(__m256i x, __m256i y) {
  const __m256i m = _mm256_mul_epu32(x, y);
  return _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(m, m));
}
AUTHD_AVX2 void Gb(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = BlaMka(a, b);
  d = RotR32(_mm256_xor_si256(d, a));
  c = BlaMka(c, d);
  b = RotR24(_mm256_xor_si256(b, c));
  a = BlaMka(a, b);
  d = RotR16(_mm256_xor_si256(d, a));
  c = BlaMka(c, d);
  b = RotR63(_mm256_xor_si256(b, c));
}
AUTHD_AVX2 void P256(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  Gb(a, b, c, d);
  b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
  c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
  Gb(a, b, c, d);
  b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
  c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
}
// P of the SSSE3 layout on two states at once, one per 128-bit half: the
// eight registers (a0 a1) (b0 b1) (c0 c1) (d0 d1) hold v0..v15 of each.
AUTHD_AVX2 void P256Pair(__m256i& a0, __m256i& a1, __m256i& b0, __m256i& b1, __m256i& c0,
                         __m256i& c1, __m256i& d0, __m256i& d1) {
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  __m256i t0 = _mm256_alignr_epi8(b1, b0, 8);
  __m256i t1 = _mm256_alignr_epi8(b0, b1, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm256_alignr_epi8(d0, d1, 8);
  t1 = _mm256_alignr_epi8(d1, d0, 8);
  d0 = t0;
  d1 = t1;
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  t0 = _mm256_alignr_epi8(b0, b1, 8);
  t1 = _mm256_alignr_epi8(b1, b0, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm256_alignr_epi8(d1, d0, 8);
  t1 = _mm256_alignr_epi8(d0, d1, 8);
  d0 = t0;
  d1 = t1;
}

// ---- AVX-512: two P at once, one in each 256-bit half --------------------

AUTHD_AVX512 __m512i BlaMka(__m512i x, __m512i y) {
  const __m512i m = _mm512_mul_epu32(x, y);
  return _mm512_add_epi64(_mm512_add_epi64(x, y), _mm512_add_epi64(m, m));
}
AUTHD_AVX512 void Gb(__m512i& a, __m512i& b, __m512i& c, __m512i& d) {
  a = BlaMka(a, b);
  d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32);
  c = BlaMka(c, d);
  b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24);
  a = BlaMka(a, b);
  d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16);
  c = BlaMka(c, d);
  b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63);
}
AUTHD_AVX512 void P512(__m512i& a, __m512i& b, __m512i& c, __m512i& d) {
  Gb(a, b, c, d);
  b = _mm512_permutex_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
  c = _mm512_permutex_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm512_permutex_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
  Gb(a, b, c, d);
  b = _mm512_permutex_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
  c = _mm512_permutex_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm512_permutex_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
}
// P of the SSSE3 layout on four states at once, one per 128-bit quarter.
AUTHD_AVX512 void P512Quad(__m512i& a0, __m512i& a1, __m512i& b0, __m512i& b1, __m512i& c0,
                           __m512i& c1, __m512i& d0, __m512i& d1) {
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  __m512i t0 = _mm512_alignr_epi8(b1, b0, 8);
  __m512i t1 = _mm512_alignr_epi8(b0, b1, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm512_alignr_epi8(d0, d1, 8);
  t1 = _mm512_alignr_epi8(d1, d0, 8);
  d0 = t0;
  d1 = t1;
  Gb(a0, b0, c0, d0);
  Gb(a1, b1, c1, d1);
  t0 = _mm512_alignr_epi8(b0, b1, 8);
  t1 = _mm512_alignr_epi8(b1, b0, 8);
  b0 = t0;
  b1 = t1;
  t0 = c0;
  c0 = c1;
  c1 = t0;
  t0 = _mm512_alignr_epi8(d1, d0, 8);
  t1 = _mm512_alignr_epi8(d0, d1, 8);
  d0 = t0;
  d1 = t1;
}
// Words w[i..i+3] in the low half, w[j..j+3] in the high half.
AUTHD_AVX512 __m512i Load4x2(const std::uint64_t* w, int i, int j) {
  const __m256i lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + i));
  const __m256i hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + j));
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
AUTHD_AVX512 void Store4x2(std::uint64_t* w, int i, int j, __m512i x) {
  _mm256_store_si256(reinterpret_cast<__m256i*>(w + i), _mm512_castsi512_si256(x));
  _mm256_store_si256(reinterpret_cast<__m256i*>(w + j), _mm512_extracti64x4_epi64(x, 1));
}
}  // namespace

__attribute__((target("ssse3"))) void FillBlockSsse3(const Block& prev, const Block& ref,
                                                     Block& next, bool xor_into_next) {
  __m128i r[64];
  __m128i keep[64];
  const auto* p = reinterpret_cast<const __m128i*>(prev.v);
  const auto* q = reinterpret_cast<const __m128i*>(ref.v);
  auto* n = reinterpret_cast<__m128i*>(next.v);
  for (int i = 0; i < 64; ++i) {
    r[i] = _mm_xor_si128(_mm_load_si128(p + i), _mm_load_si128(q + i));
    keep[i] = xor_into_next ? _mm_xor_si128(r[i], _mm_load_si128(n + i)) : r[i];
  }
  for (int row = 0; row < 8; ++row) {
    __m128i* x = r + 8 * row;
    P128(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
  }
  for (int col = 0; col < 8; ++col) {
    __m128i* x = r + col;
    P128(x[0], x[8], x[16], x[24], x[32], x[40], x[48], x[56]);
  }
  for (int i = 0; i < 64; ++i) _mm_store_si128(n + i, _mm_xor_si128(r[i], keep[i]));
}

__attribute__((target("avx2"))) void FillBlockAvx2(const Block& prev, const Block& ref, Block& next,
                                                   bool xor_into_next) {
  Block r;
  Block keep;
  const auto* p = reinterpret_cast<const __m256i*>(prev.v);
  const auto* q = reinterpret_cast<const __m256i*>(ref.v);
  auto* rv = reinterpret_cast<__m256i*>(r.v);
  auto* kv = reinterpret_cast<__m256i*>(keep.v);
  auto* n = reinterpret_cast<__m256i*>(next.v);
  for (int i = 0; i < 32; ++i) {
    const __m256i x = _mm256_xor_si256(_mm256_load_si256(p + i), _mm256_load_si256(q + i));
    rv[i] = x;
    kv[i] = xor_into_next ? _mm256_xor_si256(x, _mm256_load_si256(n + i)) : x;
  }
  // A row is 16 consecutive words: four 256-bit registers.
  for (int row = 0; row < 8; ++row) {
    __m256i* x = rv + 4 * row;
    __m256i a = x[0], b = x[1], c = x[2], d = x[3];
    P256(a, b, c, d);
    x[0] = a;
    x[1] = b;
    x[2] = c;
    x[3] = d;
  }
  // Column c is R_c, R_c+8, ..., R_c+56. Columns c and c+1 side by side:
  // the 256-bit register at word 2c + 16k holds R_c+8k and R_c+1+8k.
  for (int col = 0; col < 8; col += 2) {
    __m256i* x = rv + col / 2;
    P256Pair(x[0], x[4], x[8], x[12], x[16], x[20], x[24], x[28]);
  }
  for (int i = 0; i < 32; ++i) _mm256_store_si256(n + i, _mm256_xor_si256(rv[i], kv[i]));
}

__attribute__((target("avx512f,avx512bw"))) void FillBlockAvx512(const Block& prev,
                                                                 const Block& ref, Block& next,
                                                                 bool xor_into_next) {
  Block r;
  Block keep;
  const auto* p = reinterpret_cast<const __m512i*>(prev.v);
  const auto* q = reinterpret_cast<const __m512i*>(ref.v);
  auto* rv = reinterpret_cast<__m512i*>(r.v);
  auto* kv = reinterpret_cast<__m512i*>(keep.v);
  auto* n = reinterpret_cast<__m512i*>(next.v);
  for (int i = 0; i < 16; ++i) {
    const __m512i x = _mm512_xor_si512(_mm512_load_si512(p + i), _mm512_load_si512(q + i));
    rv[i] = x;
    kv[i] = xor_into_next ? _mm512_xor_si512(x, _mm512_load_si512(n + i)) : x;
  }
  // Rows 2k and 2k+1 side by side.
  for (int k = 0; k < 4; ++k) {
    const int r0 = 32 * k;
    const int r1 = r0 + 16;
    __m512i a = Load4x2(r.v, r0, r1);
    __m512i b = Load4x2(r.v, r0 + 4, r1 + 4);
    __m512i c = Load4x2(r.v, r0 + 8, r1 + 8);
    __m512i d = Load4x2(r.v, r0 + 12, r1 + 12);
    P512(a, b, c, d);
    Store4x2(r.v, r0, r1, a);
    Store4x2(r.v, r0 + 4, r1 + 4, b);
    Store4x2(r.v, r0 + 8, r1 + 8, c);
    Store4x2(r.v, r0 + 12, r1 + 12, d);
  }
  // Columns c..c+3 side by side: the 512-bit register at word 2c + 16k
  // holds R_c+8k .. R_c+3+8k.
  for (int col = 0; col < 8; col += 4) {
    __m512i* x = rv + col / 4;
    P512Quad(x[0], x[2], x[4], x[6], x[8], x[10], x[12], x[14]);
  }
  for (int i = 0; i < 16; ++i) _mm512_store_si512(n + i, _mm512_xor_si512(rv[i], kv[i]));
}

}  // namespace authd::crypto::argon2

#endif  // defined(__x86_64__)
