#include "http/log_sink.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

namespace authd::http {
namespace {

// A queued line: the header below, then `size` bytes of message. Copying
// these few fields is all a logging thread does; the formatter (time stamp,
// JSON escaping) runs on whichever thread writes the batch out.
struct RecordHeader {
  std::int64_t time_ns;  // spdlog::log_clock (system clock) since the epoch
  std::uint32_t size;
  std::uint8_t level;
};

// A batch this large wakes the background thread before its interval ends.
constexpr std::size_t kEarlyWriteBytes = std::size_t{1} << 20;

}  // namespace

LogWriter::LogWriter(Options options, std::unique_ptr<spdlog::formatter> formatter)
    : options_(options), formatter_(std::move(formatter)) {
  thread_ = std::thread([this] { Run(); });
}

LogWriter::~LogWriter() {
  {
    core::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  thread_.join();
  Flush();
}

bool LogWriter::Append(const spdlog::details::log_msg& msg, bool lossy) {
  const RecordHeader header{
      std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count(),
      static_cast<std::uint32_t>(msg.payload.size()), static_cast<std::uint8_t>(msg.level)};
  bool wake = false;
  {
    core::MutexLock lock(&queue_mu_);
    if (lossy && msg.level < spdlog::level::warn &&
        pending_.size() + sizeof header + header.size > options_.max_pending_bytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    const std::size_t before = pending_.size();
    pending_.append(reinterpret_cast<const char*>(&header), sizeof header);
    pending_.append(msg.payload.data(), msg.payload.size());
    wake = before < kEarlyWriteBytes && pending_.size() >= kEarlyWriteBytes;
  }
  if (wake) wake_.Signal();
  return true;
}

void LogWriter::Flush() {
  core::MutexLock write(&write_mu_);
  std::string records;
  {
    core::MutexLock lock(&queue_mu_);
    records.swap(pending_);
  }
  WriteOut(std::move(records));
}

void LogWriter::SetFormatter(std::unique_ptr<spdlog::formatter> formatter) {
  core::MutexLock write(&write_mu_);
  formatter_ = std::move(formatter);
}

void LogWriter::Run() {
  for (;;) {
    bool last = false;
    {
      core::MutexLock lock(&queue_mu_);
      const auto deadline = std::chrono::steady_clock::now() + options_.interval;
      while (!stopping_ && pending_.size() < kEarlyWriteBytes) {
        if (!wake_.WaitUntil(&queue_mu_, deadline)) break;  // interval over
      }
      last = stopping_;
    }
    // Write lock before taking the queue: batches go out in queue order.
    core::MutexLock write(&write_mu_);
    std::string records;
    {
      core::MutexLock lock(&queue_mu_);
      records.swap(pending_);
    }
    WriteOut(std::move(records));
    if (last) return;
  }
}

void LogWriter::WriteOut(std::string records) {
  const std::uint64_t dropped = dropped_.load(std::memory_order_relaxed);
  if (records.empty() && dropped == reported_dropped_) return;
  spdlog::memory_buf_t out;
  if (dropped != reported_dropped_) {
    const std::string text = fmt::format(
        "log: {} access log lines dropped (the log output could not keep up; {} since the start)",
        dropped - reported_dropped_, dropped);
    formatter_->format(
        spdlog::details::log_msg(spdlog::source_loc{}, "", spdlog::level::warn, text), out);
    reported_dropped_ = dropped;
  }
  std::size_t at = 0;
  while (at + sizeof(RecordHeader) <= records.size()) {
    RecordHeader header;
    std::memcpy(&header, records.data() + at, sizeof header);
    at += sizeof header;
    const spdlog::string_view_t payload(records.data() + at, header.size);
    at += header.size;
    const spdlog::log_clock::time_point time(
        std::chrono::duration_cast<spdlog::log_clock::duration>(
            std::chrono::nanoseconds(header.time_ns)));
    formatter_->format(
        spdlog::details::log_msg(time, spdlog::source_loc{}, "",
                                 static_cast<spdlog::level::level_enum>(header.level), payload),
        out);
  }
  WriteAll(out.data(), out.size());
}

void LogWriter::WriteAll(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(options_.fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{options_.fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      return;  // closed or broken: nowhere left to log to
    }
  }
}

void LogSink::log(const spdlog::details::log_msg& msg) {
  if (should_log(msg.level)) writer_->Append(msg, lossy_);
}

void LogSink::set_pattern(const std::string& pattern) {
  writer_->SetFormatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void LogSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  writer_->SetFormatter(std::move(formatter));
}

}  // namespace authd::http
