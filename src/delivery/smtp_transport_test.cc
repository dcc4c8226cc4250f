#include "delivery/smtp_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace authd::delivery {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

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
  std::string msg =
      FormatEmail(Email("ada@example.com", "Your Acme code", "Hello,\n\n123456\n"),
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
  std::string msg = FormatEmail(
      Email("ada@example.com", "Caf\xC3\xA9 code", "Gr\xC3\xBC\xC3\x9F" "e\n"),
      "authd <no-reply@localhost>", kNow);
  std::string headers = HeaderBlock(msg);
  EXPECT_NE(headers.find("\r\nSubject: =?UTF-8?B?Q2Fmw6kgY29kZQ==?=\r\n"),
            std::string::npos)
      << headers;
  EXPECT_NE(headers.find("Content-Transfer-Encoding: quoted-printable\r\n"),
            std::string::npos);
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
  std::string msg = FormatEmail(
      Email("ada@example.com\r\nBcc: eve@evil.test", "Hi\r\nBcc: eve@evil.test", "b"),
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
  for (std::string to : {"ada@example.com\r\nBcc: e@x.y"s, "ada@ex\0.com"s,
                         "ada@example.com\n"s, "no-at-sign"s, "@example.com"s, "ada@"s,
                         "a b@example.com"s, "<ada@example.com>"s, "a@b.c,e@x.y"s}) {
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

// ---- against a real SMTP server -----------------------------------------

// A port nothing listens on (bound, then released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string LocalUrl(int port) {
  std::string url = "smtp://127.0.0.1:";
  url.append(std::to_string(port));
  return url;
}

// Records each message as a JSON line; RCPT "reject*" gets a 550, "later*"
// a 451. Exits when its stdin closes.
constexpr const char* kServerScript = R"PY(
import json, sys
from email import message_from_bytes, policy
from aiosmtpd.controller import Controller

out_path, port = sys.argv[1], int(sys.argv[2])

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        rec = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
               "content": envelope.content.decode("utf-8", "replace"),
               "subject": str(msg["subject"]), "from": str(msg["from"]),
               "to": str(msg["to"]),
               "body": msg.get_content().replace("\r\n", "\n")}
        with open(out_path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
)PY";

// An aiosmtpd server in a child python process, for the tests of one suite.
class SmtpServer {
 public:
  // Null (with `why`) if python3 with aiosmtpd is not available.
  static std::unique_ptr<SmtpServer> Start(std::string* why) {
    std::string python;
    for (const char* candidate : {"/usr/bin/python3", "python3"}) {
      std::string probe = std::string(candidate) +
                          " -c 'import aiosmtpd.controller' >/dev/null 2>&1";
      if (std::system(probe.c_str()) == 0) {
        python = candidate;
        break;
      }
    }
    if (python.empty()) {
      *why = "python3 with aiosmtpd is not installed";
      return nullptr;
    }
    auto server = std::unique_ptr<SmtpServer>(new SmtpServer());
    if (!server->Spawn(python, why)) return nullptr;
    return server;
  }

  ~SmtpServer() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the script stops on EOF
    if (pid_ > 0) {
      int status = 0;
      bool exited = false;
      for (int i = 0; i < 100 && !exited; ++i) {
        exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (!exited) std::this_thread::sleep_for(50ms);
      }
      if (!exited) {
        ::kill(pid_, SIGKILL);  // only the child this test started
        ::waitpid(pid_, &status, 0);
      }
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string url() const { return LocalUrl(port_); }

  // The messages received so far, oldest first.
  std::vector<boost::json::object> Received() const {
    std::vector<boost::json::object> out;
    std::ifstream in(dir_ / "received.jsonl");
    for (std::string line; std::getline(in, line);) {
      out.push_back(boost::json::parse(line).as_object());
    }
    return out;
  }

 private:
  SmtpServer() = default;

  bool Spawn(const std::string& python, std::string* why) {
    dir_ = fs::temp_directory_path() / "authd_smtp_test_";
    dir_ += std::to_string(::getpid());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.py") << kServerScript;
    port_ = FreePort();
    int in[2], out[2];
    if (port_ == 0 || ::pipe2(in, O_CLOEXEC) != 0) return Fail(why, "pipe");
    if (::pipe2(out, O_CLOEXEC) != 0) return Fail(why, "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::string script = (dir_ / "server.py").string();
    std::string output = (dir_ / "received.jsonl").string();
    std::string port = std::to_string(port_);
    std::vector<char*> argv = {const_cast<char*>(python.c_str()),
                               const_cast<char*>(script.c_str()),
                               const_cast<char*>(output.c_str()),
                               const_cast<char*>(port.c_str()), nullptr};
    int rc = ::posix_spawnp(&pid_, python.c_str(), &actions, nullptr,
                            argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    if (rc != 0) {
      pid_ = 0;
      return Fail(why, "posix_spawnp");
    }
    // Controller.start() returns once the server accepts connections.
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seen.find("ready\n") == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return Fail(why, "no ready line");
      pollfd p{stdout_fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[64];
      ssize_t n = ::read(stdout_fd_, buf, sizeof(buf));
      if (n <= 0) return Fail(why, "server exited early");
      seen.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  static bool Fail(std::string* why, const char* what) {
    *why = std::string("cannot start the SMTP test server: ") + what;
    return false;
  }

  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = 0;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
};

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
  courier::OutboxMessage m =
      Email("ada@example.com", "Your Acme code \xE2\x9C\x93",
            "Hello,\n\n123456\n.\nGr\xC3\xBC\xC3\x9F" "e " + long_line + "\n");
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
  o.url = LocalUrl(FreePort());
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
  o.url = LocalUrl(FreePort());  // would be refused
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
