#include "courier/events.h"

#include <gtest/gtest.h>

#include "store/memory/memory_stores.h"

namespace authd::courier {
namespace {

constexpr core::UnixMillis kNow = 1795627064000;

Event ResetRequested() {
  Event e{event::kPasswordResetRequested, std::nullopt, {}, std::string("123456")};
  e.data.Str("userId", "u-1").Tenant(std::nullopt).Str("email", "a\"b@example.com");
  return e;
}

class EventsTest : public ::testing::Test {
 protected:
  core::FakeClock clock_{kNow};
  store::MemoryCourierStores stores_ = store::NewMemoryCourierStores();
};

TEST_F(EventsTest, OneSignedWebhookPerUrlWithoutTheCodeByDefault) {
  int wakes = 0;
  EventPublisher p({{"http://a.test/hook", "http://b.test/hook"}, {}, {}}, *stores_.outbox,
                   crypto::OsRandom(), clock_, [&] { ++wakes; });
  std::vector<OutboxMessage> m = p.Messages(ResetRequested());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].recipient, "http://a.test/hook");
  EXPECT_EQ(m[1].recipient, "http://b.test/hook");
  EXPECT_EQ(m[0].channel, Channel::kWebhook);
  EXPECT_EQ(m[0].kind, "nest_auth.password_reset_requested");
  EXPECT_EQ(m[0].body, "{\"id\":\"" + m[0].id +
                           "\",\"event\":\"nest_auth.password_reset_requested\","
                           "\"createdAt\":\"2026-11-25T17:17:44.000Z\",\"data\":{\"userId\":"
                           "\"u-1\",\"tenantId\":null,\"email\":\"a\\\"b@example.com\"}}");
  EXPECT_EQ(m[0].body.find("123456"), std::string::npos);

  ASSERT_TRUE(p.Publish(ResetRequested()).ok());
  EXPECT_EQ(wakes, 1);
  auto claimed = stores_.outbox->ClaimDue(kNow, 10, kNow + 1000);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->size(), 2u);
}

TEST_F(EventsTest, CodesOnlyForOptedInEventsAndOnlyListedNames) {
  EventPublisher p(
      {{"http://a.test/hook"}, {event::kPasswordResetRequested}, {event::kPasswordResetRequested}},
      *stores_.outbox, crypto::OsRandom(), clock_);
  std::vector<OutboxMessage> m = p.Messages(ResetRequested());
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].body.find(",\"code\":\"123456\"}}"), std::string::npos) << m[0].body;
  EXPECT_FALSE(p.Wants(event::kLoggedIn));
  Event login{event::kLoggedIn, std::nullopt, {}, std::nullopt};
  EXPECT_TRUE(p.Messages(login).empty());
}

TEST_F(EventsTest, NoUrlsMeansEventsAreOff) {
  EventPublisher p({}, *stores_.outbox, crypto::OsRandom(), clock_);
  EXPECT_FALSE(p.Wants(event::kLoggedIn));
  ASSERT_TRUE(p.Publish(ResetRequested()).ok());
  auto next = stores_.outbox->NextDue();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

}  // namespace
}  // namespace authd::courier
