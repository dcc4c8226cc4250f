#include "delivery/webhook_transport.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "crypto/hmac.h"
#include "delivery/test_servers.h"

namespace authd::delivery {
namespace {

using testutil::FreePort;
using testutil::HttpUrl;
using testutil::SeenRequest;
using testutil::TestHttpServer;

constexpr core::UnixMillis kNow = 1700000000123;

courier::OutboxMessage Message(courier::Channel channel) {
  courier::OutboxMessage m;
  m.id = "0b7f3c1e-5d2a-4f6b-9c8d-1a2b3c4d5e6f";
  m.channel = channel;
  m.recipient = channel == courier::Channel::kSms ? "+15550100" : "ada@example.com";
  m.kind = "mfa_code";
  m.subject = channel == courier::Channel::kEmail ? "Your Acme code" : "";
  m.body = "123456 is your \"Acme\" code.\n";
  m.created_at = kNow;
  return m;
}

// ---- tests ----------------------------------------------------------------

TEST(WebhookSignature, MatchesAHandComputedHmac) {
  // python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test",
  //   b"1700000000.{\"id\":\"m-1\",\"body\":\"hi\"}", hashlib.sha256).hexdigest())'
  EXPECT_EQ(WebhookSignature("whsec_test", 1700000000, R"({"id":"m-1","body":"hi"})"),
            "t=1700000000,v1="
            "177312b2fc59672ac17b7b3f21270e9c299d18affcfebc22cfb3aca3a8ffa65d");
}

TEST(WebhookEnvelope, SmsHasNoSubject) {
  boost::json::object o =
      boost::json::parse(WebhookEnvelope(Message(courier::Channel::kSms))).as_object();
  EXPECT_EQ(o.at("channel").as_string(), "sms");
  EXPECT_EQ(o.at("to").as_string(), "+15550100");
  EXPECT_FALSE(o.contains("subject"));
}

class WebhookTransportTest : public ::testing::Test {
 protected:
  courier::WebhookOptions Options() const {
    courier::WebhookOptions o;
    o.url = server_.Url("/gateway");
    o.secret = "whsec_test";
    o.timeout_ms = 5000;
    return o;
  }

  TestHttpServer server_;
  core::FakeClock clock_{kNow};
};

TEST_F(WebhookTransportTest, PostsSignedEmailEnvelope) {
  auto transport = NewWebhookTransport(Options(), clock_);
  EXPECT_STREQ(transport->name(), "webhook");
  courier::OutboxMessage m = Message(courier::Channel::kEmail);
  core::Status s = transport->Send(m);
  ASSERT_TRUE(s.ok()) << s.error().debug;

  std::vector<SeenRequest> got = server_.requests();
  ASSERT_EQ(got.size(), 1u);
  const SeenRequest& r = got[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/gateway");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("x-authd-message-id"), m.id);
  EXPECT_EQ(r.headers.at("x-authd-kind"), "mfa_code");
  std::string expected = "t=1700000000,v1=";
  expected.append(crypto::HmacSha256Hex("whsec_test", "1700000000." + r.body));
  EXPECT_EQ(r.headers.at("x-authd-signature"), expected);
  EXPECT_FALSE(r.headers.contains("expect"));

  boost::json::object o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o.at("id").as_string(), m.id);
  EXPECT_EQ(o.at("channel").as_string(), "email");
  EXPECT_EQ(o.at("to").as_string(), "ada@example.com");
  EXPECT_EQ(o.at("kind").as_string(), "mfa_code");
  EXPECT_EQ(o.at("subject").as_string(), "Your Acme code");
  EXPECT_EQ(o.at("body").as_string(), m.body);
  EXPECT_EQ(o.at("createdAt").as_string(), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(o.size(), 7u);
}

TEST_F(WebhookTransportTest, EventGoesVerbatimToItsOwnUrlUnsignedWithoutSecret) {
  courier::WebhookOptions o = Options();
  o.secret = "";
  o.url = "";  // events do not need it
  auto transport = NewWebhookTransport(o, clock_);
  courier::OutboxMessage m = Message(courier::Channel::kWebhook);
  m.recipient = server_.Url("/events?x=1");
  m.kind = "authd.logged_in";
  m.body = R"({"event":"authd.logged_in","userId":"u1"})";
  core::Status s = transport->Send(m);
  ASSERT_TRUE(s.ok()) << s.error().debug;
  std::vector<SeenRequest> got = server_.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/events?x=1");
  EXPECT_EQ(got[0].body, m.body);
  EXPECT_EQ(got[0].headers.at("x-authd-kind"), "authd.logged_in");
  EXPECT_FALSE(got[0].headers.contains("x-authd-signature"));
}

TEST_F(WebhookTransportTest, MapsStatusCodes) {
  auto transport = NewWebhookTransport(Options(), clock_);
  struct Case {
    int status;
    bool ok;
    core::ErrorCategory category;
  };
  const Case cases[] = {
      {200, true, {}},
      {204, true, {}},
      {500, false, core::ErrorCategory::kUnavailable},
      {503, false, core::ErrorCategory::kUnavailable},
      {429, false, core::ErrorCategory::kUnavailable},
      {408, false, core::ErrorCategory::kUnavailable},
      {400, false, core::ErrorCategory::kInvalidArgument},
      {404, false, core::ErrorCategory::kInvalidArgument},
      {301, false, core::ErrorCategory::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    server_.set_status(c.status);
    core::Status s = transport->Send(Message(courier::Channel::kSms));
    ASSERT_EQ(s.ok(), c.ok);
    if (!c.ok) {
      EXPECT_EQ(s.error().category, c.category);
      EXPECT_NE(s.error().debug.find(std::to_string(c.status)), std::string::npos)
          << s.error().debug;
    }
  }
  EXPECT_EQ(server_.requests().size(), std::size(cases));
}

TEST_F(WebhookTransportTest, RejectsUnsafeHeadersAndBadUrlsWithoutSending) {
  auto transport = NewWebhookTransport(Options(), clock_);
  courier::OutboxMessage m = Message(courier::Channel::kEmail);
  m.kind = "mfa_code\r\nX-Evil: 1";
  core::Status s = transport->Send(m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);

  courier::OutboxMessage event = Message(courier::Channel::kWebhook);
  event.recipient = "ftp://127.0.0.1/x";
  s = transport->Send(event);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);

  courier::WebhookOptions no_url = Options();
  no_url.url = "";
  s = NewWebhookTransport(no_url, clock_)->Send(Message(courier::Channel::kSms));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST(WebhookTransport, RefusedConnectionIsRetryable) {
  courier::WebhookOptions o;
  o.url = HttpUrl(FreePort(), "/x");
  o.secret = "whsec_test";
  o.timeout_ms = 3000;
  core::FakeClock clock(kNow);
  core::Status s = NewWebhookTransport(o, clock)->Send(Message(courier::Channel::kSms));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_NE(s.error().debug.find("webhook:"), std::string::npos);
}

}  // namespace
}  // namespace authd::delivery
