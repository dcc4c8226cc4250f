// WorkerPool: a fixed set of threads for handler work that must not run on
// an I/O thread (database calls); and Dispatcher, which sends each request
// to its route's handler on the thread the route asks for (router.h):
// inline, a WorkerPool, or the bounded hashing pool (hash_queue.h).
//
// WorkerPool::Run() is the bridge from an I/O coroutine: it posts the work
// to a pool thread, suspends the coroutine, and resumes it on its own
// executor with the result, so the I/O thread keeps serving other
// connections meanwhile. Pools are bounded: excess work queues (FIFO)
// instead of spawning threads.
// Thread-safety: Run()/Dispatch() may be called from any thread;
// Shutdown() from one.
#ifndef AUTHD_HTTP_WORKER_POOL_H_
#define AUTHD_HTTP_WORKER_POOL_H_

#include <spdlog/logger.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

#include "http/hash_queue.h"
#include "http/log_limiter.h"
#include "http/message.h"
#include "http/router.h"

namespace authd::http {

// std::thread::hardware_concurrency(), at least 1.
int CoreCount();

class WorkerPool final {
 public:
  // REQUIRES: threads >= 1.
  explicit WorkerPool(int threads);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // Shutdown()

  // co_await pool.Run(fn): fn() on a pool thread, its result back on the
  // awaiting coroutine's executor. That executor is kept from running out
  // of work while fn runs. REQUIRES: fn does not throw (catch inside it);
  // whatever fn references stays alive until the coroutine resumes.
  template <typename Fn>
  auto Run(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&>>;

  // Drops queued work that has not started, waits for running work, joins
  // the threads. Idempotent.
  void Shutdown();

 private:
  boost::asio::thread_pool pool_;
};

// How a request waiting in the hashing pool learns that its client has
// gone: the connection watches its socket meanwhile. Used on the I/O
// thread that runs the connection.
class PeerWatch {
 public:
  virtual ~PeerWatch() = default;
  // Starts watching; the flag is set once the peer has closed (or reset)
  // the connection.
  virtual HashQueue::CancelFlag StartWatching() = 0;
  virtual void StopWatching() = 0;
};

class Dispatcher final {
 public:
  // A blocking_workers of 0 picks 64 (writes mostly wait on the group
  // commit); hashing.workers 0 one per core (argon2 is CPU- and
  // memory-bound), hashing.max_queued 0 sixteen per hashing worker, at
  // least 32. The read pool has two threads per core. REQUIRES: router and
  // log outlive this.
  Dispatcher(const Router& router, int blocking_workers, HashQueueOptions hashing,
             spdlog::logger& log);

  // The response for `req`: 404 for an unknown route, else its handler's,
  // run inline or on the blocking/hashing pool as the route says. A handler
  // that throws, or returns a status outside 200..599, yields a logged 500.
  // A kHashing request the hashing pool refuses is answered at once: 503
  // SERVICE_UNAVAILABLE (Retry-After: 1) when the queue is full or the
  // server stops, 429 RATE_LIMITED (Retry-After: 1) past the per-key limit;
  // one whose client has gone (`peer`, may be null) is not run.
  // REQUIRES: req stays alive and unchanged until the result is ready.
  boost::asio::awaitable<Response> Dispatch(const Request& req, PeerWatch* peer = nullptr);

  // Drops the hashing jobs still waiting (answered 503) and refuses new
  // ones; running ones finish. Thread-safe; returns at once.
  void StopHashing();

  // Shuts every pool down (see WorkerPool::Shutdown, HashQueue::Shutdown).
  void Shutdown();

  HashQueue::Stats hashing_stats() const { return hashing_.stats(); }

 private:
  Response Invoke(const Route& route, const Request& req) const;
  boost::asio::awaitable<Response> Hash(const Route& route, const Request& req, PeerWatch* peer);
  Response Refusal(const Request& req, HashOutcome outcome);

  const Router& router_;
  WorkerPool read_pool_;
  WorkerPool blocking_pool_;
  HashQueue hashing_;
  spdlog::logger& log_;
  LogLimiter full_log_;  // "hashing queue full" lines
};

template <typename Fn>
auto WorkerPool::Run(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
  namespace asio = boost::asio;
  using Result = std::invoke_result_t<Fn&>;
  auto initiate = [this](auto handler, Fn f) {
    auto work = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool_,
               [handler = std::move(handler), f = std::move(f), work = std::move(work)]() mutable {
                 Result result = f();
                 asio::post(work.get_executor(),
                            [handler = std::move(handler), result = std::move(result)]() mutable {
                              std::move(handler)(std::move(result));
                            });
               });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
      std::move(initiate), asio::use_awaitable, std::move(fn));
}

}  // namespace authd::http

#endif  // AUTHD_HTTP_WORKER_POOL_H_
