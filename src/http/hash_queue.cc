#include "http/hash_queue.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace authd::http {
namespace {

// Hashing threads are batch work: SCHED_BATCH keeps a login flood, which
// keeps every core busy with argon2, from preempting the I/O threads when
// they wake, while their weight (nice, 0 by default) keeps a fair share of
// the CPU beside other processes. A high nice protects the I/O threads more
// but starves logins whenever anything else runs. Threads the argon2 core
// starts for the lanes inherit both. Best effort.
void LowerThreadPriority(int nice) {
#if defined(SCHED_BATCH)
  const sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
#endif
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
}

}  // namespace

HashQueue::HashQueue(const HashQueueOptions& options)
    : options_{std::max(1, options.workers), std::max(1, options.max_queued),
               std::max(0, options.max_per_key), std::clamp(options.nice, 0, 19)} {
  threads_.reserve(static_cast<std::size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

HashQueue::~HashQueue() { Shutdown(); }

void HashQueue::Entry::Finish(HashOutcome outcome) {
  job(outcome);
  if (done) done();
}

bool HashQueue::IsCancelled(const Entry& e) {
  return e.cancelled && e.cancelled->load(std::memory_order_acquire);
}

void HashQueue::ReleaseKeyLocked(const std::string& key) {
  if (key.empty()) return;
  auto it = in_use_.find(key);
  if (it != in_use_.end() && --it->second <= 0) in_use_.erase(it);
}

void HashQueue::SweepCancelledLocked(std::vector<Entry>& out) {
  auto gone = std::stable_partition(waiting_.begin(), waiting_.end(),
                                    [](const Entry& e) { return !IsCancelled(e); });
  for (auto it = gone; it != waiting_.end(); ++it) {
    ReleaseKeyLocked(it->key);
    ++stats_.client_gone;
    out.push_back(std::move(*it));
  }
  waiting_.erase(gone, waiting_.end());
}

void HashQueue::CountRefusalLocked(HashOutcome outcome) {
  switch (outcome) {
    case HashOutcome::kQueueFull:
      ++stats_.queue_full;
      break;
    case HashOutcome::kKeyBusy:
      ++stats_.key_busy;
      break;
    case HashOutcome::kStopped:
      ++stats_.stopped;
      break;
    case HashOutcome::kRun:
    case HashOutcome::kClientGone:
      break;
  }
}

void HashQueue::Submit(std::string key, CancelFlag cancelled, Job job, Done done) {
  Entry entry{std::move(key), std::move(cancelled), std::move(job), std::move(done)};
  std::optional<Entry> turned_away;  // entry, when refused: finished unlocked
  std::vector<Entry> dropped;
  HashOutcome refused = HashOutcome::kRun;
  {
    core::MutexLock lock(&mu_);
    auto over = [&]() REQUIRES(mu_) {
      if (stopping_) return HashOutcome::kStopped;
      if (static_cast<int>(waiting_.size()) >= options_.max_queued) {
        return HashOutcome::kQueueFull;
      }
      if (options_.max_per_key > 0 && !entry.key.empty()) {
        auto it = in_use_.find(entry.key);
        if (it != in_use_.end() && it->second >= options_.max_per_key) {
          return HashOutcome::kKeyBusy;
        }
      }
      return HashOutcome::kRun;
    };
    refused = over();
    // Jobs whose clients left may be holding the room: drop them first.
    if (refused == HashOutcome::kQueueFull || refused == HashOutcome::kKeyBusy) {
      SweepCancelledLocked(dropped);
      refused = over();
    }
    if (refused == HashOutcome::kRun) {
      if (!entry.key.empty()) ++in_use_[entry.key];
      waiting_.push_back(std::move(entry));
      cv_.Signal();
    } else {
      CountRefusalLocked(refused);
      turned_away.emplace(std::move(entry));
    }
  }
  for (Entry& e : dropped) e.Finish(HashOutcome::kClientGone);
  if (turned_away) turned_away->Finish(refused);
}

void HashQueue::WorkerLoop() {
  LowerThreadPriority(options_.nice);
  mu_.Lock();
  for (;;) {
    while (!stopping_ && waiting_.empty()) cv_.Wait(&mu_);
    if (waiting_.empty()) {  // stopping, nothing left
      mu_.Unlock();
      return;
    }
    Entry e = std::move(waiting_.front());
    waiting_.pop_front();
    const bool gone = IsCancelled(e);
    if (gone) {
      ++stats_.client_gone;
    } else {
      ++stats_.ran;
    }
    mu_.Unlock();
    e.job(gone ? HashOutcome::kClientGone : HashOutcome::kRun);
    mu_.Lock();
    ReleaseKeyLocked(e.key);
    mu_.Unlock();
    if (e.done) e.done();
    e = Entry{};  // release what it holds before taking the lock
    mu_.Lock();
  }
}

void HashQueue::Stop() {
  std::deque<Entry> dropped;
  {
    core::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    dropped.swap(waiting_);
    for (const Entry& e : dropped) ReleaseKeyLocked(e.key);
    stats_.stopped += dropped.size();
  }
  cv_.SignalAll();
  for (Entry& e : dropped) e.Finish(HashOutcome::kStopped);
}

void HashQueue::Shutdown() {
  Stop();
  {
    core::MutexLock lock(&mu_);
    if (joined_) return;
    joined_ = true;
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

HashQueue::Stats HashQueue::stats() const {
  core::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace authd::http
