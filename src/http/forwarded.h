// The client address of a request behind reverse proxies (X-Forwarded-For).
//
// Every proxy appends the address it received the request from, so only
// the right-hand end of the list is trustworthy: the client controls
// everything left of the first hop a trusted proxy wrote. As Express's
// `trust proxy` (proxy-addr), the chain is [peer, XFF right to left] and
//  - trusted_proxies non-empty: hops are skipped while they are in the
//    list; the first that is not is the client (only if the peer itself is
//    a trusted proxy is X-Forwarded-For read at all);
//  - else trust_proxy: the first trust_proxy_hops hops (the peer, and
//    hops - 1 entries) are proxies, the next is the client;
//  - else the peer.
// If the chain runs out, its last (leftmost) address is the client. An
// entry that is not an IP address ends the walk: the hop that reported it
// is the client. So the result is always the peer or a valid address, in
// canonical form (FormatIp). Several X-Forwarded-For fields are one list.
#ifndef AUTHD_HTTP_FORWARDED_H_
#define AUTHD_HTTP_FORWARDED_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "http/http_options.h"
#include "http/message.h"

namespace authd::http {

std::string ClientIp(std::string_view peer_ip, const HttpOptions& opts, const Request& r);

// The entries of every X-Forwarded-For field in order, left to right,
// OWS-trimmed (empty entries kept, as "").
std::vector<std::string_view> ForwardedForEntries(const Request& r);

// An entry as an address: "192.0.2.1", "192.0.2.1:8080", "2001:db8::1",
// "[2001:db8::1]", "[2001:db8::1]:8080".
std::optional<core::IpAddress> ParseForwardedAddress(std::string_view entry);

}  // namespace authd::http

#endif  // AUTHD_HTTP_FORWARDED_H_
