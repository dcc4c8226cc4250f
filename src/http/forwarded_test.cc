#include "http/forwarded.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace authd::http {
namespace {

Request WithForwarded(std::initializer_list<const char*> fields) {
  Request r;
  r.headers.push_back({"host", "x"});
  for (const char* f : fields) r.headers.push_back({"x-forwarded-for", f});
  return r;
}

HttpOptions Hops(int n) {
  HttpOptions o;
  o.trust_proxy = true;
  o.trust_proxy_hops = n;
  return o;
}

HttpOptions List(std::initializer_list<const char*> nets) {
  HttpOptions o;
  for (const char* n : nets) o.trusted_proxies.push_back(*core::ParseNetwork(n));
  return o;
}

TEST(ForwardedForEntries, SeveralFieldsAreOneList) {
  Request r = WithForwarded({" 1.1.1.1 ,2.2.2.2", "3.3.3.3", "", "4.4.4.4,,"});
  std::vector<std::string_view> want = {"1.1.1.1", "2.2.2.2", "3.3.3.3", "", "4.4.4.4", "", ""};
  EXPECT_EQ(ForwardedForEntries(r), want);
  EXPECT_TRUE(ForwardedForEntries(Request()).empty());
}

TEST(ParseForwardedAddress, PortsAndBrackets) {
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("192.0.2.1:8080")), "192.0.2.1");
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("2001:db8::1")), "2001:db8::1");
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("[2001:db8::1]")), "2001:db8::1");
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("[2001:db8::1]:443")), "2001:db8::1");
  EXPECT_EQ(core::FormatIp(*ParseForwardedAddress("::ffff:192.0.2.1")), "192.0.2.1");
  for (const char* bad :
       {"", "unknown", "_hidden", "1.2.3.4:", "1.2.3.4:http", "1.2.3.4:123456", "[1.2.3.4]", "[::1",
        "[::1]x", "[::1]:", "::1]", "abc:80", "1.2.3.4 5.6.7.8", "\"1.2.3.4\"", "1.2.3.4\x01"}) {
    EXPECT_FALSE(ParseForwardedAddress(bad)) << bad;
  }
}

TEST(ClientIp, UntrustedIgnoresTheHeader) {
  EXPECT_EQ(ClientIp("127.0.0.1", HttpOptions(), WithForwarded({"6.6.6.6"})), "127.0.0.1");
}

TEST(ClientIp, OneHopIsTheRightMostEntryNeverTheSpoofedLeftMost) {
  const HttpOptions o = Hops(1);
  // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended 1.2.3.4.
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"6.6.6.6, 1.2.3.4"})), "1.2.3.4");
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"6.6.6.6", "1.2.3.4"})), "1.2.3.4");
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"1.2.3.4"})), "1.2.3.4");
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({})), "10.0.0.1");
}

TEST(ClientIp, HopCount) {
  const Request r = WithForwarded({"6.6.6.6, 1.2.3.4, 10.0.0.2"});
  EXPECT_EQ(ClientIp("10.0.0.1", Hops(2), r), "1.2.3.4");
  EXPECT_EQ(ClientIp("10.0.0.1", Hops(3), r), "6.6.6.6");
  EXPECT_EQ(ClientIp("10.0.0.1", Hops(9), r), "6.6.6.6");  // the chain runs out
}

TEST(ClientIp, TrustedListSkipsProxiesFromTheRight) {
  const HttpOptions o = List({"10.0.0.0/8", "127.0.0.1", "2001:db8::/32"});
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"6.6.6.6, 1.2.3.4, 10.9.9.9"})), "1.2.3.4");
  EXPECT_EQ(ClientIp("127.0.0.1", o, WithForwarded({"6.6.6.6", "1.2.3.4"})), "1.2.3.4");
  // All proxies: the left-most.
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"10.1.1.1, 10.2.2.2"})), "10.1.1.1");
  // An untrusted peer: the header is not read.
  EXPECT_EQ(ClientIp("192.0.2.9", o, WithForwarded({"1.2.3.4"})), "192.0.2.9");
  // IPv6 proxies and an IPv4-mapped peer.
  EXPECT_EQ(ClientIp("2001:db8::5", o, WithForwarded({"2001:db9::1, [2001:db8::7]:80"})),
            "2001:db9::1");
  EXPECT_EQ(ClientIp("::ffff:10.0.0.1", o, WithForwarded({"::ffff:1.2.3.4"})), "1.2.3.4");
  EXPECT_EQ(ClientIp("::1", o, WithForwarded({"1.2.3.4"})), "::1");  // ::1 not listed
}

TEST(ClientIp, MalformedEntriesEndTheWalkAtTheHopThatReportedThem) {
  const HttpOptions o = List({"10.0.0.0/8"});
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"1.2.3.4, garbage"})), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"garbage, 10.0.0.3"})), "10.0.0.3");
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({"1.2.3.4, "})), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", Hops(1), WithForwarded({"x\"y status=500 \xff"})), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", Hops(2), WithForwarded({"1.2.3.4, [::1"})), "10.0.0.1");
  const std::string many(8000, ',');
  EXPECT_EQ(ClientIp("10.0.0.1", o, WithForwarded({many.c_str()})), "10.0.0.1");
}

TEST(SetRequestIdentity, UsesTheProxyOptions) {
  Request r = WithForwarded({"6.6.6.6, 1.2.3.4"});
  SetRequestIdentity("10.0.0.1", HttpOptions(), r);
  EXPECT_EQ(r.remote_ip, "10.0.0.1");
  SetRequestIdentity("10.0.0.1", Hops(1), r);
  EXPECT_EQ(r.remote_ip, "1.2.3.4");
  SetRequestIdentity("10.0.0.1", List({"10.0.0.0/8"}), r);
  EXPECT_EQ(r.remote_ip, "1.2.3.4");
}

}  // namespace
}  // namespace authd::http
