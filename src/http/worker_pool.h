// WorkerPool: a fixed set of threads for handler work that must not run on
// an I/O thread (database calls, argon2 hashing); and Dispatcher, which
// sends each request to its route's handler on the thread the route asks
// for (router.h).
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

class Dispatcher final {
 public:
  // Worker counts of 0 pick the defaults: 64 blocking (writes mostly wait
  // on the group commit), one hashing worker per core (argon2 is CPU- and
  // memory-bound). The read pool has two threads per core. REQUIRES: router and log outlive this.
  Dispatcher(const Router& router, int blocking_workers, int hashing_workers,
             spdlog::logger& log);

  // The response for `req`: 404 for an unknown route, else its handler's,
  // run inline or on the blocking/hashing pool as the route says. A handler
  // that throws, or returns a status outside 200..599, yields a logged 500.
  // REQUIRES: req stays alive and unchanged until the result is ready.
  boost::asio::awaitable<Response> Dispatch(const Request& req);

  // Shuts both pools down (see WorkerPool::Shutdown).
  void Shutdown();

 private:
  Response Invoke(const Route& route, const Request& req) const;

  const Router& router_;
  WorkerPool read_pool_;
  WorkerPool blocking_pool_;
  WorkerPool hashing_pool_;
  spdlog::logger& log_;
};

template <typename Fn>
auto WorkerPool::Run(Fn fn)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
  namespace asio = boost::asio;
  using Result = std::invoke_result_t<Fn&>;
  auto initiate = [this](auto handler, Fn f) {
    auto work = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool_, [handler = std::move(handler), f = std::move(f),
                       work = std::move(work)]() mutable {
      Result result = f();
      asio::post(work.get_executor(), [handler = std::move(handler),
                                       result = std::move(result)]() mutable {
        std::move(handler)(std::move(result));
      });
    });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
      std::move(initiate), asio::use_awaitable, std::move(fn));
}

}  // namespace authd::http

#endif  // AUTHD_HTTP_WORKER_POOL_H_
