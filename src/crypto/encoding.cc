#include "crypto/encoding.h"

#include <array>

#include <cstdint>

namespace authd::crypto {
namespace {

constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";
constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string EncodeBase64(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = byte(i) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// base64url digit values; 0xff marks bytes outside the alphabet. Token
// checks decode on every request, so this is a table, not branches.
constexpr std::array<std::uint8_t, 256> MakeUrlTable() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<std::uint8_t>(i);
    t['a' + i] = static_cast<std::uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::uint8_t>(52 + i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}
constexpr std::array<std::uint8_t, 256> kUrlTable = MakeUrlTable();

// Base32 digit values for both letter cases; 0xff marks everything else.
constexpr std::array<std::uint8_t, 256> MakeBase32Table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<std::uint8_t>(i);
    t['a' + i] = static_cast<std::uint8_t>(i);
  }
  for (int i = 0; i < 6; ++i) t['2' + i] = static_cast<std::uint8_t>(26 + i);
  return t;
}
constexpr std::array<std::uint8_t, 256> kBase32Table = MakeBase32Table();

// The '=' count that pads an unpadded base32 text of length n to a multiple
// of 8, indexed by n % 8. -1: no byte count encodes to that many characters
// (1, 3 and 6 leftover characters hold less than one more whole byte).
constexpr int kBase32Padding[8] = {0, -1, 6, -1, 4, 3, -1, 1};

int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  return EncodeBase64(bytes, kUrlAlphabet, /*pad=*/false);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  // A single leftover character carries only 6 bits: never a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  const std::size_t full = text.size() / 4;
  const std::size_t rest = text.size() % 4;  // 0, 2 or 3
  std::string out(full * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* o = out.data();
  std::uint32_t bad = 0;  // OR of every digit: 0xff anywhere = invalid
  for (std::size_t i = 0; i < full; ++i, in += 4, o += 3) {
    const std::uint32_t a = kUrlTable[in[0]], b = kUrlTable[in[1]], c = kUrlTable[in[2]],
                        d = kUrlTable[in[3]];
    bad |= a | b | c | d;
    const std::uint32_t n = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<char>(n >> 16);
    o[1] = static_cast<char>(n >> 8);
    o[2] = static_cast<char>(n);
  }
  if (rest != 0) {
    const std::uint32_t a = kUrlTable[in[0]], b = kUrlTable[in[1]];
    const std::uint32_t c = rest == 3 ? kUrlTable[in[2]] : 0;
    bad |= a | b | c;
    const std::uint32_t n = (a << 18) | (b << 12) | (c << 6);
    o[0] = static_cast<char>(n >> 16);
    if (rest == 3) o[1] = static_cast<char>(n >> 8);
    // Canonical form only: the unused low bits of the last character must
    // be zero, otherwise several strings would decode to the same bytes.
    const std::uint32_t unused = rest == 3 ? (n & 0xff) : (n & 0xffff);
    if (unused != 0 && (bad & 0x80) == 0) return std::nullopt;
  }
  if ((bad & 0x80) != 0) return std::nullopt;
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  return EncodeBase64(bytes, kStdAlphabet, /*pad=*/true);
}

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;  // only the low `bits` bits are pending
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = ((buffer << 8) | c) & 0xfff;  // at most 4 + 8 pending bits
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 31]);
    }
  }
  // The last character is zero-filled on the right (the canonical form).
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::size_t len = text.size();
  while (len > 0 && text[len - 1] == '=') --len;
  const std::size_t padding = text.size() - len;
  const int needed = kBase32Padding[len % 8];
  if (needed < 0) return std::nullopt;
  // Either no padding or exactly the amount that completes the last block.
  if (padding != 0 && padding != static_cast<std::size_t>(needed)) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(len * 5 / 8);
  std::uint32_t buffer = 0;  // only the low `bits` bits are pending
  std::uint32_t bad = 0;     // OR of every digit: 0xff anywhere = invalid
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint32_t v = kBase32Table[static_cast<unsigned char>(text[i])];
    bad |= v;
    buffer = ((buffer << 5) | v) & 0xfff;  // at most 7 + 5 pending bits
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if ((bad & 0x80) != 0) return std::nullopt;
  // Canonical form only: the bits left over after the last whole byte must
  // be zero, otherwise several strings would decode to the same bytes.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0x0f]);
  }
  return out;
}

std::string PercentEncode(std::string_view bytes, std::string_view keep) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kUpperHexDigits[c >> 4]);
      out.push_back(kUpperHexDigits[c & 0x0f]);
    }
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(static_cast<unsigned char>(hex[i]));
    const int lo = HexValue(static_cast<unsigned char>(hex[i + 1]));
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace authd::crypto
