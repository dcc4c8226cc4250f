#include "http/forwarded.h"

#include <algorithm>

namespace authd::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPort(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Trusted(const HttpOptions& o, const core::IpAddress& a) {
  return std::any_of(o.trusted_proxies.begin(), o.trusted_proxies.end(),
                     [&a](const core::IpNetwork& n) { return n.Contains(a); });
}

}  // namespace

std::vector<std::string_view> ForwardedForEntries(const Request& r) {
  std::vector<std::string_view> out;
  for (const auto& [name, value] : r.headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view v = value;
    while (true) {
      const std::size_t comma = v.find(',');
      out.push_back(Trim(v.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::optional<core::IpAddress> ParseForwardedAddress(std::string_view e) {
  if (e.starts_with('[')) {
    const std::size_t close = e.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = e.substr(close + 1);
    if (!rest.empty() && !(rest[0] == ':' && IsPort(rest.substr(1)))) return std::nullopt;
    auto a = core::ParseIp(e.substr(1, close - 1));
    if (!a || a->IsV4()) return std::nullopt;  // brackets hold IPv6 only
    return a;
  }
  const std::size_t colon = e.find(':');
  if (colon != std::string_view::npos && e.find(':', colon + 1) == std::string_view::npos) {
    if (!IsPort(e.substr(colon + 1))) return std::nullopt;  // "v4:port"
    e = e.substr(0, colon);
    if (e.find('.') == std::string_view::npos) return std::nullopt;
  }
  return core::ParseIp(e);
}

std::string ClientIp(std::string_view peer_ip, const HttpOptions& o, const Request& r) {
  const bool by_list = !o.trusted_proxies.empty();
  if (!by_list && !o.trust_proxy) return std::string(peer_ip);
  if (by_list) {
    auto peer = core::ParseIp(peer_ip);
    if (!peer || !Trusted(o, *peer)) return std::string(peer_ip);
  }
  const std::vector<std::string_view> entries = ForwardedForEntries(r);
  // Walk [peer, XFF right to left] while the current hop is a proxy.
  std::optional<core::IpAddress> client;  // nullopt: the peer
  int hop = 0;                            // index of `client` in the chain
  for (auto it = entries.rbegin(); it != entries.rend(); ++it, ++hop) {
    const bool proxy = by_list ? hop == 0 || Trusted(o, *client) : hop < o.trust_proxy_hops;
    if (!proxy) break;
    auto a = ParseForwardedAddress(*it);
    if (!a) break;  // the hop that reported it is the client
    client = a;
  }
  return client ? core::FormatIp(*client) : std::string(peer_ip);
}

}  // namespace authd::http
