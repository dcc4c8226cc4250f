#include "http/log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>

namespace authd::http {
namespace {

using namespace std::chrono_literals;

// A pipe whose read end the test drains.
class Pipe {
 public:
  Pipe() {
    EXPECT_EQ(::pipe(fds_), 0);
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  int write_fd() const { return fds_[1]; }
  // Everything readable right now.
  std::string Drain() {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fds_[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
};

std::unique_ptr<spdlog::formatter> Plain() {
  return std::make_unique<spdlog::pattern_formatter>("%l %v");
}

struct Loggers {
  std::shared_ptr<LogWriter> writer;
  std::shared_ptr<spdlog::logger> sync, access;
};

Loggers Make(int fd, std::size_t max_pending = std::size_t{4} << 20,
             std::chrono::milliseconds interval = 20ms) {
  Loggers l;
  l.writer = std::make_shared<LogWriter>(LogWriter::Options{fd, max_pending, interval}, Plain());
  l.sync = std::make_shared<spdlog::logger>("sync", std::make_shared<LogSink>(l.writer, false));
  l.sync->flush_on(spdlog::level::trace);
  l.access = std::make_shared<spdlog::logger>("access", std::make_shared<LogSink>(l.writer, true));
  l.access->flush_on(spdlog::level::warn);
  return l;
}

TEST(LogWriter, AccessLinesAreWrittenByTheBackgroundThreadWithinItsInterval) {
  Pipe pipe;
  Loggers l = Make(pipe.write_fd(), std::size_t{4} << 20, 300ms);
  l.access->info("request_id=a status=200");
  // Not written by the logging thread itself...
  EXPECT_EQ(pipe.Drain(), "");
  // ...but within a few intervals.
  std::string out;
  for (int i = 0; i < 300 && out.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    out = pipe.Drain();
  }
  EXPECT_EQ(out, "info request_id=a status=200\n");
}

TEST(LogWriter, AFlushedLineIsOutOnReturnAfterEveryEarlierLineInOrder) {
  Pipe pipe;
  Loggers l = Make(pipe.write_fd(), std::size_t{4} << 20, 10s);  // no background write
  l.access->info("one");
  l.access->info("two");
  l.sync->info("three");   // flushes: the access lines go first
  l.access->warn("four");  // warnings flush too
  EXPECT_EQ(pipe.Drain(), "info one\ninfo two\ninfo three\nwarning four\n");
}

TEST(LogWriter, ManyThreadsLoseNoLineAndSplitNone) {
  Pipe pipe;
  std::string out;
  {
    Loggers l = Make(pipe.write_fd(), std::size_t{64} << 20, 5ms);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&l, t] {
        for (int i = 0; i < 2000; ++i) l.access->info("t={} i={} {}", t, i, std::string(40, 'x'));
      });
    }
    // Reads until the last line: a full pipe blocks the writer, as stderr would.
    std::thread reader([&] {
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (out.find("info end\n") == std::string::npos &&
             std::chrono::steady_clock::now() < deadline) {
        out += pipe.Drain();
        std::this_thread::sleep_for(2ms);
      }
    });
    for (auto& th : threads) th.join();
    l.sync->info("end");
    reader.join();
  }
  std::size_t lines = 0, pos = 0;
  std::vector<int> next(4, 0);
  while (pos < out.size()) {
    const std::size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    const std::string line = out.substr(pos, nl - pos);
    pos = nl + 1;
    if (line == "info end") continue;
    int t = -1, i = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "info t=%d i=%d", &t, &i), 2) << line;
    ASSERT_EQ(line.size(), std::string("info t=0 i=").size() + std::to_string(i).size() + 41);
    EXPECT_EQ(i, next[t]) << "lines of one thread stay in order";
    next[t] = i + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 8000u);
}

TEST(LogWriter, WhenTheOutputStallsAccessLinesAreDroppedCountedAndReported) {
  Pipe pipe;
  Loggers l = Make(pipe.write_fd(), 200, 10s);  // room for about 4 queued lines
  for (int i = 0; i < 50; ++i) l.access->info("request_id={} {}", i, std::string(20, 'y'));
  EXPECT_GT(l.writer->dropped(), 40u);
  const std::uint64_t dropped = l.writer->dropped();
  l.access->error("errors are never dropped");
  const std::string out = pipe.Drain();
  EXPECT_NE(out.find("warning log: " + std::to_string(dropped) + " access log lines dropped"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("request_id=0 "), std::string::npos) << "the first lines were kept";
  EXPECT_NE(out.find("error errors are never dropped"), std::string::npos);
  // A lossless sink keeps its lines even when the queue is full.
  for (int i = 0; i < 20; ++i) l.access->info("filler {}", std::string(40, 'z'));
  l.sync->info("kept");
  EXPECT_NE(pipe.Drain().find("info kept"), std::string::npos);
}

TEST(LogWriter, DestructionWritesWhatIsLeft) {
  Pipe pipe;
  {
    Loggers l = Make(pipe.write_fd(), std::size_t{4} << 20, 10s);
    l.access->info("last words");
  }
  EXPECT_EQ(pipe.Drain(), "info last words\n");
}

}  // namespace
}  // namespace authd::http
