#include "core/ip_address.h"

#include <gtest/gtest.h>

namespace authd::core {
namespace {

std::string Canon(std::string_view s) {
  auto a = ParseIp(s);
  return a ? FormatIp(*a) : "<invalid>";
}

TEST(ParseIp, Ipv4IsStrict) {
  EXPECT_EQ(Canon("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(Canon("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(Canon("255.255.255.255"), "255.255.255.255");
  for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",
                          "1..3.4", "1.2.3.", "a.b.c.d", "", "1.2.3.4/8", "1.2.3.0004",
                          "999999999999.1.1.1", "-1.2.3.4", "1.2.3.4%eth0"}) {
    EXPECT_FALSE(ParseIp(bad)) << bad;
  }
}

TEST(ParseIp, Ipv6CanonicalText) {
  EXPECT_EQ(Canon("::1"), "::1");
  EXPECT_EQ(Canon("::"), "::");
  EXPECT_EQ(Canon("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(Canon("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(Canon("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  EXPECT_EQ(Canon("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(Canon("1:0:3:4:5:6:7:8"), "1:0:3:4:5:6:7:8");  // one zero group stays
  EXPECT_EQ(Canon("fe80::"), "fe80::");
  EXPECT_EQ(Canon("0001:0002::0003"), "1:2::3");
  EXPECT_EQ(Canon("::102:304"), "::102:304");
  EXPECT_EQ(Canon("::1.2.3.4"), "::102:304");  // IPv4-compatible is not mapped
  for (const char* bad : {":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", ":1::",
                          "1::2:", "g::1", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7::8",
                          "::ffff:1.2.3", "::1.2.3.4:5", "1.2.3.4::", "::ffff:256.0.0.1"}) {
    EXPECT_FALSE(ParseIp(bad)) << bad;
  }
}

TEST(ParseIp, Ipv4MappedIsTheIpv4Address) {
  EXPECT_EQ(Canon("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(Canon("::FFFF:c000:0201"), "192.0.2.1");
  EXPECT_EQ(*ParseIp("::ffff:10.1.2.3"), *ParseIp("10.1.2.3"));
  EXPECT_TRUE(ParseIp("10.1.2.3")->IsV4());
  EXPECT_FALSE(ParseIp("::1")->IsV4());
}

TEST(IpNetwork, ContainsV4V6AndMapped) {
  auto net8 = ParseNetwork("10.0.0.0/8");
  ASSERT_TRUE(net8);
  EXPECT_TRUE(net8->Contains(*ParseIp("10.255.0.1")));
  EXPECT_TRUE(net8->Contains(*ParseIp("::ffff:10.0.0.1")));
  EXPECT_FALSE(net8->Contains(*ParseIp("11.0.0.1")));
  EXPECT_FALSE(net8->Contains(*ParseIp("::a00:1")));  // IPv4-compatible, not mapped
  auto host = ParseNetwork("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->Contains(*ParseIp("127.0.0.1")));
  EXPECT_FALSE(host->Contains(*ParseIp("127.0.0.2")));
  auto v6 = ParseNetwork("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains(*ParseIp("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->Contains(*ParseIp("2001:db9::1")));
  EXPECT_FALSE(v6->Contains(*ParseIp("10.0.0.1")));
  auto all_v4 = ParseNetwork("::ffff:0:0/96");
  ASSERT_TRUE(all_v4);
  EXPECT_TRUE(all_v4->Contains(*ParseIp("203.0.113.9")));
  EXPECT_FALSE(all_v4->Contains(*ParseIp("::1")));
  auto odd = ParseNetwork("192.168.1.77/23");  // host bits are cleared
  ASSERT_TRUE(odd);
  EXPECT_EQ(FormatNetwork(*odd), "192.168.0.0/23");
  EXPECT_TRUE(odd->Contains(*ParseIp("192.168.1.1")));
  EXPECT_FALSE(odd->Contains(*ParseIp("192.168.2.1")));
  EXPECT_TRUE(ParseNetwork("0.0.0.0/0")->Contains(*ParseIp("1.2.3.4")));
  EXPECT_FALSE(ParseNetwork("0.0.0.0/0")->Contains(*ParseIp("::1")));
  EXPECT_TRUE(ParseNetwork("::/0")->Contains(*ParseIp("1.2.3.4")));
  EXPECT_EQ(FormatNetwork(*ParseNetwork("::1")), "::1");
  EXPECT_EQ(FormatNetwork(*ParseNetwork("2001:db8::1/48")), "2001:db8::/48");
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/a", "/8",
                          "10.0.0.0/8/8", "10.0.0.0 /8", "localhost", ""}) {
    EXPECT_FALSE(ParseNetwork(bad)) << bad;
  }
}

}  // namespace
}  // namespace authd::core
