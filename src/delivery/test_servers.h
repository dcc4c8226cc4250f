// Loopback servers for the transport tests (header-only, tests only):
// TestHttpServer, a one-request-per-connection HTTP/1.1 server recording
// what it receives, and SmtpServer, a real SMTP server (python3 aiosmtpd
// in a child process) recording each message as a JSON line.
#ifndef AUTHD_DELIVERY_TEST_SERVERS_H_
#define AUTHD_DELIVERY_TEST_SERVERS_H_

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

#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"

extern char** environ;

namespace authd::delivery::testutil {

// A port nothing listens on (bound, then released).
inline int FreePort() {
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

inline std::string SmtpUrl(int port) {
  std::string url = "smtp://127.0.0.1:";
  url.append(std::to_string(port));
  return url;
}

// Records each message as a JSON line; RCPT "reject*" gets a 550, "later*"
// a 451. Exits when its stdin closes.
inline constexpr const char* kSmtpServerScript = R"PY(
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
      std::string probe =
          std::string(candidate) + " -c 'import aiosmtpd.controller' >/dev/null 2>&1";
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
        if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!exited) {
        ::kill(pid_, SIGKILL);  // only the child this test started
        ::waitpid(pid_, &status, 0);
      }
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string url() const { return SmtpUrl(port_); }

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
    dir_ = std::filesystem::temp_directory_path() / "authd_smtp_test_";
    dir_ += std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "server.py") << kSmtpServerScript;
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
    std::vector<char*> argv = {const_cast<char*>(python.c_str()), const_cast<char*>(script.c_str()),
                               const_cast<char*>(output.c_str()), const_cast<char*>(port.c_str()),
                               nullptr};
    int rc = ::posix_spawnp(&pid_, python.c_str(), &actions, nullptr, argv.data(), environ);
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
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
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

  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = 0;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
};

inline std::string HttpUrl(int port, const std::string& path) {
  std::string url = "http://127.0.0.1:";
  url.append(std::to_string(port)).append(path);
  return url;
}

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
  std::string Url(const std::string& path) const { return HttpUrl(port_, path); }
  std::vector<SeenRequest> requests() const {
    core::MutexLock lock(&mu_);
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
    std::size_t length =
        req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    req.body = data.substr(header_end + 4);
    while (req.body.size() < length) {
      ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
      if (n <= 0) return;
      req.body.append(buf, static_cast<std::size_t>(n));
    }
    {
      core::MutexLock lock(&mu_);
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
  mutable core::Mutex mu_;
  std::vector<SeenRequest> requests_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace authd::delivery::testutil

#endif  // AUTHD_DELIVERY_TEST_SERVERS_H_
