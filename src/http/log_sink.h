// LogWriter and LogSink: the server's log output (stderr), buffered so that
// the access log never makes an I/O thread wait for a write(2).
//
// A line logged through a LogSink is copied (time, level, message) into the
// writer's in-memory buffer under a short lock; nothing is formatted or
// written by the calling thread. A background thread takes the buffer every
// `interval` (20 ms by default), formats the lines and writes them out in
// one write(2). A logger that flushes a line (spdlog's flush_on level: the
// server's "authd" logger flushes every line) writes the whole buffer from
// its own thread before the call returns, so that line and every line
// before it are out, in order, when it returns; lifecycle lines, errors and
// the courier's log transport keep the immediacy they had.
//
// Bounded: while the buffer holds `max_pending_bytes`, a lossy sink (the
// access log's) drops its info-and-below lines and counts them; warnings
// and errors are never dropped. The next write adds a warn line with the
// number dropped since the last one, and dropped() is the running total.
//
// Thread-safety: every method may be called from any thread.
#ifndef AUTHD_HTTP_LOG_SINK_H_
#define AUTHD_HTTP_LOG_SINK_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include "core/mutex.h"

namespace authd::http {

class LogWriter final {
 public:
  struct Options {
    int fd = 2;
    std::size_t max_pending_bytes = std::size_t{4} << 20;
    std::chrono::milliseconds interval{20};
  };

  LogWriter(Options options, std::unique_ptr<spdlog::formatter> formatter);
  // Stops the background thread and writes what is left.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues one line; false (and counted) if it was dropped.
  bool Append(const spdlog::details::log_msg& msg, bool lossy);
  // Formats and writes every queued line before returning.
  void Flush();
  void SetFormatter(std::unique_ptr<spdlog::formatter> formatter);

  // Lines dropped since the start.
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();
  void WriteOut(std::string records) REQUIRES(write_mu_);
  void WriteAll(const char* data, std::size_t size) REQUIRES(write_mu_);

  const Options options_;
  // Serialises formatting and writing; held while a batch goes out, so that
  // batches (and synchronous lines) never interleave on the descriptor.
  core::Mutex write_mu_;
  std::unique_ptr<spdlog::formatter> formatter_ GUARDED_BY(write_mu_);
  std::uint64_t reported_dropped_ GUARDED_BY(write_mu_) = 0;
  // Protects the queue only; held for a copy, never for a write.
  core::Mutex queue_mu_;
  core::CondVar wake_;
  std::string pending_ GUARDED_BY(queue_mu_);  // encoded records, see log_sink.cc
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

// An spdlog sink over a LogWriter; `lossy` as above. Several sinks (one per
// logger) share one writer.
class LogSink final : public spdlog::sinks::sink {
 public:
  LogSink(std::shared_ptr<LogWriter> writer, bool lossy)
      : writer_(std::move(writer)), lossy_(lossy) {}

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override { writer_->Flush(); }
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  std::shared_ptr<LogWriter> writer_;
  bool lossy_;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_LOG_SINK_H_
