#include "delivery/smtp_transport.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "delivery/test_servers.h"

namespace authd::delivery {
namespace {

using testutil::FreePort;
using testutil::SmtpServer;
using testutil::SmtpUrl;

constexpr core::UnixMillis kNow = 1700000000123;  // Tue, 14 Nov 2023 22:13:20

courier::OutboxMessage Email(std::string to, std::string subject, std::string body) {
  courier::OutboxMessage m;
  m.id = "0b7f3c1e-5d2a-4f6b-9c8d-1a2b3c4d5e6f";
  m.channel = courier::Channel::kEmail;
  m.recipient = std::move(to);
  m.kind = "password_reset";
  m.subject = std::move(subject);
  m.body = std::move(body);
  m.created_at = kNow;
  return m;
}

std::string HeaderBlock(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

// ---- FormatEmail ------------------------------------------------------

TEST(FormatEmail, WritesHeadersThenBodyWithCrlf) {
  std::string msg = FormatEmail(Email("ada@example.com", "Your Acme code", "Hello,\n\n123456\n"),
                                "Acme <no-reply@acme.test>", kNow);
  EXPECT_EQ(msg,
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "From: Acme <no-reply@acme.test>\r\n"
            "To: ada@example.com\r\n"
            "Subject: Your Acme code\r\n"
            "Message-ID: <0b7f3c1e-5d2a-4f6b-9c8d-1a2b3c4d5e6f@authd>\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hello,\r\n\r\n123456\r\n");
  // Every LF is part of a CRLF.
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      EXPECT_EQ(msg[i - 1], '\r') << "at " << i;
    }
  }
}

TEST(FormatEmail, EncodesNonAsciiSubjectAndBody) {
  std::string msg = FormatEmail(Email("ada@example.com", "Caf\xC3\xA9 code",
                                      "Gr\xC3\xBC\xC3\x9F"
                                      "e\n"),
                                "authd <no-reply@localhost>", kNow);
  std::string headers = HeaderBlock(msg);
  EXPECT_NE(headers.find("\r\nSubject: =?UTF-8?B?Q2Fmw6kgY29kZQ==?=\r\n"), std::string::npos)
      << headers;
  EXPECT_NE(headers.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_TRUE(msg.ends_with("\r\n\r\nGr=C3=BC=C3=9Fe\r\n")) << msg;
}

TEST(FormatEmail, FromDisplayNames) {
  auto from_line = [](std::string_view from) {
    std::string msg = FormatEmail(Email("a@b.c", "s", "b"), from, kNow);
    std::size_t start = msg.find("\r\nFrom: ") + 8;
    return msg.substr(start, msg.find("\r\n", start) - start);
  };
  EXPECT_EQ(from_line("authd <no-reply@localhost>"), "authd <no-reply@localhost>");
  EXPECT_EQ(from_line("no-reply@acme.test"), "no-reply@acme.test");
  EXPECT_EQ(from_line("Acme, Inc. <x@acme.test>"), "\"Acme, Inc.\" <x@acme.test>");
  EXPECT_EQ(from_line("\"Acme\" <x@acme.test>"), "Acme <x@acme.test>");
  EXPECT_EQ(from_line("Caf\xC3\xA9 <x@acme.test>"), "=?UTF-8?B?Q2Fmw6k=?= <x@acme.test>");
}

TEST(FormatEmail, NeverEmitsInjectedHeaders) {
  std::string msg =
      FormatEmail(Email("ada@example.com\r\nBcc: eve@evil.test", "Hi\r\nBcc: eve@evil.test", "b"),
                  "authd <no-reply@localhost>\r\nBcc: eve@evil.test", kNow);
  EXPECT_EQ(msg.find("\r\nBcc:"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("\nBcc:"), std::string::npos);
}

TEST(EmailAddress, TakesTheAngleBracketPart) {
  EXPECT_EQ(EmailAddress("authd <no-reply@localhost>"), "no-reply@localhost");
  EXPECT_EQ(EmailAddress("  x@y.z "), "x@y.z");
  EXPECT_EQ(EmailAddress("\"A <b>\" <c@d.e>"), "c@d.e");
}

TEST(CheckEmailHeaders, RejectsInjectionAndBadAddresses) {
  EXPECT_TRUE(CheckEmailHeaders(Email("ada@example.com", "ok\tsubject", "b")).ok());
  using namespace std::string_literals;
  for (std::string to :
       {"ada@example.com\r\nBcc: e@x.y"s, "ada@ex\0.com"s, "ada@example.com\n"s, "no-at-sign"s,
        "@example.com"s, "ada@"s, "a b@example.com"s, "<ada@example.com>"s, "a@b.c,e@x.y"s}) {
    core::Status s = CheckEmailHeaders(Email(to, "s", "b"));
    ASSERT_FALSE(s.ok()) << to;
    EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);
    EXPECT_EQ(s.error().code, "EMAIL_RECIPIENT_INVALID");
  }
  for (std::string subject : {"a\r\nBcc: e@x.y"s, "a\nb"s, "a\rb"s, "a\0b"s}) {
    core::Status s = CheckEmailHeaders(Email("ada@example.com", subject, "b"));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "EMAIL_SUBJECT_INVALID");
  }
}

class SmtpTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = SmtpServer::Start(&why_).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) {
      if (why_.find("not installed") != std::string::npos) GTEST_SKIP() << why_;
      FAIL() << why_;
    }
  }

  courier::SmtpOptions Options() const {
    courier::SmtpOptions o;
    o.url = server_->url();
    o.from = "Acme <no-reply@acme.test>";
    o.starttls = "off";
    o.timeout_ms = 5000;
    return o;
  }

  static inline SmtpServer* server_ = nullptr;
  static inline std::string why_;
  core::FakeClock clock_{kNow};
};

TEST_F(SmtpTransportTest, DeliversToARealServer) {
  auto transport = NewSmtpTransport(Options(), clock_);
  EXPECT_STREQ(transport->name(), "smtp");
  std::string long_line(120, 'y');
  courier::OutboxMessage m = Email("ada@example.com", "Your Acme code \xE2\x9C\x93",
                                   "Hello,\n\n123456\n.\nGr\xC3\xBC\xC3\x9F"
                                   "e " +
                                       long_line + "\n");
  std::size_t before = server_->Received().size();
  core::Status s = transport->Send(m);
  ASSERT_TRUE(s.ok()) << s.error().debug;

  std::vector<boost::json::object> got = server_->Received();
  ASSERT_EQ(got.size(), before + 1);
  const boost::json::object& r = got.back();
  EXPECT_EQ(r.at("mail_from").as_string(), "no-reply@acme.test");
  ASSERT_EQ(r.at("rcpt_tos").as_array().size(), 1u);
  EXPECT_EQ(r.at("rcpt_tos").as_array()[0].as_string(), "ada@example.com");
  EXPECT_EQ(r.at("subject").as_string(), m.subject);
  EXPECT_EQ(r.at("from").as_string(), "Acme <no-reply@acme.test>");
  EXPECT_EQ(r.at("to").as_string(), "ada@example.com");
  EXPECT_EQ(r.at("body").as_string(), m.body);  // the lone "." survived
  std::string content(r.at("content").as_string());
  EXPECT_NE(content.find("Message-ID: <" + m.id + "@authd>"), std::string::npos);
  EXPECT_NE(content.find("Date: Tue, 14 Nov 2023 22:13:20 +0000"), std::string::npos);
}

TEST_F(SmtpTransportTest, RefusedRecipientIsPermanent) {
  auto transport = NewSmtpTransport(Options(), clock_);
  core::Status s = transport->Send(Email("reject@example.com", "s", "b\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);
  EXPECT_NE(s.error().debug.find("550"), std::string::npos) << s.error().debug;
}

TEST_F(SmtpTransportTest, TemporaryRecipientFailureIsRetryable) {
  auto transport = NewSmtpTransport(Options(), clock_);
  core::Status s = transport->Send(Email("later@example.com", "s", "b\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_NE(s.error().debug.find("451"), std::string::npos) << s.error().debug;
}

TEST_F(SmtpTransportTest, RequiredStarttlsFailsWhenNotOffered) {
  courier::SmtpOptions o = Options();
  o.starttls = "required";
  o.username = "user";
  o.password = "hunter2-secret";
  core::Status s = NewSmtpTransport(o, clock_)->Send(Email("ada@example.com", "s", "b"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_EQ(s.error().debug.find("hunter2"), std::string::npos);
}

TEST(SmtpTransport, RefusedConnectionIsRetryable) {
  courier::SmtpOptions o;
  o.url = SmtpUrl(FreePort());
  o.starttls = "off";
  o.password = "hunter2-secret";
  o.username = "user";
  o.timeout_ms = 3000;
  core::FakeClock clock(kNow);
  core::Status s = NewSmtpTransport(o, clock)->Send(Email("ada@example.com", "s", "b"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_NE(s.error().debug.find("smtp:"), std::string::npos);
  EXPECT_EQ(s.error().debug.find("hunter2"), std::string::npos);
}

TEST(SmtpTransport, InjectionIsRejectedBeforeConnecting) {
  courier::SmtpOptions o;
  o.url = SmtpUrl(FreePort());  // would be refused
  core::FakeClock clock(kNow);
  auto transport = NewSmtpTransport(o, clock);
  core::Status s = transport->Send(Email("a@b.c\r\nRCPT TO:<e@x.y>", "s", "b"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);
  s = transport->Send(Email("a@b.c", "s\r\nBcc: e@x.y", "b"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().category, core::ErrorCategory::kInvalidArgument);
}

}  // namespace
}  // namespace authd::delivery
