// AccessLog: one structured key=value line per HTTP request, e.g.
//   request_id=1f0c9a7e2b4d6f80 method=GET path=/auth/me status=200
//   latency_ms=0.412 ip=127.0.0.1 bytes=123
// `path` is the raw path without the query string (queries may carry
// tokens); header values, bodies and cookies are never logged. `bytes` is
// the response body length.
// Thread-safety: Record() may be called from any thread (spdlog loggers are
// thread-safe).
#ifndef AUTHD_HTTP_ACCESS_LOG_H_
#define AUTHD_HTTP_ACCESS_LOG_H_

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace authd::http {

struct AccessEntry {
  std::string_view request_id;
  std::string_view method;  // "-" when the request line never parsed
  std::string_view path;    // raw, without the query string
  int status = 0;
  std::chrono::steady_clock::duration latency{};
  std::string_view remote_ip;
  std::size_t bytes = 0;
};

class AccessLog final {
 public:
  // Logs to the spdlog logger named "http" if registered, else the default.
  AccessLog();

  void Record(const AccessEntry& entry) const;

  // The logger for the server's other lines (errors, lifecycle).
  spdlog::logger& logger() const { return *logger_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_ACCESS_LOG_H_
