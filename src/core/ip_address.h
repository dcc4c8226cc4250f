// IpAddress and IpNetwork: IP address literals and CIDR ranges, for the
// trusted-proxy rules (which X-Forwarded-For hop is the client).
//
// Every address is held as 16 bytes; an IPv4 address is held as its
// IPv4-mapped IPv6 form (::ffff:a.b.c.d), so "10.0.0.1" and
// "::ffff:10.0.0.1" are the same address and an IPv4 range matches both.
// Parsing is strict (no zone ids, no leading zeros in IPv4 parts, no
// surrounding whitespace) and never throws; values are plain data.
#ifndef AUTHD_CORE_IP_ADDRESS_H_
#define AUTHD_CORE_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd::core {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  bool IsV4() const;  // an IPv4 (IPv4-mapped) address
  bool operator==(const IpAddress&) const = default;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "::1"; nullopt otherwise.
std::optional<IpAddress> ParseIp(std::string_view text);

// Canonical text: dotted quad for IPv4 (IPv4-mapped included), else
// RFC 5952 (lower-case, longest run of zero groups as "::").
std::string FormatIp(const IpAddress& a);

struct IpNetwork {
  IpAddress base;      // host bits cleared
  int prefix_len = 0;  // 0..128, counted on the 16-byte form

  bool Contains(const IpAddress& a) const;
  bool operator==(const IpNetwork&) const = default;
};

// "10.0.0.0/8", "192.0.2.7" (a single address), "2001:db8::/32",
// "::ffff:10.0.0.0/104". An IPv4 prefix is 0..32, an IPv6 one 0..128; host
// bits are cleared.
std::optional<IpNetwork> ParseNetwork(std::string_view text);

// "10.0.0.0/8", or the address alone for a single-address network.
std::string FormatNetwork(const IpNetwork& n);

}  // namespace authd::core

#endif  // AUTHD_CORE_IP_ADDRESS_H_
