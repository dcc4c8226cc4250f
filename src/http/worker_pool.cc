#include "http/worker_pool.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <optional>
#include <thread>

#include "core/nonblocking.h"
#include "http/error_mapping.h"
#include "throttle/throttle.h"

namespace authd::http {

// Database workers mostly wait (on the disk or, later, the network); many
// of them let concurrent writes share one group commit.
constexpr int kDefaultBlockingWorkers = 64;

int CoreCount() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

WorkerPool::WorkerPool(int threads) : pool_(static_cast<std::size_t>(threads < 1 ? 1 : threads)) {}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Shutdown() {
  pool_.stop();
  pool_.join();
}

namespace {

// Sixteen waiting hashes per hashing thread (at least 32): a burst is
// absorbed, yet the last one in the queue waits about sixteen hash times.
constexpr int kDefaultQueuedPerHashWorker = 16;
constexpr int kMinDefaultQueued = 32;

HashQueueOptions WithDefaults(HashQueueOptions o) {
  if (o.workers <= 0) o.workers = CoreCount();
  if (o.max_queued <= 0) {
    o.max_queued = std::max(kMinDefaultQueued, kDefaultQueuedPerHashWorker * o.workers);
  }
  return o;
}

}  // namespace

Dispatcher::Dispatcher(const Router& router, int blocking_workers, HashQueueOptions hashing,
                       spdlog::logger& log)
    : router_(router),
      read_pool_(2 * CoreCount()),
      blocking_pool_(blocking_workers > 0 ? blocking_workers : kDefaultBlockingWorkers),
      hashing_(WithDefaults(hashing)),
      log_(log) {}

boost::asio::awaitable<Response> Dispatcher::Dispatch(const Request& req, PeerWatch* peer) {
  const Route* route = router_.Find(req.method, req.path);
  // Like Express, HEAD runs the GET route; the server omits the body.
  if (route == nullptr && req.method == "HEAD") route = router_.Find("GET", req.path);
  if (route == nullptr) co_return RouteNotFound(req);
  if (route->exec == Exec::kInline) co_return Invoke(*route, req);
  if (route->exec == Exec::kReadTryInline) {
    std::optional<Response> inline_response;
    {
      core::NonBlockingScope scope;
      Response r = Invoke(*route, req);
      if (!scope.would_block()) inline_response.emplace(std::move(r));
    }
    if (inline_response) co_return std::move(*inline_response);
  }
  if (route->exec == Exec::kHashing) co_return co_await Hash(*route, req, peer);
  const bool read = route->exec == Exec::kRead || route->exec == Exec::kReadTryInline;
  WorkerPool& pool = read ? read_pool_ : blocking_pool_;
  co_return co_await pool.Run([this, route, &req] { return Invoke(*route, req); });
}

boost::asio::awaitable<Response> Dispatcher::Hash(const Route& route, const Request& req,
                                                  PeerWatch* peer) {
  std::string key;
  if (route.queue_key) {
    try {
      key = route.queue_key(req);
    } catch (const std::exception&) {
      key.clear();  // the handler reports what is wrong with the request
    }
  }
  HashQueue::CancelFlag gone = peer ? peer->StartWatching() : nullptr;
  Response r = co_await hashing_.Run(
      std::move(key), std::move(gone), [this, &route, &req] { return Invoke(route, req); },
      [this, &req](HashOutcome o) { return Refusal(req, o); });
  if (peer) peer->StopWatching();
  co_return r;
}

// Runs on the thread that refused or dropped the job: no blocking calls.
Response Dispatcher::Refusal(const Request& req, HashOutcome outcome) {
  if (outcome == HashOutcome::kKeyBusy) return ErrorResponse(throttle::TooManyRequests(1));
  if (outcome == HashOutcome::kQueueFull) {
    if (auto held_back = full_log_.Allow(std::chrono::steady_clock::now())) {
      log_.warn(
          "request_id={} http: hashing queue full ({} waiting): answered 503 ({} more "
          "since the last line); see server.hash_queue_max",
          req.request_id, hashing_.max_queued(), *held_back);
    }
  }
  // kClientGone: nobody reads it; kStopped: shutting down.
  return ErrorResponse(core::Unavailable("hashing pool refused the request"));
}

void Dispatcher::StopHashing() { hashing_.Stop(); }

void Dispatcher::Shutdown() {
  read_pool_.Shutdown();
  blocking_pool_.Shutdown();
  hashing_.Shutdown();
}

// The HTTP edge's one catch-all (STYLE.md 2.1): log, answer 500.
Response Dispatcher::Invoke(const Route& route, const Request& req) const {
  try {
    Response r = route.handler(req);
    if (r.status >= 200 && r.status <= 599) return r;
    log_.error("request_id={} handler returned status {}", req.request_id, r.status);
  } catch (const std::exception& e) {
    log_.error("request_id={} handler threw: {}", req.request_id, e.what());
  } catch (...) {
    log_.error("request_id={} handler threw a non-standard exception", req.request_id);
  }
  return InternalServerError();
}

}  // namespace authd::http
