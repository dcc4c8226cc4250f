// NonBlockingScope: "this thread must not block here".
//
// An HTTP I/O thread may run a read handler optimistically, inline, when
// the data it needs is usually in memory (http/worker_pool.h). It does so
// inside a NonBlockingScope. Code that would block on the way (a cache miss
// about to read the database) asks Active() and, if so, returns WouldBlock()
// instead of blocking; the scope's owner sees would_block() and runs the
// work again where blocking is fine. Work run under a scope must therefore
// be safe to run twice: reads only.
//
// One scope per thread at a time (they nest, innermost wins). Thread-local;
// no synchronisation needed.
#ifndef AUTHD_CORE_NONBLOCKING_H_
#define AUTHD_CORE_NONBLOCKING_H_

#include "core/status.h"

namespace authd::core {

class NonBlockingScope {
 public:
  NonBlockingScope() : outer_(current_) { current_ = this; }
  ~NonBlockingScope() { current_ = outer_; }
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;

  // True iff something in the scope called WouldBlock().
  bool would_block() const { return would_block_; }

  // True iff the calling thread is inside a scope.
  static bool Active() { return current_ != nullptr; }

  // True iff the calling thread's scope has refused to block: the work
  // will run again elsewhere and what it produces now is discarded.
  static bool Refused() { return current_ != nullptr && current_->would_block_; }

  // Records that the work could not finish without blocking, and returns
  // the error to hand back up (kUnavailable; never meant to reach a
  // client: the scope's owner discards the result). REQUIRES: Active().
  static Error WouldBlock() {
    current_->would_block_ = true;
    return Unavailable("would block inside a NonBlockingScope");
  }

 private:
  inline static thread_local NonBlockingScope* current_ = nullptr;
  NonBlockingScope* const outer_;
  bool would_block_ = false;
};

}  // namespace authd::core

#endif  // AUTHD_CORE_NONBLOCKING_H_
