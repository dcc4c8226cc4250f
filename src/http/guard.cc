#include "http/guard.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/nonblocking.h"
#include "http/error_mapping.h"

namespace authd::http {

Response Fail(const Request& req, const core::Error& e, ErrorShape shape) {
  // A store's refusal to block is not a failure: the request is rerun on a
  // worker thread and this answer discarded.
  if ((e.category == core::ErrorCategory::kInternal ||
       e.category == core::ErrorCategory::kUnavailable) &&
      !core::NonBlockingScope::Refused()) {
    spdlog::error("request_id={} error={} debug=\"{}\"", req.request_id,
                  e.code.empty() ? "internal" : e.code, e.debug);
  }
  return ErrorResponse(e, shape);
}

}  // namespace authd::http
