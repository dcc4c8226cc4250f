#include "core/status.h"

#include "core/errors.h"

namespace authd::core {
namespace {
Error Make(ErrorCategory c, std::string code, std::string message) {
  Error e;
  e.category = c;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}
}  // namespace

Error InvalidArgument(std::string code, std::string message) {
  return Make(ErrorCategory::kInvalidArgument, std::move(code), std::move(message));
}
Error Unauthenticated(std::string code, std::string message) {
  return Make(ErrorCategory::kUnauthenticated, std::move(code), std::move(message));
}
Error Forbidden(std::string code, std::string message) {
  return Make(ErrorCategory::kForbidden, std::move(code), std::move(message));
}
Error NotFound(std::string code, std::string message) {
  return Make(ErrorCategory::kNotFound, std::move(code), std::move(message));
}
Error Conflict(std::string code, std::string message) {
  return Make(ErrorCategory::kConflict, std::move(code), std::move(message));
}
Error RateLimited(std::string code, std::string message, int retry_after) {
  Error e = Make(ErrorCategory::kRateLimited, std::move(code), std::move(message));
  e.retry_after_seconds = retry_after;
  return e;
}
Error Internal(std::string debug) {
  Error e = Make(ErrorCategory::kInternal, "", "Internal server error");
  e.debug = std::move(debug);
  e.plain = true;
  return e;
}
Error Unavailable(std::string debug) {
  Error e = MakeError(Err::kServiceUnavailable);
  e.debug = std::move(debug);
  e.retry_after_seconds = 1;  // sent as Retry-After with the 503
  return e;
}
Error Plain(ErrorCategory category, std::string message) {
  Error e = Make(category, "", std::move(message));
  e.plain = true;
  return e;
}

}  // namespace authd::core
