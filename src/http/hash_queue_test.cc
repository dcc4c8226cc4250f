#include "http/hash_queue.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace authd::http {
namespace {

using namespace std::chrono_literals;

// A job that blocks its pool thread until released: it holds the thread
// so that what is submitted next has to wait.
class Blocker {
 public:
  HashQueue::Job job() {
    return [this](HashOutcome o) {
      outcome_ = o;
      started_.set_value();
      released_.wait();
    };
  }
  // REQUIRES: job() was submitted. Bounded, so a broken queue fails the
  // test instead of hanging it.
  bool WaitStarted() { return started_.get_future().wait_for(30s) == std::future_status::ready; }
  void Release() { release_.set_value(); }
  HashOutcome outcome() const { return outcome_; }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  HashOutcome outcome_ = HashOutcome::kStopped;
};

// Records the outcome of every job submitted through it.
class Recorder {
 public:
  HashQueue::Job job(int id) {
    auto p = std::make_shared<std::promise<HashOutcome>>();
    {
      core::MutexLock lock(&mu_);
      futures_.emplace(id, p->get_future());
    }
    return [p](HashOutcome o) { p->set_value(o); };
  }
  // The outcome of job `id`, waiting (bounded) for it.
  HashOutcome Get(int id) {
    std::shared_future<HashOutcome> f;
    {
      core::MutexLock lock(&mu_);
      f = futures_.at(id);
    }
    if (f.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "job " << id << " never completed";
      return HashOutcome::kStopped;
    }
    return f.get();
  }
  // Whether job `id` has completed already (no waiting).
  bool Done(int id) {
    core::MutexLock lock(&mu_);
    return futures_.at(id).wait_for(0s) == std::future_status::ready;
  }

 private:
  core::Mutex mu_;
  std::map<int, std::shared_future<HashOutcome>> futures_ GUARDED_BY(mu_);
};

HashQueue::CancelFlag NoFlag() { return nullptr; }

TEST(HashQueue, RunsJobsOnItsThreads) {
  HashQueue q({.workers = 2, .max_queued = 4, .max_per_key = 2});
  Recorder r;
  q.Submit("", NoFlag(), r.job(1));
  q.Submit("k", NoFlag(), r.job(2));
  EXPECT_EQ(r.Get(1), HashOutcome::kRun);
  EXPECT_EQ(r.Get(2), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().ran, 2u);
}

TEST(HashQueue, ThreadsRunAsBatchWorkAtTheConfiguredNice) {
  const int own_nice = getpriority(PRIO_PROCESS, 0);
  HashQueue q({.workers = 1, .max_queued = 4, .max_per_key = 2, .nice = 3});
  std::promise<std::pair<int, int>> seen;
  q.Submit("", NoFlag(), [&seen](HashOutcome) {
    seen.set_value(
        {sched_getscheduler(0), getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)))});
  });
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  const auto [policy, nice] = f.get();
  EXPECT_EQ(policy, SCHED_BATCH);
  // Lowering the niceness below the process's needs privilege: best effort.
  EXPECT_EQ(nice, std::max(3, own_nice));
  q.Shutdown();
}

TEST(HashQueue, RefusesAtOnceBeyondMaxQueued) {
  HashQueue q({.workers = 1, .max_queued = 2, .max_per_key = 0});
  Blocker b;
  Recorder r;
  q.Submit("", NoFlag(), b.job());
  ASSERT_TRUE(b.WaitStarted());
  q.Submit("", NoFlag(), r.job(1));
  q.Submit("", NoFlag(), r.job(2));
  q.Submit("", NoFlag(), r.job(3));
  // Refused inside Submit, while the thread is still busy.
  ASSERT_TRUE(r.Done(3));
  EXPECT_EQ(r.Get(3), HashOutcome::kQueueFull);
  EXPECT_FALSE(r.Done(1));
  b.Release();
  EXPECT_EQ(r.Get(1), HashOutcome::kRun);
  EXPECT_EQ(r.Get(2), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().ran, 3u);
  EXPECT_EQ(q.stats().queue_full, 1u);
}

TEST(HashQueue, LimitsJobsPerKeyWaitingOrRunning) {
  HashQueue q({.workers = 1, .max_queued = 8, .max_per_key = 2});
  Blocker b;
  Recorder r;
  q.Submit("user:a", NoFlag(), b.job());  // running
  ASSERT_TRUE(b.WaitStarted());
  q.Submit("user:a", NoFlag(), r.job(1));  // waiting: two of "a"
  q.Submit("user:a", NoFlag(), r.job(2));  // a third: refused
  q.Submit("user:b", NoFlag(), r.job(3));  // other keys are not affected
  q.Submit("", NoFlag(), r.job(4));        // nor jobs without a key
  ASSERT_TRUE(r.Done(2));
  EXPECT_EQ(r.Get(2), HashOutcome::kKeyBusy);
  b.Release();
  EXPECT_EQ(r.Get(1), HashOutcome::kRun);
  EXPECT_EQ(r.Get(3), HashOutcome::kRun);
  EXPECT_EQ(r.Get(4), HashOutcome::kRun);
  // Once they are done the key has room again.
  q.Submit("user:a", NoFlag(), r.job(5));
  EXPECT_EQ(r.Get(5), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().key_busy, 1u);
  EXPECT_EQ(q.stats().ran, 5u);
}

// The client is told (done) only once its job no longer counts: a client
// sending its next request at once must not find its own old one in the way.
TEST(HashQueue, DoneRunsAfterTheKeyIsReleased) {
  HashQueue q({.workers = 1, .max_queued = 8, .max_per_key = 1});
  Recorder r;
  std::promise<void> resubmitted;
  q.Submit(
      "user:a", NoFlag(), [](HashOutcome) {},
      [&] {
        q.Submit("user:a", NoFlag(), r.job(1));
        resubmitted.set_value();
      });
  ASSERT_EQ(resubmitted.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(r.Get(1), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().key_busy, 0u);
}

TEST(HashQueue, JobWhoseClientLeftIsDroppedNotRun) {
  HashQueue q({.workers = 1, .max_queued = 8, .max_per_key = 2});
  Blocker b;
  Recorder r;
  q.Submit("", NoFlag(), b.job());
  ASSERT_TRUE(b.WaitStarted());
  auto gone = std::make_shared<std::atomic<bool>>(false);
  q.Submit("user:a", gone, r.job(1));
  q.Submit("user:a", NoFlag(), r.job(2));
  gone->store(true);  // the client of job 1 closed its connection
  b.Release();
  EXPECT_EQ(r.Get(1), HashOutcome::kClientGone);
  EXPECT_EQ(r.Get(2), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().ran, 2u);  // the blocker and job 2
  EXPECT_EQ(q.stats().client_gone, 1u);
}

TEST(HashQueue, GoneClientsDoNotHoldTheRoom) {
  HashQueue q({.workers = 1, .max_queued = 2, .max_per_key = 1});
  Blocker b;
  Recorder r;
  q.Submit("", NoFlag(), b.job());
  ASSERT_TRUE(b.WaitStarted());
  auto gone = std::make_shared<std::atomic<bool>>(false);
  q.Submit("user:a", gone, r.job(1));
  q.Submit("user:b", gone, r.job(2));
  gone->store(true);
  // The queue is full and "user:a" is at its limit, but only with jobs
  // nobody waits for: they are dropped and the new ones admitted.
  q.Submit("user:a", NoFlag(), r.job(3));
  ASSERT_TRUE(r.Done(1));
  ASSERT_TRUE(r.Done(2));
  EXPECT_EQ(r.Get(1), HashOutcome::kClientGone);
  EXPECT_EQ(r.Get(2), HashOutcome::kClientGone);
  q.Submit("", NoFlag(), r.job(4));
  EXPECT_FALSE(r.Done(3));
  EXPECT_FALSE(r.Done(4));
  b.Release();
  EXPECT_EQ(r.Get(3), HashOutcome::kRun);
  EXPECT_EQ(r.Get(4), HashOutcome::kRun);
  q.Shutdown();
  EXPECT_EQ(q.stats().client_gone, 2u);
}

TEST(HashQueue, StopDropsWaitingJobsAtOnceAndRefusesNewOnes) {
  HashQueue q({.workers = 1, .max_queued = 8, .max_per_key = 0});
  Blocker b;
  Recorder r;
  q.Submit("", NoFlag(), b.job());
  ASSERT_TRUE(b.WaitStarted());
  for (int i = 1; i <= 3; ++i) q.Submit("", NoFlag(), r.job(i));
  q.Stop();  // while the running job still runs
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(r.Done(i)) << i;
    EXPECT_EQ(r.Get(i), HashOutcome::kStopped);
  }
  q.Submit("", NoFlag(), r.job(4));
  ASSERT_TRUE(r.Done(4));
  EXPECT_EQ(r.Get(4), HashOutcome::kStopped);
  b.Release();
  q.Shutdown();
  EXPECT_EQ(b.outcome(), HashOutcome::kRun);
  EXPECT_EQ(q.stats().ran, 1u);
  EXPECT_EQ(q.stats().stopped, 4u);
}

// The coroutine bridge: the result (or the refusal) comes back on the
// awaiting coroutine's executor.
TEST(HashQueue, RunResumesTheCoroutineWithTheResultOrTheRefusal) {
  namespace asio = boost::asio;
  HashQueue q({.workers = 1, .max_queued = 4, .max_per_key = 1});
  asio::io_context ioc;
  Blocker b;
  std::vector<std::string> results;
  auto refuse = [](HashOutcome o) {
    return std::string(o == HashOutcome::kKeyBusy ? "busy" : "other");
  };
  auto task = [&]() -> asio::awaitable<void> {
    const auto io_thread = std::this_thread::get_id();
    std::thread::id pool_thread;
    results.push_back(co_await q.Run(
        "", nullptr,
        [&] {
          pool_thread = std::this_thread::get_id();
          return std::string("ran");
        },
        refuse));
    EXPECT_NE(pool_thread, io_thread);
    EXPECT_EQ(std::this_thread::get_id(), io_thread);
    q.Submit("user:a", nullptr, b.job());
    EXPECT_TRUE(b.WaitStarted());
    results.push_back(co_await q.Run(
        "user:a", nullptr, [] { return std::string("ran"); }, refuse));
    b.Release();
  };
  asio::co_spawn(ioc, task(), asio::detached);
  ioc.run();
  q.Shutdown();
  EXPECT_EQ(results, (std::vector<std::string>{"ran", "busy"}));
}

}  // namespace
}  // namespace authd::http
