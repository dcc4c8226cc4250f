#include "crypto/argon2id.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <utility>

#include "crypto/argon2_core.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace authd::crypto {
namespace {

// A stored hash is data, not code: these bounds keep a corrupted or hostile
// row from making one verification allocate gigabytes or spin for minutes.
constexpr std::uint32_t kMaxMemoryKib = 1u << 20;  // 1 GiB
constexpr std::uint32_t kMaxTimeCost = 64;
constexpr std::uint32_t kMaxParallelism = 64;
constexpr std::size_t kMinSaltBytes = 8;  // RFC 9106's minimum
constexpr std::size_t kMaxSaltBytes = 256;
constexpr std::size_t kMinHashBytes = 4;  // RFC 9106's minimum
constexpr std::size_t kMaxHashBytes = 256;

bool WithinLimits(std::uint32_t m, std::uint32_t t, std::uint32_t p, std::size_t salt_bytes,
                  std::size_t hash_bytes) {
  return p >= 1 && p <= kMaxParallelism && t >= 1 && t <= kMaxTimeCost && m >= 8 * p &&
         m <= kMaxMemoryKib && salt_bytes >= kMinSaltBytes && salt_bytes <= kMaxSaltBytes &&
         hash_bytes >= kMinHashBytes && hash_bytes <= kMaxHashBytes;
}

// PHC strings use the standard alphabet without padding.
std::string B64NoPad(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// Strict decode of unpadded standard base64, reusing the strict base64url
// decoder: the two alphabets differ only in '+' / '/' versus '-' / '_'.
std::optional<std::string> DecodeB64NoPad(std::string_view text) {
  std::string url(text);
  for (char& c : url) {
    if (c == '-' || c == '_') return std::nullopt;
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return Base64UrlDecode(url);
}

bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

// 1-10 decimal digits without a leading zero, fitting in uint32.
bool ConsumeDecimal(std::string_view* s, std::uint32_t* out) {
  std::size_t n = 0;
  while (n < s->size() && (*s)[n] >= '0' && (*s)[n] <= '9') ++n;
  if (n == 0 || n > 10 || ((*s)[0] == '0' && n > 1)) return false;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v = v * 10 + static_cast<std::uint64_t>((*s)[i] - '0');
  }
  if (v > 0xffffffffu) return false;
  *out = static_cast<std::uint32_t>(v);
  s->remove_prefix(n);
  return true;
}

struct Phc {
  argon2::Type type = argon2::Type::kId;
  std::uint32_t version = argon2::kVersion13;
  std::uint32_t m = 0, t = 0, p = 0;
  std::string salt;
  std::string hash;
};

// $argon2{id,i,d}$v={19,16}$m=<m>,t=<t>,p=<p>$<salt>$<hash>, exactly as
// libargon2 and node-argon2 write it (parameters in that order, no extras).
std::optional<Phc> ParsePhc(std::string_view s) {
  Phc phc;
  if (ConsumePrefix(&s, "$argon2id$")) {
    phc.type = argon2::Type::kId;
  } else if (ConsumePrefix(&s, "$argon2i$")) {
    phc.type = argon2::Type::kI;
  } else if (ConsumePrefix(&s, "$argon2d$")) {
    phc.type = argon2::Type::kD;
  } else {
    return std::nullopt;
  }
  std::uint32_t version = 0;
  if (!ConsumePrefix(&s, "v=") || !ConsumeDecimal(&s, &version) ||
      (version != argon2::kVersion13 && version != argon2::kVersion10)) {
    return std::nullopt;
  }
  phc.version = version;
  if (!ConsumePrefix(&s, "$m=") || !ConsumeDecimal(&s, &phc.m) || !ConsumePrefix(&s, ",t=") ||
      !ConsumeDecimal(&s, &phc.t) || !ConsumePrefix(&s, ",p=") || !ConsumeDecimal(&s, &phc.p) ||
      !ConsumePrefix(&s, "$")) {
    return std::nullopt;
  }
  const std::size_t dollar = s.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  auto salt = DecodeB64NoPad(s.substr(0, dollar));
  auto hash = DecodeB64NoPad(s.substr(dollar + 1));  // rejects a further '$'
  if (!salt || !hash) return std::nullopt;
  phc.salt = std::move(*salt);
  phc.hash = std::move(*hash);
  if (!WithinLimits(phc.m, phc.t, phc.p, phc.salt.size(), phc.hash.size())) {
    return std::nullopt;
  }
  return phc;
}

}  // namespace

namespace {

// Hashes running now, in this process.
std::atomic<std::uint32_t> g_running{0};

// One argon2 computation with the fastest kernel this CPU runs. Its lanes
// share the cores with the other hashes running now: a single login gets
// every core (its lanes in parallel, so it is as fast as the machine
// allows), while in a login flood, with one hash per core already, each
// fills its lanes on its own thread: parallel lanes would only add thread
// starts and waits at the sync points (measured: about 30 % more CPU per
// hash with two lane threads on two cores). Threads never change the
// output: lanes define it.
bool Compute(argon2::Type type, std::uint32_t version, std::uint32_t t, std::uint32_t m,
             std::uint32_t p, std::string_view password, std::string_view salt, std::string& out) {
  argon2::Inputs in;
  in.type = type;
  in.version = version;
  in.time_cost = t;
  in.memory_kib = m;
  in.parallelism = p;
  in.password = password;
  in.salt = salt;
  static const std::uint32_t kCores = std::max(1u, std::thread::hardware_concurrency());
  const std::uint32_t running = g_running.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::uint32_t threads = std::max(1u, kCores / running);
  const bool ok = argon2::Compute(in, {reinterpret_cast<std::uint8_t*>(out.data()), out.size()},
                                  argon2::BestKernel(), std::min(p, threads));
  g_running.fetch_sub(1, std::memory_order_relaxed);
  return ok;
}

}  // namespace

core::Result<std::string> Argon2idHash(std::string_view password, const Argon2Params& params,
                                       SecureRandom& random) {
  if (!WithinLimits(params.memory_kib, params.time_cost, params.parallelism, params.salt_bytes,
                    params.hash_bytes)) {
    // Refuse to mint a hash that Argon2Verify would then reject.
    return core::Internal("argon2id: parameters outside supported limits");
  }
  const std::string salt = random.Bytes(params.salt_bytes);
  std::string hash(params.hash_bytes, '\0');
  if (!Compute(argon2::Type::kId, argon2::kVersion13, params.time_cost, params.memory_kib,
               params.parallelism, password, salt, hash)) {
    return core::Internal("argon2id: memory allocation failed");
  }
  std::string phc = "$argon2id$v=19$m=" + std::to_string(params.memory_kib) +
                    ",t=" + std::to_string(params.time_cost) +
                    ",p=" + std::to_string(params.parallelism) + "$";
  phc += B64NoPad(salt);
  phc.push_back('$');
  phc += B64NoPad(hash);
  return phc;
}

bool Argon2Verify(std::string_view password, std::string_view phc) {
  const std::optional<Phc> parsed = ParsePhc(phc);
  if (!parsed) return false;
  std::string computed(parsed->hash.size(), '\0');
  if (!Compute(parsed->type, parsed->version, parsed->t, parsed->m, parsed->p, password,
               parsed->salt, computed)) {
    return false;
  }
  return ConstantTimeEquals(computed, parsed->hash);
}

}  // namespace authd::crypto
