// Clock: the only source of wall-clock time.
//
// Everything that needs "now" receives a Clock&. Production uses
// SystemClock(); tests use FakeClock to move time deterministically.
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
};

// The process-wide real clock. Never null; lives for the whole program.
Clock& SystemClock();

// A manually driven clock for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixMillis start) : now_(start) {}
  UnixMillis NowMillis() const override { return now_.load(); }
  void Advance(std::chrono::milliseconds d) { now_ += d.count(); }
  void Set(UnixMillis t) { now_ = t; }

 private:
  std::atomic<UnixMillis> now_;
};

// "2026-11-25T17:13:39.502Z": ISO-8601 UTC with milliseconds, as the
// reference renders JavaScript Dates.
std::string FormatIso8601(UnixMillis t);

// "Wed, 25 Nov 2026 18:11:43 GMT": the IMF-fixdate of cookies and headers.
std::string FormatHttpDate(UnixMillis t);

}  // namespace authd::core

#endif  // AUTHD_CORE_CLOCK_H_
