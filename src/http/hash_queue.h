// HashQueue: the password-hashing pool, a fixed set of threads and a
// bounded FIFO of the jobs waiting for them.
//
// One argon2id job costs tens to hundreds of milliseconds of CPU and
// password.argon2_memory_kib of memory, so what may wait here is bounded:
//  * at most `max_queued` jobs wait (not yet running); one more is refused
//    at once (kQueueFull) instead of making every client wait longer;
//  * at most `max_per_key` jobs of one key (a login identifier, a signed-in
//    user) wait or run at once; one more is refused (kKeyBusy), so one
//    account cannot take the whole pool;
//  * a job whose client has gone (its `cancelled` flag is set) is dropped
//    when its turn comes, or when a full queue is swept for room, instead
//    of being computed (kClientGone);
//  * Stop() drops every waiting job at once (kStopped) and refuses new
//    ones, so a shutdown waits only for the jobs already running.
// Threads run under SCHED_BATCH at `nice` (0 by default): as CPU-bound
// work they never preempt the I/O threads on wake-up, yet keep their fair
// share when other processes compete for the CPU (at nice 10 a compiler
// beside authd made each login take tens of seconds).
// Thread-safety: every method may be called from any thread.
#ifndef AUTHD_HTTP_HASH_QUEUE_H_
#define AUTHD_HTTP_HASH_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/mutex.h"

namespace authd::http {

struct HashQueueOptions {
  int workers = 1;      // threads; at least 1
  int max_queued = 16;  // jobs waiting for a thread; at least 1
  int max_per_key = 2;  // jobs of one key waiting or running; 0 = no limit
  int nice = 0;         // of the threads, 0..19
};

// What happens to a submitted job.
enum class HashOutcome {
  kRun,         // it runs now, on a pool thread
  kQueueFull,   // refused: max_queued jobs are waiting
  kKeyBusy,     // refused: max_per_key jobs of its key are in the pool
  kClientGone,  // dropped unrun: its client went away while it waited
  kStopped,     // dropped unrun or refused: the pool is stopping
};

class HashQueue final {
 public:
  // Called exactly once: with kRun on a pool thread (do the work now), or
  // with the reason it will not run, inline in Submit (kQueueFull,
  // kKeyBusy, kStopped), on a pool thread or in Submit (kClientGone), or
  // in Stop (kStopped). Must not throw.
  using Job = std::function<void(HashOutcome)>;
  // Called right after the job, on the same thread, once it no longer
  // counts against any limit: where to tell the client (so that its next
  // request finds the room this one took). Must not throw.
  using Done = std::function<void()>;
  using CancelFlag = std::shared_ptr<const std::atomic<bool>>;

  struct Stats {
    std::uint64_t ran = 0;
    std::uint64_t queue_full = 0;
    std::uint64_t key_busy = 0;
    std::uint64_t client_gone = 0;
    std::uint64_t stopped = 0;
  };

  explicit HashQueue(const HashQueueOptions& options);
  HashQueue(const HashQueue&) = delete;
  HashQueue& operator=(const HashQueue&) = delete;
  ~HashQueue();  // Shutdown()

  // Queues `job` under `key` (empty: no per-key limit). `cancelled` (may
  // be null) is read when the job's turn comes. `done` may be empty.
  void Submit(std::string key, CancelFlag cancelled, Job job, Done done = nullptr);

  // co_await queue.Run(key, cancelled, fn, refuse): fn() on a pool thread,
  // or refuse(outcome) when the job does not run; the result comes back on
  // the awaiting coroutine's executor, which is kept from running out of
  // work meanwhile. REQUIRES: fn and refuse do not throw; whatever they
  // reference stays alive until the coroutine resumes.
  template <typename Fn, typename Refuse>
  auto Run(std::string key, CancelFlag cancelled, Fn fn, Refuse refuse)
      -> boost::asio::awaitable<std::invoke_result_t<Fn&>>;

  // Drops every waiting job (kStopped) and refuses new ones; jobs already
  // running finish. Returns at once. Idempotent.
  void Stop();
  // Stop(), then waits for the running jobs and joins the threads.
  // Idempotent.
  void Shutdown();

  Stats stats() const;
  int max_queued() const { return options_.max_queued; }

 private:
  struct Entry {
    std::string key;
    CancelFlag cancelled;
    Job job;
    Done done;
    void Finish(HashOutcome outcome);  // job, then done
  };

  void WorkerLoop();
  // Moves the waiting jobs whose client has gone into `out`.
  void SweepCancelledLocked(std::vector<Entry>& out) REQUIRES(mu_);
  void ReleaseKeyLocked(const std::string& key) REQUIRES(mu_);
  void CountRefusalLocked(HashOutcome outcome) REQUIRES(mu_);  // in stats_
  static bool IsCancelled(const Entry& e);

  const HashQueueOptions options_;
  mutable core::Mutex mu_;
  core::CondVar cv_;
  std::deque<Entry> waiting_ GUARDED_BY(mu_);
  std::unordered_map<std::string, int> in_use_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool joined_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

template <typename Fn, typename Refuse>
auto HashQueue::Run(std::string key, CancelFlag cancelled, Fn fn, Refuse refuse)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
  namespace asio = boost::asio;
  using Result = std::invoke_result_t<Fn&>;
  auto initiate = [this](auto handler, std::string k, CancelFlag c, Fn f, Refuse r) {
    auto work = asio::make_work_guard(asio::get_associated_executor(handler));
    // Job must be copyable; the completion handler is move-only.
    using Handler = decltype(handler);
    using Work = decltype(work);
    struct State {
      Handler on_done;
      Fn fn;
      Refuse refuse;
      Work guard;
      std::optional<Result> result;
    };
    auto state = std::make_shared<State>(
        State{std::move(handler), std::move(f), std::move(r), std::move(work), std::nullopt});
    Submit(
        std::move(k), std::move(c),
        [state](HashOutcome outcome) {
          state->result.emplace(outcome == HashOutcome::kRun ? state->fn()
                                                             : state->refuse(outcome));
        },
        [state] {
          auto executor = state->guard.get_executor();
          asio::post(executor, [state]() mutable {
            auto h = std::move(state->on_done);
            state->guard.reset();
            std::move(h)(std::move(*state->result));
          });
        });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
      std::move(initiate), asio::use_awaitable, std::move(key), std::move(cancelled), std::move(fn),
      std::move(refuse));
}

}  // namespace authd::http

#endif  // AUTHD_HTTP_HASH_QUEUE_H_
