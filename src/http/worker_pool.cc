#include "http/worker_pool.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <optional>
#include <thread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/nonblocking.h"

namespace authd::http {

// Database workers mostly wait (on the disk or, later, the network); many
// of them let concurrent writes share one group commit.
constexpr int kDefaultBlockingWorkers = 64;

// Hashing threads run at a lower priority (nice 10) so that a login flood,
// which keeps every core busy with argon2, cannot delay the I/O threads and
// the cheap routes: they get the CPU first, hashing takes what is left.
// Threads libargon2 starts inherit it. Once per thread; best effort.
void LowerThreadPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
}

int CoreCount() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

WorkerPool::WorkerPool(int threads)
    : pool_(static_cast<std::size_t>(threads < 1 ? 1 : threads)) {}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Shutdown() {
  pool_.stop();
  pool_.join();
}

Dispatcher::Dispatcher(const Router& router, int blocking_workers,
                       int hashing_workers, spdlog::logger& log)
    : router_(router),
      read_pool_(2 * CoreCount()),
      blocking_pool_(blocking_workers > 0 ? blocking_workers
                                          : kDefaultBlockingWorkers),
      hashing_pool_(hashing_workers > 0 ? hashing_workers : CoreCount()),
      log_(log) {}

boost::asio::awaitable<Response> Dispatcher::Dispatch(const Request& req) {
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
  const bool hashing = route->exec == Exec::kHashing;
  const bool read =
      route->exec == Exec::kRead || route->exec == Exec::kReadTryInline;
  WorkerPool& pool = hashing ? hashing_pool_ : read ? read_pool_ : blocking_pool_;
  co_return co_await pool.Run([this, route, &req, hashing] {
    if (hashing) LowerThreadPriority();
    return Invoke(*route, req);
  });
}

void Dispatcher::Shutdown() {
  read_pool_.Shutdown();
  blocking_pool_.Shutdown();
  hashing_pool_.Shutdown();
}

// The HTTP edge's one catch-all (STYLE.md 2.1): log, answer 500.
Response Dispatcher::Invoke(const Route& route, const Request& req) const {
  try {
    Response r = route.handler(req);
    if (r.status >= 200 && r.status <= 599) return r;
    log_.error("request_id={} handler returned status {}", req.request_id,
               r.status);
  } catch (const std::exception& e) {
    log_.error("request_id={} handler threw: {}", req.request_id, e.what());
  } catch (...) {
    log_.error("request_id={} handler threw a non-standard exception",
               req.request_id);
  }
  return InternalServerError();
}

}  // namespace authd::http
