#include "http/error_mapping.h"

#include <string>

#include <boost/json.hpp>

namespace authd::http {
namespace json = boost::json;

int StatusOf(core::ErrorCategory c) {
  switch (c) {
    case core::ErrorCategory::kInvalidArgument:
      return 400;
    case core::ErrorCategory::kUnauthenticated:
      return 401;
    case core::ErrorCategory::kForbidden:
      return 403;
    case core::ErrorCategory::kNotFound:
      return 404;
    case core::ErrorCategory::kConflict:
      return 409;
    case core::ErrorCategory::kPayloadTooLarge:
      return 413;
    case core::ErrorCategory::kRateLimited:
      return 429;
    case core::ErrorCategory::kInternal:
      return 500;
    case core::ErrorCategory::kUnavailable:
      return 503;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

namespace {

// The NestJS exception class the reference throws for each status.
std::string_view ExceptionClass(int status) {
  switch (status) {
    case 400:
      return "BadRequestException";
    case 401:
      return "UnauthorizedException";
    case 403:
      return "ForbiddenException";
    case 404:
      return "NotFoundException";
    case 409:
      return "ConflictException";
    case 413:
      return "PayloadTooLargeException";
    case 429:
      return "HttpException";
    case 503:
      return "ServiceUnavailableException";
  }
  return "InternalServerErrorException";
}

}  // namespace

Response ErrorResponse(const core::Error& e, ErrorShape shape) {
  Response r;
  r.status = StatusOf(e.category);
  if (r.status == 500) return InternalServerError();
  const bool coded = !e.plain && !e.code.empty();
  json::object o;
  if (shape == ErrorShape::kRaw) {
    if (coded) {
      o["message"] = e.message;
      o["code"] = e.code;
    } else {
      o["message"] = e.message;
      o["error"] = ReasonPhrase(r.status);
      o["statusCode"] = r.status;
    }
  } else {
    o["statusCode"] = r.status;
    o["error"] = coded ? ExceptionClass(r.status) : ReasonPhrase(r.status);
    o["message"] = e.message;
    if (coded) o["code"] = e.code;
  }
  r.body = json::serialize(o);
  if ((r.status == 429 || r.status == 503) && e.retry_after_seconds > 0) {
    r.AddHeader("Retry-After", std::to_string(e.retry_after_seconds));
  }
  return r;
}

Response FrameworkError(int status, std::string_view message) {
  Response r;
  r.status = status;
  json::object o;
  o["message"] = message;
  o["error"] = ReasonPhrase(status);
  o["statusCode"] = status;
  r.body = json::serialize(o);
  return r;
}

}  // namespace authd::http
