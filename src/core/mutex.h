// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// Clang's thread-safety annotations, so that the compiler, not a comment,
// checks that a member marked GUARDED_BY(mu_) is only touched with mu_ held
// and that a function marked REQUIRES(mu_) is only called with it held
// (clang -Wthread-safety; the clang builds turn it on, see CMakeLists.txt).
// Under gcc the annotations expand to nothing. Shaped after LevelDB's
// port/thread_annotations.h and port::Mutex / port::CondVar, with the mutex
// passed to each wait (as absl::CondVar does) so the analysis can name it.
//
//   class Counter {
//    public:
//     void Add() EXCLUDES(mu_) { core::MutexLock lock(&mu_); ++n_; }
//    private:
//     core::Mutex mu_;
//     int n_ GUARDED_BY(mu_) = 0;
//   };
//
// Lambdas are analysed as functions of their own: a lambda that reads
// guarded members says so with REQUIRES(mu_) after its parameter list.
// Thread-safety: that is the point.
#ifndef AUTHD_CORE_MUTEX_H_
#define AUTHD_CORE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define AUTHD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define AUTHD_THREAD_ANNOTATION(x)
#endif

// The type is a lock (a "capability" in Clang's terms).
#define CAPABILITY(x) AUTHD_THREAD_ANNOTATION(capability(x))
// An RAII object that holds a capability for its lifetime.
#define SCOPED_CAPABILITY AUTHD_THREAD_ANNOTATION(scoped_lockable)
// The member may only be read or written with `x` held.
#define GUARDED_BY(x) AUTHD_THREAD_ANNOTATION(guarded_by(x))
// The pointee of the member may only be accessed with `x` held.
#define PT_GUARDED_BY(x) AUTHD_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold the capabilities (and still holds them after).
#define REQUIRES(...) AUTHD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The caller must not hold them (the function takes them itself).
#define EXCLUDES(...) AUTHD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function takes / releases the capabilities (this object, if none).
#define ACQUIRE(...) AUTHD_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) AUTHD_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// Tells the analysis the capability is held here (checked at run time by
// nothing: use only where the analysis cannot follow, with a reason).
#define ASSERT_CAPABILITY(x) AUTHD_THREAD_ANNOTATION(assert_capability(x))
// Turns the analysis off for one function; say why beside it.
#define NO_THREAD_SAFETY_ANALYSIS AUTHD_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace authd::core {

class CondVar;

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For a function the analysis cannot see is only called with the lock
  // held (a callback, say). Does not check.
  void AssertHeld() ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `*mu` from construction to destruction.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable waited on with a core::Mutex held. Waits may wake
// spuriously: callers loop on their condition, e.g.
//   while (!ready_) cv_.Wait(&mu_);
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases *mu, blocks until signalled, then takes *mu again.
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held, by the caller
  }
  // As Wait, but returns false if `deadline` passed without a signal.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool signalled = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace authd::core

#endif  // AUTHD_CORE_MUTEX_H_
