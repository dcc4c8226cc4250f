#include "http/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/nonblocking.h"
#include "http/message.h"
#include "http/router.h"

namespace authd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using WireResponse = bhttp::response<bhttp::string_body>;

std::string ThreadTag() {
  return std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
}

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

Router TestRouter() {
  Router router;
  router.Add("GET", "/inline", Exec::kInline, [](const Request&) { return Text(ThreadTag()); });
  router.Add("GET", "/blocking", Exec::kBlocking, [](const Request&) { return Text(ThreadTag()); });
  router.Add("GET", "/hashing", Exec::kHashing, [](const Request&) { return Text(ThreadTag()); });
  // Answers inline unless the query says it must block; then it is run
  // again on the read pool. The body names the thread that answered.
  router.Add("GET", "/try-inline", Exec::kReadTryInline, [](const Request& r) {
    if (core::NonBlockingScope::Active() && r.query == "miss") {
      core::Error e = core::NonBlockingScope::WouldBlock();
      return Text("refused:" + e.code);
    }
    return Text(ThreadTag());
  });
  router.Add("GET", "/sleep", Exec::kBlocking, [](const Request&) {
    std::this_thread::sleep_for(300ms);
    return Text("slept");
  });
  router.Add("GET", "/throw", Exec::kInline,
             [](const Request&) -> Response { throw std::runtime_error("boom"); });
  router.Add("GET", "/throw-blocking", Exec::kBlocking,
             [](const Request&) -> Response { throw std::runtime_error("boom"); });
  router.Add("GET", "/echo", Exec::kInline, [](const Request& r) {
    return Text("method=" + r.method + "|path=" + r.path + "|query=" + r.query +
                "|id=" + r.request_id + "|ip=" + r.remote_ip);
  });
  router.Add("POST", "/upload", Exec::kInline,
             [](const Request& r) { return Text(std::to_string(r.body.size())); });
  router.Add("GET", "/cookies", Exec::kInline, [](const Request&) {
    Response r = Text("");
    r.status = 204;
    r.AddHeader("Set-Cookie", "a=1; Path=/");
    r.AddHeader("X-Extra", "x");
    r.AddHeader("Set-Cookie", "b=2; Path=/; HttpOnly");
    r.AddHeader("Set-Cookie", "c=3");
    return r;
  });
  return router;
}

// A small synchronous client; every wait is bounded so a broken server
// fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void WriteRaw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  void Send(bhttp::verb verb, std::string target, std::string body = "",
            std::vector<std::pair<std::string, std::string>> headers = {}, int version = 11) {
    bhttp::request<bhttp::string_body> req{verb, target, version};
    req.set(bhttp::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.insert(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(socket_, req);
  }

  // Reads a response; timed_out if none arrives within `timeout`.
  beast::error_code Read(WireResponse& res, std::chrono::milliseconds timeout = 5s) {
    return Await(timeout, [&](auto done) { bhttp::async_read(socket_, buffer_, res, done); });
  }

  // The next response (a test failure if there is none).
  WireResponse Next() {
    WireResponse res;
    EXPECT_FALSE(Read(res)) << "no response";
    return res;
  }

  WireResponse Get(std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Send(bhttp::verb::get, std::move(target), "", std::move(headers));
    return Next();
  }

  // eof/reset once the server closed; timed_out if still open after
  // `timeout`.
  beast::error_code WaitForClose(std::chrono::milliseconds timeout = 5s) {
    return Await(timeout,
                 [&](auto done) { socket_.async_read_some(asio::buffer(scratch_), done); });
  }

 private:
  template <typename StartOp>
  beast::error_code Await(std::chrono::milliseconds timeout, StartOp start) {
    beast::error_code result = asio::error::timed_out;
    bool done = false;
    start([&](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (done) return result;
    socket_.cancel();
    ioc_.restart();
    ioc_.run();
    return asio::error::timed_out;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  char scratch_[256];
};

bool IsClosed(beast::error_code ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

HttpOptions TestOptions() {
  HttpOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.blocking_workers = 2;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 4096;
  o.read_timeout_ms = 2000;
  o.idle_timeout_ms = 2000;
  o.shutdown_grace_ms = 5000;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpOptions opts = TestOptions()) {
    auto created = Server::Create(opts, router_, 1);
    ASSERT_TRUE(created.ok()) << created.error().debug;
    server_ = std::move(created.value());
    std::promise<void> ready;
    run_thread_ = std::thread([this, &ready] { server_->Run([&ready] { ready.set_value(); }); });
    ready.get_future().wait();
  }

  // Stops the server; returns how long Run took to return.
  Clock::duration StopServer() {
    auto start = Clock::now();
    server_->Stop();
    run_thread_.join();
    return Clock::now() - start;
  }

  void TearDown() override {
    if (run_thread_.joinable()) StopServer();
  }

  std::uint16_t port() const { return server_->port(); }

  Router router_ = TestRouter();
  std::unique_ptr<Server> server_;
  std::thread run_thread_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client c(port());
  WireResponse first = c.Get("/inline");
  WireResponse second = c.Get("/inline");
  for (const WireResponse& r : {first, second}) {
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_EQ(r[bhttp::field::connection], "keep-alive");
    EXPECT_EQ(r["Keep-Alive"], "timeout=2");
    EXPECT_EQ(r[bhttp::field::content_type], "text/plain");
    EXPECT_EQ(r[bhttp::field::content_length], std::to_string(r.body().size()));
    EXPECT_FALSE(r.body().empty());
  }
  EXPECT_NE(first["X-Request-Id"], second["X-Request-Id"]);
}

TEST_F(ServerTest, Http10ClosesAfterResponse) {
  StartServer();
  Client c(port());
  c.Send(bhttp::verb::get, "/inline", "", {}, 10);
  WireResponse res = c.Next();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::connection], "close");
  EXPECT_TRUE(IsClosed(c.WaitForClose()));
}

TEST_F(ServerTest, UnknownRouteIs404WithExactBody) {
  StartServer();
  Client c(port());
  WireResponse res = c.Get("/nope");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), R"({"message":"Cannot GET /nope","error":"Not Found","statusCode":404})");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=utf-8");
  // The wrong method is unknown too; the connection stays usable.
  c.Send(bhttp::verb::post, "/inline");
  EXPECT_EQ(c.Next().body(),
            R"({"message":"Cannot POST /inline","error":"Not Found","statusCode":404})");
}

TEST_F(ServerTest, RoutesOnTheRawPathAndSplitsQuery) {
  StartServer();
  Client c(port());
  // Like Express, an encoded path does not match the decoded route.
  EXPECT_EQ(c.Get("/ech%6F").result_int(), 404);
  WireResponse res = c.Get("/echo?a=b%20c&d", {{"X-Request-Id", "abc-123.DEF_9"}});
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "method=GET|path=/echo|query=a=b%20c&d|id=abc-123.DEF_9|ip=127.0.0.1");
  EXPECT_EQ(res["X-Request-Id"], "abc-123.DEF_9");
}

TEST_F(ServerTest, GeneratesRequestIdWhenIncomingIsNotSane) {
  StartServer();
  Client c(port());
  for (std::string bad : {std::string("bad id!"), std::string(65, 'a'), std::string("a/b")}) {
    WireResponse res = c.Get("/echo", {{"X-Request-Id", bad}});
    std::string id(res["X-Request-Id"]);
    EXPECT_EQ(id.size(), 16u) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_NE(res.body().find("|id=" + id + "|"), std::string::npos);
  }
}

TEST_F(ServerTest, BodyAtLimitIsAccepted) {
  StartServer();
  Client c(port());
  c.Send(bhttp::verb::post, "/upload", std::string(1024, 'x'));
  EXPECT_EQ(c.Next().body(), "1024");
}

struct Rejection {
  const char* name;
  std::function<void(Client&)> send;
  int status;
  const char* body;
};

TEST_F(ServerTest, UnreadableRequestsAreAnsweredThenClosed) {
  StartServer();
  const Rejection cases[] = {
      {"body over max_body_bytes",
       [](Client& c) { c.Send(bhttp::verb::post, "/upload", std::string(2000, 'x')); }, 413,
       R"({"message":"request entity too large","error":"Payload Too Large","statusCode":413})"},
      {"headers over max_header_bytes",
       [](Client& c) {
         c.Send(bhttp::verb::get, "/inline", "", {{"X-Big", std::string(8000, 'h')}});
       },
       431,
       R"({"message":"Request header fields too large","error":"Request Header Fields Too Large","statusCode":431})"},
      {"garbage", [](Client& c) { c.WriteRaw("\x01\x02 garbage\r\n\r\n"); }, 400,
       R"({"message":"Bad Request","error":"Bad Request","statusCode":400})"},
  };
  for (const Rejection& r : cases) {
    SCOPED_TRACE(r.name);
    Client c(port());
    r.send(c);
    WireResponse res = c.Next();
    EXPECT_EQ(res.result_int(), r.status);
    EXPECT_EQ(res.body(), r.body);
    EXPECT_EQ(res[bhttp::field::connection], "close");
    EXPECT_TRUE(IsClosed(c.WaitForClose()));
  }
}

TEST_F(ServerTest, HandlerExceptionIs500) {
  StartServer();
  Client c(port());
  for (const char* target : {"/throw", "/throw-blocking"}) {
    WireResponse res = c.Get(target);
    EXPECT_EQ(res.result_int(), 500);
    EXPECT_EQ(res.body(), R"({"statusCode":500,"message":"Internal server error"})");
    EXPECT_EQ(res[bhttp::field::connection], "keep-alive");
  }
}

TEST_F(ServerTest, MultipleSetCookiePreservedInOrder) {
  StartServer();
  Client c(port());
  WireResponse res = c.Get("/cookies");
  EXPECT_EQ(res.result_int(), 204);
  std::vector<std::string> cookies;
  for (auto [it, end] = res.equal_range(bhttp::field::set_cookie); it != end; ++it) {
    cookies.emplace_back(it->value());
  }
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3"}));
  EXPECT_EQ(res["X-Extra"], "x");
  EXPECT_EQ(res.count(bhttp::field::content_length), 0u);  // 204: no body
}

TEST_F(ServerTest, HandlersRunWhereTheirRouteSays) {
  StartServer();
  Client c(port());
  std::string io = c.Get("/inline").body();
  std::string blocking = c.Get("/blocking").body();
  std::string hashing = c.Get("/hashing").body();
  EXPECT_NE(io, blocking);
  EXPECT_NE(io, hashing);
  EXPECT_NE(blocking, hashing);
}

TEST_F(ServerTest, TryInlineRunsOnTheIoThreadUnlessAStoreWouldBlock) {
  StartServer();
  Client c(port());
  const std::string io = c.Get("/inline").body();
  EXPECT_EQ(c.Get("/try-inline").body(), io) << "a hit is answered on the I/O thread";
  const WireResponse miss = c.Get("/try-inline?miss");
  EXPECT_EQ(miss.result_int(), 200);
  EXPECT_NE(miss.body(), io) << "a refusal is rerun on a worker thread";
  EXPECT_EQ(miss.body().find("refused"), std::string::npos)
      << "the refused attempt's answer must be discarded";
}

TEST_F(ServerTest, SlowBlockingHandlerDoesNotDelayInline) {
  HttpOptions opts = TestOptions();
  opts.io_threads = 1;  // both connections share the one I/O thread
  StartServer(opts);
  Client slow(port());
  Client fast(port());
  auto start = Clock::now();
  slow.Send(bhttp::verb::get, "/sleep");
  std::this_thread::sleep_for(20ms);  // the sleep handler is running
  WireResponse res = fast.Get("/inline");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_LT(Clock::now() - start, 200ms);
  EXPECT_EQ(slow.Next().body(), "slept");
  EXPECT_GE(Clock::now() - start, 300ms);
}

TEST_F(ServerTest, IdleTimeoutClosesConnection) {
  HttpOptions opts = TestOptions();
  opts.idle_timeout_ms = 200;
  StartServer(opts);
  Client c(port());
  WireResponse res = c.Get("/inline");
  EXPECT_EQ(res["Keep-Alive"], "timeout=1");
  auto start = Clock::now();
  EXPECT_TRUE(IsClosed(c.WaitForClose(3s)));
  EXPECT_GE(Clock::now() - start, 150ms);
}

TEST_F(ServerTest, SlowlorisIsDisconnectedAtReadTimeout) {
  HttpOptions opts = TestOptions();
  opts.read_timeout_ms = 300;
  StartServer(opts);
  Client c(port());
  auto start = Clock::now();
  c.WriteRaw("GET /inline HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(100ms);
  c.WriteRaw("X-Slow: 1\r\n");  // trickling bytes does not extend the deadline
  EXPECT_TRUE(IsClosed(c.WaitForClose(3s)));
  EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(ServerTest, StopDeliversInFlightResponseAndClosesIdle) {
  StartServer();
  Client idle(port());
  EXPECT_EQ(idle.Get("/inline").result_int(), 200);
  Client busy(port());
  busy.Send(bhttp::verb::get, "/sleep");
  std::this_thread::sleep_for(50ms);
  auto stopped = std::async(std::launch::async, [this] { return StopServer(); });
  EXPECT_TRUE(IsClosed(idle.WaitForClose(1s)));  // idle: closed promptly
  WireResponse res = busy.Next();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "slept");
  EXPECT_EQ(res[bhttp::field::connection], "close");
  ASSERT_EQ(stopped.wait_for(3s), std::future_status::ready);  // Run returned
  EXPECT_LT(stopped.get(), 2s);
}

TEST_F(ServerTest, ForwardedForOnlyWhenProxyTrusted) {
  StartServer();
  Client c(port());
  std::string body = c.Get("/echo", {{"X-Forwarded-For", "10.0.0.7"}}).body();
  EXPECT_NE(body.find("|ip=127.0.0.1"), std::string::npos) << body;
  StopServer();
  HttpOptions opts = TestOptions();
  opts.trust_proxy = true;
  StartServer(opts);
  Client trusted(port());
  body = trusted.Get("/echo", {{"X-Forwarded-For", " 10.0.0.7 , 10.0.0.2"}}).body();
  // The right-most entry: the one the trusted proxy appended.
  EXPECT_NE(body.find("|ip=10.0.0.2"), std::string::npos) << body;
}

TEST_F(ServerTest, CreateFailsWhenPortIsTaken) {
  StartServer();
  HttpOptions opts = TestOptions();
  opts.port = port();
  auto second = Server::Create(opts, router_, 1);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_NE(second.error().debug.find("cannot listen"), std::string::npos);
}

TEST_F(ServerTest, AccessLogHasNoQueryOrHeaderValues) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("http", sink);
  logger->set_pattern("%v");
  spdlog::register_logger(logger);
  StartServer();
  {
    Client c(port());
    c.Get("/echo?token=secret123", {{"X-Request-Id", "req-1"}, {"Cookie", "s=cookieval"}});
  }
  StopServer();
  spdlog::drop("http");
  std::string log = out.str();
  EXPECT_NE(log.find("request_id=req-1 method=GET path=/echo status=200 latency_ms="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" ip=127.0.0.1 bytes="), std::string::npos) << log;
  EXPECT_EQ(log.find("secret123"), std::string::npos);
  EXPECT_EQ(log.find("cookieval"), std::string::npos);
}

}  // namespace
}  // namespace authd::http
