// The server's bounds on hashing work and on connections: a kHashing
// request whose client left is not run, Stop answers waiting ones at once,
// and connections past max_connections are answered 503 and closed.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/message.h"
#include "http/router.h"
#include "http/server.h"

namespace authd::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A blocking client whose reads give up after 10 s (a test failure rather
// than a hang). One request per connection.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{10, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void Send(const std::string& target) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(socket_, asio::buffer(req));
  }
  // Everything until the server closes, or the first response if it keeps
  // the connection open.
  std::string Read() {
    std::string data;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      data.append(buf, n);
      if (ec || data.find("\r\n\r\n") != std::string::npos) {
        const std::size_t head = data.find("\r\n\r\n");
        const std::size_t cl = data.find("Content-Length: ");
        if (ec || head == std::string::npos || cl == std::string::npos) return data;
        const std::size_t len = std::stoul(data.substr(cl + 16));
        if (data.size() >= head + 4 + len) return data;
      }
    }
  }
  bool ClosedByServer() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  void Close() { socket_.close(); }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
};

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

class ServerLimitsTest : public ::testing::Test {
 protected:
  ServerLimitsTest() {
    // /hash?block holds the single hashing thread until released.
    router_.Add("GET", "/hash", Exec::kHashing, [this](const Request& r) {
      runs_.fetch_add(1);
      if (r.query == "block") {
        started_.set_value();
        released_.wait();
      }
      return Text("hashed");
    });
    router_.Add("GET", "/inline", Exec::kInline, [](const Request&) { return Text("inline"); });
  }

  void Start(HttpOptions opts) {
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.io_threads = 1;
    auto created = Server::Create(opts, router_, /*hashing_workers=*/1);
    ASSERT_TRUE(created.ok()) << created.error().debug;
    server_ = std::move(created.value());
    std::promise<void> ready;
    run_ = std::thread([this, &ready] { server_->Run([&ready] { ready.set_value(); }); });
    ready.get_future().wait();
  }

  void TearDown() override {
    if (!released_set_) release_.set_value();
    if (run_.joinable()) {
      server_->Stop();
      run_.join();
    }
  }

  void Release() {
    released_set_ = true;
    release_.set_value();
  }
  bool WaitStarted() { return started_.get_future().wait_for(10s) == std::future_status::ready; }
  std::uint16_t port() const { return server_->port(); }

  Router router_;
  std::atomic<int> runs_{0};
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  bool released_set_ = false;
  std::unique_ptr<Server> server_;
  std::thread run_;
};

bool Has(const std::string& s, const std::string& part) { return s.find(part) != s.npos; }

TEST_F(ServerLimitsTest, HashingRequestOfADepartedClientIsNotRun) {
  Start(HttpOptions{});
  RawClient holder(port());
  holder.Send("/hash?block");
  ASSERT_TRUE(WaitStarted());
  {
    RawClient departed(port());
    departed.Send("/hash");
    // A round trip on another connection of the (single) I/O thread: the
    // server has seen the request, then the close.
    RawClient probe(port());
    probe.Send("/inline");
    ASSERT_TRUE(Has(probe.Read(), "inline"));
    departed.Close();
    RawClient probe2(port());
    probe2.Send("/inline");
    ASSERT_TRUE(Has(probe2.Read(), "inline"));
  }
  Release();
  EXPECT_TRUE(Has(holder.Read(), "hashed"));
  RawClient next(port());
  next.Send("/hash");
  EXPECT_TRUE(Has(next.Read(), "hashed"));
  EXPECT_EQ(runs_.load(), 2);  // the holder and `next`, not the departed one
}

TEST_F(ServerLimitsTest, StopAnswersWaitingHashes503AtOnce) {
  Start(HttpOptions{});
  RawClient holder(port());
  holder.Send("/hash?block");
  ASSERT_TRUE(WaitStarted());
  RawClient waiting(port());
  waiting.Send("/hash");
  RawClient probe(port());  // the request above is queued
  probe.Send("/inline");
  ASSERT_TRUE(Has(probe.Read(), "inline"));
  server_->Stop();
  // Answered while the running hash still runs.
  const std::string r = waiting.Read();
  EXPECT_TRUE(Has(r, "HTTP/1.1 503")) << r;
  EXPECT_TRUE(Has(r, "Retry-After: 1")) << r;
  EXPECT_TRUE(Has(r, R"("code":"SERVICE_UNAVAILABLE")")) << r;
  Release();
  EXPECT_TRUE(Has(holder.Read(), "hashed"));
  run_.join();
  EXPECT_EQ(runs_.load(), 1);
}

TEST_F(ServerLimitsTest, ConnectionsPastTheCapAreAnswered503AndClosed) {
  HttpOptions opts;
  opts.max_connections = 2;
  Start(opts);
  RawClient a(port()), b(port());
  a.Send("/inline");
  b.Send("/inline");
  ASSERT_TRUE(Has(a.Read(), "inline"));
  ASSERT_TRUE(Has(b.Read(), "inline"));
  RawClient refused(port());
  const std::string r = refused.Read();
  EXPECT_TRUE(Has(r, "HTTP/1.1 503")) << r;
  EXPECT_TRUE(Has(r, "Connection: close")) << r;
  EXPECT_TRUE(Has(r, R"("code":"SERVICE_UNAVAILABLE")")) << r;
  EXPECT_TRUE(refused.ClosedByServer());
  // The open ones still work; once one closes there is room again.
  a.Send("/inline");
  EXPECT_TRUE(Has(a.Read(), "inline"));
  b.Close();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {
    RawClient c(port());
    c.Send("/inline");
    served = Has(c.Read(), "inline");
    if (!served) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace authd::http
