#include "core/ip_address.h"

#include <vector>

namespace authd::core {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted quad into out[0..3].
bool ParseV4(std::string_view s, std::uint8_t* out) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
    }
    std::size_t n = 0;
    int value = 0;
    while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') value = value * 10 + (s[n++] - '0');
    if (n == 0 || n > 3 || value > 255 || (n > 1 && s[0] == '0')) return false;
    out[part] = static_cast<std::uint8_t>(value);
    s.remove_prefix(n);
  }
  return s.empty();
}

// Colon-separated groups (one side of "::"), each 1..4 hex digits; the last
// may be a dotted quad (two groups) if `allow_v4`.
bool ParseGroups(std::string_view s, bool allow_v4, std::vector<std::uint8_t>& out) {
  if (s.empty()) return true;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view group = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4 && group.find('.') != group.npos) {
      std::uint8_t v4[4];
      if (!ParseV4(group, v4)) return false;
      out.insert(out.end(), v4, v4 + 4);
      return true;
    }
    if (group.empty() || group.size() > 4) return false;
    int value = 0;
    for (char c : group) {
      const int d = HexDigit(c);
      if (d < 0) return false;
      value = value * 16 + d;
    }
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
    if (out.size() > 16) return false;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

std::optional<IpAddress> ParseV6(std::string_view s) {
  std::vector<std::uint8_t> head, tail;
  const std::size_t gap = s.find("::");
  IpAddress a;
  if (gap == std::string_view::npos) {
    if (!ParseGroups(s, true, head) || head.size() != 16) return std::nullopt;
    std::copy(head.begin(), head.end(), a.bytes.begin());
    return a;
  }
  const std::string_view left = s.substr(0, gap), right = s.substr(gap + 2);
  if (right.find("::") != std::string_view::npos) return std::nullopt;
  if (!ParseGroups(left, false, head) || !ParseGroups(right, true, tail)) return std::nullopt;
  if (head.size() + tail.size() > 14) return std::nullopt;  // "::" is at least one group
  std::copy(head.begin(), head.end(), a.bytes.begin());
  std::copy(tail.begin(), tail.end(), a.bytes.end() - static_cast<std::ptrdiff_t>(tail.size()));
  return a;
}

void AppendHexGroup(std::string& out, int v) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const int d = (v >> shift) & 0xf;
    if (d != 0 || started || shift == 0) {
      out.push_back(kHex[d]);
      started = true;
    }
  }
}

}  // namespace

bool IpAddress::IsV4() const {
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin());
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  if (text.find(':') == std::string_view::npos) {
    IpAddress a;
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin());
    if (!ParseV4(text, a.bytes.data() + 12)) return std::nullopt;
    return a;
  }
  return ParseV6(text);
}

std::string FormatIp(const IpAddress& a) {
  std::string out;
  if (a.IsV4()) {
    for (int i = 12; i < 16; ++i) {
      if (i > 12) out.push_back('.');
      out += std::to_string(a.bytes[i]);
    }
    return out;
  }
  int groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = a.bytes[2 * i] << 8 | a.bytes[2 * i + 1];
  int best = -1, best_len = 1;  // only runs of two or more groups
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out.append("::");
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    AppendHexGroup(out, groups[i]);
  }
  return out;
}

bool IpNetwork::Contains(const IpAddress& a) const {
  int bits = prefix_len;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != base.bytes[i]) return false;
  }
  return true;
}

std::optional<IpNetwork> ParseNetwork(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto addr = ParseIp(text.substr(0, slash));
  if (!addr) return std::nullopt;
  // An IPv4 literal counts its prefix on 32 bits; "::ffff:a.b.c.d" on 128.
  const bool v4_literal = text.substr(0, slash).find(':') == std::string_view::npos;
  const int max = v4_literal ? 32 : 128;
  int len = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) {
      return std::nullopt;
    }
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + (c - '0');
    }
    if (len > max) return std::nullopt;
  }
  IpNetwork n;
  n.prefix_len = v4_literal ? len + 96 : len;
  n.base = *addr;
  int bits = n.prefix_len;
  for (auto& b : n.base.bytes) {
    b &= bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - bits));
    bits -= 8;
  }
  return n;
}

std::string FormatNetwork(const IpNetwork& n) {
  std::string out = FormatIp(n.base);
  const bool v4 = n.base.IsV4() && n.prefix_len >= 96;
  const int len = v4 ? n.prefix_len - 96 : n.prefix_len;
  if (len != (v4 ? 32 : 128)) {
    out.push_back('/');
    out += std::to_string(len);
  }
  return out;
}

}  // namespace authd::core
