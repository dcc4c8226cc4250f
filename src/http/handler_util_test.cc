#include "http/handler_util.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace authd::http {
namespace {

std::string Key(const char* json, bool phone_first = false) {
  return ThrottleIdentifier(boost::json::parse(json).as_object(), phone_first);
}

TEST(ThrottleIdentifier, LoginCountsAgainstTheCredentialOfItsProvider) {
  EXPECT_EQ(Key(R"({"providerName":"phone","credentials":{"phone":"+1 (555) 010-0000",
                   "email":"stray@example.com","password":"x"}})"),
            "+15550100000");
  EXPECT_EQ(Key(R"({"providerName":"email","credentials":{"phone":"+15550100000",
                   "email":" Alice@Example.COM ","password":"x"}})"),
            "alice@example.com");
  // The provider's credential missing or not a string: no identifier key.
  EXPECT_EQ(Key(R"({"providerName":"phone","credentials":{"email":"a@b.co"}})"), "");
  EXPECT_EQ(Key(R"({"providerName":"phone","credentials":{"phone":5550100}})"), "");
  // Unknown provider: the reference's order.
  EXPECT_EQ(Key(R"({"providerName":"x","credentials":{"phone":"+1-555","email":"A@b.co"}})"),
            "a@b.co");
  EXPECT_EQ(Key(R"({"credentials":{"phone":"+1.555.0100"}})"), "+15550100");
}

TEST(ThrottleIdentifier, TopLevelFields) {
  EXPECT_EQ(Key(R"({"email":" A@B.co ","phone":"+1 555"})"), "a@b.co");
  EXPECT_EQ(Key(R"({"phone":"+1 (555) 010-0000"})"), "+15550100000");
  EXPECT_EQ(Key(R"({"email":"a@b.co","phone":"+1 (555) 010-0000"})", true), "+15550100000");
  EXPECT_EQ(Key(R"({"email":"a@b.co","phone":""})", true), "a@b.co");
  EXPECT_EQ(Key(R"({"identifier":" X "})"), "x");
  EXPECT_EQ(Key(R"({})"), "");
}

}  // namespace
}  // namespace authd::http
