#include "delivery/webhook_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/hmac.h"

namespace authd::delivery {
namespace {

constexpr core::UnixMillis kNow = 1700000000123;

std::string LocalUrl(int port, const std::string& path) {
  std::string url = "http://127.0.0.1:";
  url.append(std::to_string(port)).append(path);
  return url;
}

// ---- a one-request-per-connection HTTP/1.1 server -------------------------

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class TestHttpServer {
 public:
  TestHttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TestHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  void set_status(int status) { status_ = status; }
  std::string Url(const std::string& path) const {
    return LocalUrl(port_, path);
  }
  std::vector<SeenRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      Serve(conn);
      ::close(conn);
    }
  }

  void Serve(int conn) {
    std::string data;
    char buf[4096];
    std::size_t header_end;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    SeenRequest req;
    std::size_t line_end = data.find("\r\n");
    std::string request_line = data.substr(0, line_end);
    std::size_t sp1 = request_line.find(' ');
    std::size_t sp2 = request_line.find(' ', sp1 + 1);
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    for (std::size_t pos = line_end + 2; pos < header_end;) {
      std::size_t end = data.find("\r\n", pos);
      std::string line = data.substr(pos, end - pos);
      std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t value = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = value == std::string::npos ? "" : line.substr(value);
      pos = end + 2;
    }
    std::size_t length = req.headers.count("content-length")
                             ? std::stoul(req.headers["content-length"])
                             : 0;
    req.body = data.substr(header_end + 4);
    while (req.body.size() < length) {
      ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
      if (n <= 0) return;
      req.body.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    std::string reply = "HTTP/1.1 ";
    reply.append(std::to_string(status_.load()))
        .append(" Test\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope");
    (void)::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<SeenRequest> requests_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  (void)::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

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
  o.url = LocalUrl(FreePort(), "/x");
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
