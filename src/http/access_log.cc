#include "http/access_log.h"

#include <spdlog/spdlog.h>

namespace authd::http {

AccessLog::AccessLog() : logger_(spdlog::get("http")) {
  if (!logger_) logger_ = spdlog::default_logger();
}

void AccessLog::Record(const AccessEntry& e) const {
  // Cheap early out: formatting is the costly part under load.
  if (!logger_->should_log(spdlog::level::info)) return;
  const double latency_ms = std::chrono::duration<double, std::milli>(e.latency).count();
  logger_->info(
      "request_id={} method={} path={} status={} latency_ms={:.3f} ip={} "
      "bytes={}",
      e.request_id, e.method, e.path, e.status, latency_ms, e.remote_ip, e.bytes);
}

}  // namespace authd::http
