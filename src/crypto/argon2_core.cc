#include "crypto/argon2_core.h"

#include <sys/mman.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <system_error>
#include <thread>
#include <vector>

#include "crypto/blake2b.h"

namespace authd::crypto::argon2 {
namespace {

constexpr std::uint32_t kSyncPoints = 4;           // slices per pass
constexpr std::uint32_t kAddressesPerBlock = 128;  // pseudo-random words per address block

void StoreLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void UpdateLe32(Blake2b& h, std::uint32_t v) {
  std::uint8_t b[4];
  StoreLe32(b, v);
  h.Update(b, sizeof b);
}

// H' (RFC 9106 §3.3): a hash of any length from BLAKE2b digests.
void HashLong(std::span<std::uint8_t> out, std::span<const std::uint8_t> in) {
  const auto t = static_cast<std::uint32_t>(out.size());
  if (t <= Blake2b::kMaxDigestBytes) {
    Blake2b h(t);
    UpdateLe32(h, t);
    h.Update(in.data(), in.size());
    h.Final(out.data());
    return;
  }
  // V1 = H^64(T || in), then V_i = H^64(V_{i-1}), each giving out its first
  // 32 bytes, until the last (T - 32r bytes long) which gives all of it.
  const std::uint32_t r = (t + 31) / 32 - 2;
  std::uint8_t v[Blake2b::kMaxDigestBytes];
  {
    Blake2b h(Blake2b::kMaxDigestBytes);
    UpdateLe32(h, t);
    h.Update(in.data(), in.size());
    h.Final(v);
  }
  std::size_t pos = 0;
  for (std::uint32_t i = 1; i < r; ++i) {
    std::memcpy(out.data() + pos, v, 32);
    pos += 32;
    Blake2b h(Blake2b::kMaxDigestBytes);
    h.Update(v, sizeof v);
    h.Final(v);
  }
  std::memcpy(out.data() + pos, v, 32);
  pos += 32;
  Blake2b h(t - 32 * r);
  h.Update(v, sizeof v);
  h.Final(out.data() + pos);
  OPENSSL_cleanse(v, sizeof v);
}

void BlockFromBytes(Block& b, const std::uint8_t* bytes) {
  for (std::size_t i = 0; i < kBlockWords; ++i) {
    std::uint64_t w = 0;
    for (int k = 7; k >= 0; --k) w = (w << 8) | bytes[8 * i + static_cast<std::size_t>(k)];
    b.v[i] = w;
  }
}

void BytesFromBlock(std::uint8_t* bytes, const Block& b) {
  for (std::size_t i = 0; i < kBlockWords; ++i) {
    for (int k = 0; k < 8; ++k) {
      bytes[8 * i + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(b.v[i] >> (8 * k));
    }
  }
}

// The m' blocks, straight from the kernel: munmap returns them, so no
// password-derived block outlives the call in our address space, without a
// 64 MiB wipe on every hash. Huge pages where the kernel grants them: with
// 4 KiB pages the random reference reads miss the TLB and every page
// faults on first touch, which costs about half of a hash's CPU at 64 MiB.
class BlockMemory {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  explicit BlockMemory(std::size_t blocks) : bytes_(blocks * sizeof(Block) + kHugePage) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    base_ = p;
    // Start on a huge-page boundary so that every 2 MiB of blocks can be one page.
    const std::size_t misalignment = reinterpret_cast<std::uintptr_t>(p) % kHugePage;
    std::byte* start = static_cast<std::byte*>(p) + (kHugePage - misalignment) % kHugePage;
    blocks_ = reinterpret_cast<Block*>(start);
#if defined(MADV_HUGEPAGE)
    (void)madvise(start, blocks * sizeof(Block), MADV_HUGEPAGE);
#endif
  }
  ~BlockMemory() {
    if (base_ != nullptr) munmap(base_, bytes_);
  }
  BlockMemory(const BlockMemory&) = delete;
  BlockMemory& operator=(const BlockMemory&) = delete;

  Block* get() const { return blocks_; }

 private:
  std::size_t bytes_;
  void* base_ = nullptr;
  Block* blocks_ = nullptr;
};

struct Instance {
  Block* memory;
  FillBlockFn fill;
  Type type;
  std::uint32_t version;
  std::uint32_t passes;
  std::uint32_t lanes;
  std::uint32_t lane_length;     // q = m' / p
  std::uint32_t segment_length;  // q / 4
  std::uint32_t blocks;          // m'
};

// The position in lane `ref_lane` of the block that block `index` of the
// segment (pass, slice) of lane `lane` refers to (RFC 9106 §3.4.2).
std::uint32_t ReferenceIndex(const Instance& in, std::uint32_t pass, std::uint32_t slice,
                             std::uint32_t index, bool same_lane, std::uint32_t j1) {
  // |W|: the blocks finished (and not overwritten in this pass) that may be
  // referenced, less the previous block when it is in W.
  std::uint32_t area;
  if (pass == 0) {
    if (slice == 0) {
      area = index - 1;
    } else if (same_lane) {
      area = slice * in.segment_length + index - 1;
    } else {
      area = slice * in.segment_length - (index == 0 ? 1 : 0);
    }
  } else if (same_lane) {
    area = in.lane_length - in.segment_length + index - 1;
  } else {
    area = in.lane_length - in.segment_length - (index == 0 ? 1 : 0);
  }
  const std::uint64_t x = (static_cast<std::uint64_t>(j1) * j1) >> 32;
  const std::uint64_t y = (static_cast<std::uint64_t>(area) * x) >> 32;
  const std::uint64_t relative = area - 1 - y;
  const std::uint64_t start =
      (pass == 0 || slice == kSyncPoints - 1) ? 0 : (slice + 1) * in.segment_length;
  return static_cast<std::uint32_t>((start + relative) % in.lane_length);
}

void FillSegment(const Instance& in, std::uint32_t pass, std::uint32_t lane, std::uint32_t slice) {
  const bool data_independent =
      in.type == Type::kI || (in.type == Type::kId && pass == 0 && slice < kSyncPoints / 2);
  const std::uint32_t first = (pass == 0 && slice == 0) ? 2 : 0;

  Block zero{};
  Block input{};
  Block address{};
  if (data_independent) {
    input.v[0] = pass;
    input.v[1] = lane;
    input.v[2] = slice;
    input.v[3] = in.blocks;
    input.v[4] = in.passes;
    input.v[5] = static_cast<std::uint64_t>(in.type);
  }

  const std::uint32_t lane_start = lane * in.lane_length;
  std::uint32_t cur = lane_start + slice * in.segment_length + first;
  std::uint32_t prev = (cur == lane_start) ? lane_start + in.lane_length - 1 : cur - 1;
  const bool xor_into_next = pass > 0 && in.version != kVersion10;
  for (std::uint32_t i = first; i < in.segment_length; ++i, prev = cur++) {
    std::uint64_t pseudo;
    if (data_independent) {
      if (i == first || i % kAddressesPerBlock == 0) {
        ++input.v[6];
        Block tmp;
        in.fill(zero, input, tmp, false);
        in.fill(zero, tmp, address, false);
      }
      pseudo = address.v[i % kAddressesPerBlock];
    } else {
      pseudo = in.memory[prev].v[0];
    }
    const bool first_segment = pass == 0 && slice == 0;
    const std::uint32_t ref_lane =
        first_segment ? lane : static_cast<std::uint32_t>((pseudo >> 32) % in.lanes);
    const std::uint32_t ref_index =
        ReferenceIndex(in, pass, slice, i, ref_lane == lane, static_cast<std::uint32_t>(pseudo));
    in.fill(in.memory[prev], in.memory[ref_lane * in.lane_length + ref_index], in.memory[cur],
            xor_into_next);
  }
}

// Lanes l, l + stride, ... of one slice.
void FillLanes(const Instance& in, std::uint32_t pass, std::uint32_t slice, std::uint32_t first,
               std::uint32_t stride) {
  for (std::uint32_t lane = first; lane < in.lanes; lane += stride) {
    FillSegment(in, pass, lane, slice);
  }
}

}  // namespace

bool Compute(const Inputs& args, std::span<std::uint8_t> out, Kernel kernel,
             std::uint32_t threads) {
  const std::uint32_t p = args.parallelism;
  if (args.time_cost < 1 || p < 1 || args.memory_kib / 8 < p || args.salt.size() < 8 ||
      out.size() < 4 || (args.version != kVersion10 && args.version != kVersion13)) {
    return false;
  }

  // H0 (RFC 9106 §3.2).
  std::uint8_t h0[Blake2b::kMaxDigestBytes + 8];
  {
    Blake2b h(Blake2b::kMaxDigestBytes);
    UpdateLe32(h, p);
    UpdateLe32(h, static_cast<std::uint32_t>(out.size()));
    UpdateLe32(h, args.memory_kib);
    UpdateLe32(h, args.time_cost);
    UpdateLe32(h, args.version);
    UpdateLe32(h, static_cast<std::uint32_t>(args.type));
    UpdateLe32(h, static_cast<std::uint32_t>(args.password.size()));
    h.Update(args.password.data(), args.password.size());
    UpdateLe32(h, static_cast<std::uint32_t>(args.salt.size()));
    h.Update(args.salt.data(), args.salt.size());
    UpdateLe32(h, static_cast<std::uint32_t>(args.secret.size()));
    h.Update(args.secret.data(), args.secret.size());
    UpdateLe32(h, static_cast<std::uint32_t>(args.associated_data.size()));
    h.Update(args.associated_data.data(), args.associated_data.size());
    h.Final(h0);
  }

  Instance in{};
  in.lane_length = (args.memory_kib / (kSyncPoints * p)) * kSyncPoints;
  in.segment_length = in.lane_length / kSyncPoints;
  in.blocks = in.lane_length * p;
  in.lanes = p;
  in.passes = args.time_cost;
  in.type = args.type;
  in.version = args.version;
  in.fill = FillBlockOf(kernel);
  BlockMemory memory(in.blocks);
  in.memory = memory.get();
  if (in.memory == nullptr) return false;

  // B[l][0] = H'(H0 || 0 || l), B[l][1] = H'(H0 || 1 || l).
  std::uint8_t block_bytes[sizeof(Block)];
  for (std::uint32_t lane = 0; lane < p; ++lane) {
    for (std::uint32_t j = 0; j < 2; ++j) {
      StoreLe32(h0 + Blake2b::kMaxDigestBytes, j);
      StoreLe32(h0 + Blake2b::kMaxDigestBytes + 4, lane);
      HashLong(block_bytes, h0);
      BlockFromBytes(in.memory[lane * in.lane_length + j], block_bytes);
    }
  }
  OPENSSL_cleanse(h0, sizeof h0);

  // Segments of one slice are independent; slices are sync points.
  threads = std::max(1u, std::min(threads, p));
  std::vector<std::thread> helpers;
  for (std::uint32_t pass = 0; pass < in.passes; ++pass) {
    for (std::uint32_t slice = 0; slice < kSyncPoints; ++slice) {
      helpers.clear();
      for (std::uint32_t k = 1; k < threads; ++k) {
        try {
          helpers.emplace_back(FillLanes, std::cref(in), pass, slice, k, threads);
        } catch (const std::system_error&) {
          FillLanes(in, pass, slice, k, threads);  // no thread to be had: do its lanes here
        }
      }
      FillLanes(in, pass, slice, 0, threads);
      for (std::thread& t : helpers) t.join();
    }
  }

  Block final_block = in.memory[in.lane_length - 1];
  for (std::uint32_t lane = 1; lane < p; ++lane) {
    const Block& last = in.memory[lane * in.lane_length + in.lane_length - 1];
    for (std::size_t i = 0; i < kBlockWords; ++i) final_block.v[i] ^= last.v[i];
  }
  BytesFromBlock(block_bytes, final_block);
  HashLong(out, block_bytes);
  OPENSSL_cleanse(block_bytes, sizeof block_bytes);
  OPENSSL_cleanse(&final_block, sizeof final_block);
  return true;
}

}  // namespace authd::crypto::argon2
