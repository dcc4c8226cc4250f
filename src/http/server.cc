#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <sys/socket.h>

#include "http/access_log.h"
#include "http/cors.h"
#include "http/error_mapping.h"
#include "http/fd_limit.h"
#include "http/log_limiter.h"
#include "http/worker_pool.h"

namespace authd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxIdleBuffer = 64 * 1024;  // shrink past this

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The peer address; IPv4-mapped IPv6 ("::ffff:1.2.3.4") shown as IPv4.
std::string PeerIp(const tcp::socket& socket) {
  beast::error_code ec;
  asio::ip::address addr = socket.remote_endpoint(ec).address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return ec ? "-" : addr.to_string();
}

// Everything the connections of one server share: read-only while serving,
// except the pools, which are thread-safe, and the connection count.
struct ServerContext {
  ServerContext(const HttpOptions& o, const Router& router, int blocking, int hashing)
      : opts(o),
        cors(o.cors, o.csrf.header_name),
        dispatcher(router, blocking,
                   HashQueueOptions{hashing, o.hash_queue_max, o.hash_per_key_max, o.hash_nice},
                   access_log.logger()),
        max_connections(o.max_connections > 0 ? o.max_connections
                                              : ConnectionsFor(CurrentOpenFileLimit())) {}

  const HttpOptions opts;
  const Cors cors;
  AccessLog access_log;
  Dispatcher dispatcher;
  const int max_connections;  // server.max_connections, or the fd limit's
  // Shared with every ConnectionSlot: a connection frame destroyed with
  // its io_context, after this context, still counts down safely.
  const std::shared_ptr<std::atomic<int>> connections = std::make_shared<std::atomic<int>>(0);
};

// Holds one of the server's max_connections for as long as it lives (it
// moves into the connection's coroutine frame).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<std::atomic<int>> count) : count_(std::move(count)) {
    count_->fetch_add(1);
  }
  ConnectionSlot(ConnectionSlot&& o) noexcept = default;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (count_) count_->fetch_sub(1);
  }

 private:
  std::shared_ptr<std::atomic<int>> count_;
};

// While a request waits in the hashing pool, its connection's socket is
// watched for the peer closing it; touched only on the connection's thread,
// except `gone`.
struct PeerState {
  std::atomic<bool> gone{false};
  bool active = true;  // false once the request is answered
};

class Connection;

// True unless the request carries a Transfer-Encoding that is not exactly
// "chunked", or carries both Transfer-Encoding and Content-Length.
bool FramingIsUnambiguous(const bhttp::request_parser<bhttp::string_body>::value_type& m) {
  auto te = m.find(bhttp::field::transfer_encoding);
  if (te == m.end()) return true;
  if (m.count(bhttp::field::transfer_encoding) != 1) return false;
  if (m.find(bhttp::field::content_length) != m.end()) return false;
  std::string_view v = te->value();
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return beast::iequals(v, "chunked");
}

// One I/O thread: its io_context and the connections living on it. Touched
// only from that thread (Stop() posts here), hence no locks. Member order
// matters: ~io_context destroys suspended connection frames, which
// unregister from `conns`, so `conns` must outlive `ioc`.
struct IoState {
  ~IoState() { destroying = true; }

  void Unregister(Connection* c);
  void Drain(milliseconds grace);  // see Server::Stop

  std::unordered_set<Connection*> conns;
  bool stopping = false;
  bool destroying = false;
  asio::io_context ioc{1};
  asio::steady_timer grace_timer{ioc};
  // Keeps run() going while no connection exists; dropped by Drain().
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      ioc.get_executor()};
};

// One client connection: reads requests in a loop, answers them in order.
class Connection final : public PeerWatch {
 public:
  Connection(tcp::socket socket, IoState& io, ServerContext& ctx)
      : peer_ip_(PeerIp(socket)),
        stream_(std::move(socket)),
        io_(io),
        ctx_(ctx),
        buffer_(ctx.opts.max_header_bytes + ctx.opts.max_body_bytes + 64 * 1024) {
    io_.conns.insert(this);
    beast::error_code ec;  // small responses: don't wait for Nagle
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Connection() override {
    if (peer_) peer_->active = false;
    io_.Unregister(this);
  }

  asio::awaitable<void> Serve();

  // Shutdown: an idle keep-alive connection is closed now; a busy one
  // closes after its response (it sees io_.stopping).
  void CloseIfIdle() {
    if (idle_) stream_.close();
  }
  void Close() { stream_.close(); }

  // PeerWatch, for the hashing pool (worker_pool.h).
  HashQueue::CancelFlag StartWatching() override;
  void StopWatching() override;

 private:
  void WatchPeer(std::shared_ptr<PeerState> state);
  asio::awaitable<bool> AwaitRequestStart();
  asio::awaitable<bool> ReadRequest();
  asio::awaitable<bool> Handle();
  asio::awaitable<void> AnswerReadError(beast::error_code ec);
  asio::awaitable<bool> Write(const Response& r, std::string_view request_id, bool keep_alive,
                              bool head_only = false);
  asio::awaitable<void> LingeringClose();

  const std::string peer_ip_;
  beast::tcp_stream stream_;
  IoState& io_;
  ServerContext& ctx_;
  // Reused for the connection's lifetime. Bounded: Beast keeps an
  // unfinished chunk-size line (e.g. a chunk extension that never ends) in
  // this buffer, outside the header and body limits.
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;  // reused: its strings keep their capacity
  Response response_;
  std::string head_;                 // serialised response head, reused
  bool idle_ = false;                // waiting for the first byte of a request
  std::shared_ptr<PeerState> peer_;  // set while a request waits for hashing
};

void IoState::Unregister(Connection* c) {
  if (destroying) return;
  conns.erase(c);
  if (stopping && conns.empty()) grace_timer.cancel();
}

void IoState::Drain(milliseconds grace) {
  stopping = true;
  work.reset();
  for (Connection* c : conns) c->CloseIfIdle();
  if (conns.empty()) return;
  grace_timer.expires_after(grace);
  grace_timer.async_wait([this](beast::error_code ec) {
    if (ec) return;  // cancelled: everything drained in time
    for (Connection* c : conns) c->Close();
    ioc.stop();
  });
}

HashQueue::CancelFlag Connection::StartWatching() {
  peer_ = std::make_shared<PeerState>();
  WatchPeer(peer_);
  return HashQueue::CancelFlag(peer_, &peer_->gone);
}

void Connection::StopWatching() {
  if (!peer_) return;
  peer_->active = false;
  peer_.reset();
  beast::error_code ec;
  stream_.socket().cancel(ec);  // the wait below: nothing else is pending
}

// Readable while a request is being handled: either the peer closed (EOF
// or reset: its request need not be computed) or it sent more (pipelining:
// it is still there, stop watching).
void Connection::WatchPeer(std::shared_ptr<PeerState> state) {
  stream_.socket().async_wait(tcp::socket::wait_read, [this, state](beast::error_code ec) mutable {
    if (ec || !state->active) return;  // cancelled, or answered already
    char byte;
    const ssize_t n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      state->gone.store(true, std::memory_order_release);
    } else if (n < 0) {
      WatchPeer(std::move(state));
    }
  });
}

asio::awaitable<void> Connection::Serve() {
  // No co_await inside `&&`: GCC 12 evaluates it even when the left side
  // is false, which kept closed connections reading.
  bool keep_alive = !io_.stopping;
  while (keep_alive) {
    const bool started = co_await AwaitRequestStart();
    if (!started) break;
    keep_alive = co_await ReadRequest();
  }
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Waits (idle timeout) for the first byte of the next request. Pipelined
// bytes already buffered count as a start.
asio::awaitable<bool> Connection::AwaitRequestStart() {
  if (buffer_.size() > 0) co_return true;
  if (io_.stopping) co_return false;
  if (buffer_.capacity() > kMaxIdleBuffer) buffer_.shrink_to_fit();
  idle_ = true;
  stream_.expires_after(milliseconds(ctx_.opts.idle_timeout_ms));
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
  idle_ = false;
  if (ec) co_return false;
  buffer_.commit(n);
  co_return true;
}

// Reads one request (read timeout for the whole of it) and answers it.
// Returns whether the connection stays open.
asio::awaitable<bool> Connection::ReadRequest() {
  parser_.emplace();
  parser_->header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(ctx_.opts.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(ctx_.opts.max_body_bytes);
  stream_.expires_after(milliseconds(ctx_.opts.read_timeout_ms));
  auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, *parser_, kTuple);
  if (!ec && !FramingIsUnambiguous(parser_->get())) {
    // RFC 9112 §6.1: a Transfer-Encoding other than a lone "chunked", or
    // one next to Content-Length, could be read differently by a proxy in
    // front of us (request smuggling): refuse it and close.
    ec = bhttp::error::bad_transfer_encoding;
  }
  if (!ec && !parser_->is_done()) {
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      std::tie(ec, n) = co_await asio::async_write(stream_, asio::buffer(kContinue), kTuple);
    }
    if (!ec) {
      std::tie(ec, n) = co_await bhttp::async_read(stream_, buffer_, *parser_, kTuple);
    }
  }
  if (ec) {
    co_await AnswerReadError(ec);
    co_return false;
  }
  co_return co_await Handle();
}

asio::awaitable<bool> Connection::Handle() {
  const auto start = std::chrono::steady_clock::now();
  auto& wire = parser_->get();  // copied into request_, reusing it
  SetRequestLine(wire.method_string(), wire.target(), request_);
  std::size_t n = 0;
  for (const auto& f : wire) {
    SetHeaderField(n++, f.name_string(), f.value(), request_);
  }
  request_.headers.resize(n);
  request_.body = std::move(wire.body());
  SetRequestIdentity(peer_ip_, ctx_.opts, request_);
  bool keep_alive = wire.keep_alive();
  if (auto preflight = ctx_.cors.Preflight(request_)) {
    response_ = std::move(*preflight);
  } else {
    response_ = co_await ctx_.dispatcher.Dispatch(request_, this);
    ctx_.cors.Decorate(request_, response_);
  }
  keep_alive = keep_alive && !io_.stopping;
  const bool written =
      co_await Write(response_, request_.request_id, keep_alive, request_.method == "HEAD");
  ctx_.access_log.Record({request_.request_id, request_.method, RawPath(request_.target),
                          response_.status, std::chrono::steady_clock::now() - start,
                          request_.remote_ip, response_.body.size()});
  const bool stays_open = keep_alive && written;
  co_return stays_open;
}

// 413/431/400 for requests that did not parse, then close; transport
// errors and timeouts (slow clients) just close.
asio::awaitable<void> Connection::AnswerReadError(beast::error_code ec) {
  Response r;
  if (ec == bhttp::error::body_limit) {
    r = PayloadTooLarge();
  } else if (ec == bhttp::error::header_limit) {
    r = HeaderFieldsTooLarge();
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    r = UnparsableRequest();
  } else {
    co_return;  // timeout, reset, EOF, shutdown
  }
  const auto start = std::chrono::steady_clock::now();
  std::string request_id;
  GenerateRequestId(request_id);
  std::string_view method = "-", path = "-";
  if (parser_->is_header_done()) {
    method = parser_->get().method_string();
    path = RawPath(parser_->get().target());
  }
  if (co_await Write(r, request_id, false)) co_await LingeringClose();
  ctx_.access_log.Record({request_id, method, path, r.status,
                          std::chrono::steady_clock::now() - start, peer_ip_, r.body.size()});
}

asio::awaitable<bool> Connection::Write(const Response& r, std::string_view request_id,
                                        bool keep_alive, bool head_only) {
  SerializeResponseHead(r, request_id, keep_alive, (ctx_.opts.idle_timeout_ms + 999) / 1000, head_);
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head_),
      asio::buffer(r.body.data(), StatusHasBody(r.status) && !head_only ? r.body.size() : 0)};
  stream_.expires_after(milliseconds(ctx_.opts.read_timeout_ms));
  auto [ec, n] = co_await asio::async_write(stream_, buffers, kTuple);
  co_return !ec;
}

// After an error response the client may still be sending the rejected
// body; closing with unread input would RST the connection and could
// destroy the response in flight. So: half-close, drain briefly, close.
asio::awaitable<void> Connection::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(milliseconds(std::min<std::int64_t>(1000, ctx_.opts.read_timeout_ms)));
  buffer_.clear();
  for (;;) {  // ends at EOF, on error, or at the deadline above
    auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(16 * 1024), kTuple);
    if (rec) break;
  }
  stream_.close();
}

asio::awaitable<void> ServeConnection(tcp::socket socket, IoState& io, ServerContext& ctx,
                                      [[maybe_unused]] ConnectionSlot slot) {
  Connection conn(std::move(socket), io, ctx);
  // Beast throws on some hostile inputs (e.g. a chunk trailer field over
  // its 64 KiB limit throws length_error); one bad client must only ever
  // lose its own connection.
  try {
    co_await conn.Serve();
  } catch (const std::exception& e) {
    ctx.access_log.logger().warn("connection dropped: {}", e.what());
  }
}

class ServerImpl final : public Server {
 public:
  // io_context::run, resumed if a completion handler throws: Beast throws
  // from inside its parser on some hostile inputs (a chunk trailer field
  // over 64 KiB); the handler that threw is destroyed with its connection,
  // every other connection carries on.
  void RunLoop(asio::io_context& ioc) {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        ctx_->access_log.logger().warn("connection dropped: {}", e.what());
      }
    }
  }

  ServerImpl(const HttpOptions& opts, const Router& router, int hashing_workers)
      : ctx_(
            std::make_unique<ServerContext>(opts, router, opts.blocking_workers, hashing_workers)) {
    const int threads = opts.io_threads > 0 ? opts.io_threads : CoreCount();
    for (int i = 0; i < threads; ++i) {
      io_.push_back(std::make_unique<IoState>());
    }
    acceptor_.emplace(io_[0]->ioc);
  }

  core::Status Listen();
  std::uint16_t port() const override { return port_; }
  void Run(std::function<void()> on_ready) override;
  void Stop() override;

 private:
  asio::awaitable<void> Accept();
  void Refuse(tcp::socket& socket);

  // io_[0] also runs the acceptor and the signal set.
  std::vector<std::unique_ptr<IoState>> io_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::signal_set> signals_;
  // Declared after io_: its pools go before the io_contexts they post to.
  std::unique_ptr<ServerContext> ctx_;
  std::atomic<bool> stop_requested_{false};
  std::uint16_t port_ = 0;
  LogLimiter accept_failed_log_;  // used on io_[0] only
  LogLimiter refused_log_;
};

core::Status ServerImpl::Listen() {
  const HttpOptions& opts = ctx_->opts;
  beast::error_code ec;
  tcp::resolver resolver(io_[0]->ioc);
  auto results = resolver.resolve(opts.host, std::to_string(opts.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  tcp::endpoint endpoint;
  if (!ec) endpoint = results.begin()->endpoint();
  if (!ec) acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_->local_endpoint(ec).port();
  if (ec) {
    return core::Unavailable("http: cannot listen on " + opts.host + ":" +
                             std::to_string(opts.port) + ": " + ec.message());
  }
  return core::Status::Ok();
}

void ServerImpl::Run(std::function<void()> on_ready) {
  IoState& first = *io_[0];
  signals_.emplace(first.ioc, SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int) {
    if (!ec) Stop();
  });
  asio::co_spawn(first.ioc, Accept(), asio::detached);
  if (on_ready) asio::post(first.ioc, std::move(on_ready));
  spdlog::logger& log = ctx_->access_log.logger();
  log.info("http: listening on {}:{} io_threads={} max_connections={}", ctx_->opts.host, port_,
           io_.size(), ctx_->max_connections);
  if (const std::uint64_t fds = CurrentOpenFileLimit();
      ctx_->max_connections > ConnectionsFor(fds)) {
    log.warn(
        "http: server.max_connections={} leaves too few of the {} open files allowed "
        "(ulimit -n) for the database and outbound connections; accept() may fail",
        ctx_->max_connections, fds);
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < io_.size(); ++i) {
    threads.emplace_back([this, io = io_[i].get()] { RunLoop(io->ioc); });
  }
  RunLoop(first.ioc);
  for (std::thread& t : threads) t.join();
  ctx_->dispatcher.Shutdown();
  const HashQueue::Stats h = ctx_->dispatcher.hashing_stats();
  log.info(
      "http: stopped; hashing pool: {} run, {} dropped (client gone), {} dropped "
      "(shutdown), {} refused (queue full), {} refused (per-key limit)",
      h.ran, h.client_gone, h.stopped, h.queue_full, h.key_busy);
}

void ServerImpl::Stop() {
  if (stop_requested_.exchange(true)) return;
  // Hashes still waiting are answered 503 now: only running ones delay
  // the exit.
  ctx_->dispatcher.StopHashing();
  asio::post(io_[0]->ioc, [this] {
    beast::error_code ec;
    acceptor_->close(ec);
    if (signals_) signals_->cancel(ec);
  });
  const milliseconds grace(ctx_->opts.shutdown_grace_ms);
  for (auto& io : io_) {
    asio::post(io->ioc, [io = io.get(), grace] { io->Drain(grace); });
  }
}

// Accepts on io_[0] and hands each socket to the next I/O thread in turn
// (the socket is created on that thread's io_context).
asio::awaitable<void> ServerImpl::Accept() {
  std::size_t next = 0;
  asio::steady_timer backoff(io_[0]->ioc);
  for (;;) {
    IoState& io = *io_[next++ % io_.size()];
    auto [ec, socket] =
        co_await acceptor_->async_accept(asio::any_io_executor(io.ioc.get_executor()), kTuple);
    if (!acceptor_->is_open()) co_return;
    if (ec) {  // e.g. EMFILE: back off instead of spinning
      if (auto held_back = accept_failed_log_.Allow(std::chrono::steady_clock::now())) {
        ctx_->access_log.logger().warn("http: accept failed: {} ({} more since the last line)",
                                       ec.message(), *held_back);
      }
      backoff.expires_after(milliseconds(50));
      co_await backoff.async_wait(kTuple);
      continue;
    }
    if (ctx_->connections->load() >= ctx_->max_connections) {
      Refuse(socket);
      continue;
    }
    asio::co_spawn(io.ioc,
                   ServeConnection(std::move(socket), io, *ctx_, ConnectionSlot(ctx_->connections)),
                   asio::detached);
  }
}

// Past max_connections: a 503 and close, at once, so the client learns it
// now instead of timing out. Whatever it sent already is read and dropped
// first, so that the close is a FIN rather than a reset that could destroy
// the 503 before the client reads it. Never waits.
void ServerImpl::Refuse(tcp::socket& socket) {
  beast::error_code ec;
  socket.non_blocking(true, ec);
  std::array<char, 4096> sink;
  for (int i = 0; i < 16 && !ec; ++i) socket.read_some(asio::buffer(sink), ec);
  const Response r = ErrorResponse(core::Unavailable("max_connections reached"));
  std::string id, head;
  GenerateRequestId(id);
  SerializeResponseHead(r, id, /*keep_alive=*/false, 0, head);
  const std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(r.body)};
  socket.write_some(out, ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
  if (auto held_back = refused_log_.Allow(std::chrono::steady_clock::now())) {
    ctx_->access_log.logger().warn(
        "http: server.max_connections={} reached: new connections answered 503 and closed "
        "({} more since the last line)",
        ctx_->max_connections, *held_back);
  }
}

}  // namespace

core::Result<std::unique_ptr<Server>> Server::Create(const HttpOptions& opts, const Router& router,
                                                     int hashing_workers) {
  auto server = std::make_unique<ServerImpl>(opts, router, hashing_workers);
  core::Status s = server->Listen();
  if (!s.ok()) return s;
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace authd::http
