// Clock: the only source of time, wall-clock and monotonic.
//
// Everything that needs "now" receives a Clock&. Production uses
// SystemClock(); tests use FakeClock to move time deterministically.
// NowMillis is the wall clock: for instants that are stored, sent or
// compared across processes (token expiry, session rows). It can step
// (an operator or NTP setting the time). MonotonicMillis never steps and
// has an arbitrary origin, per process: for durations measured inside one
// process (rate-limit and lockout windows), which a step of the wall clock
// must neither lengthen nor cut short.
// Thread-safety: implementations are safe for concurrent use.
#ifndef AUTHD_CORE_CLOCK_H_
#define AUTHD_CORE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace authd::core {

// Milliseconds since the Unix epoch, UTC. Stored as-is in every database.
using UnixMillis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMillis NowMillis() const = 0;
  std::int64_t NowSeconds() const { return NowMillis() / 1000; }
  // Milliseconds since an arbitrary origin; never decreases.
  virtual std::int64_t MonotonicMillis() const = 0;
};

// The process-wide real clock. Never null; lives for the whole program.
Clock& SystemClock();

// A manually driven clock for tests. Both readings start at `start`.
// Advance is time passing (both move); Set is a step of the wall clock
// only (an operator or NTP setting the time), which the monotonic reading
// does not see.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixMillis start) : now_(start), monotonic_(start) {}
  UnixMillis NowMillis() const override { return now_.load(); }
  std::int64_t MonotonicMillis() const override { return monotonic_.load(); }
  void Advance(std::chrono::milliseconds d) {
    now_ += d.count();
    monotonic_ += d.count();
  }
  void Set(UnixMillis t) { now_ = t; }

 private:
  std::atomic<UnixMillis> now_;
  std::atomic<std::int64_t> monotonic_;
};

// "2026-11-25T17:13:39.502Z": ISO-8601 UTC with milliseconds, as the
// reference renders JavaScript Dates.
std::string FormatIso8601(UnixMillis t);

// "Wed, 25 Nov 2026 18:11:43 GMT": the IMF-fixdate of cookies and headers.
std::string FormatHttpDate(UnixMillis t);

}  // namespace authd::core

#endif  // AUTHD_CORE_CLOCK_H_
