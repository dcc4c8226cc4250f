// Status and Result<T>: errors as values.
//
// Every fallible call in core, crypto, the domain and the stores returns a
// Status or a Result<T>. An error carries
//   - a category, which the HTTP edge maps to a status code,
//   - a stable id (the wire `code`, e.g. "REFRESH_TOKEN_INVALID"), possibly
//     empty for the reference's code-less errors,
//   - a client-safe message, sent on the wire,
//   - a debug text, logged, never sent.
// Result<T> is shaped like std::expected<T, Error> so C++23 is a rename.
// Thread-safety: value types, no shared state.
#ifndef AUTHD_CORE_STATUS_H_
#define AUTHD_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace authd::core {

enum class ErrorCategory {
  kInvalidArgument,  // 400
  kUnauthenticated,  // 401
  kForbidden,        // 403
  kNotFound,         // 404
  kConflict,         // 409
  kPayloadTooLarge,  // 413
  kRateLimited,      // 429
  kInternal,         // 500
  kUnavailable,      // 503
};

struct Error {
  ErrorCategory category = ErrorCategory::kInternal;
  std::string code;     // stable wire id; empty = the reference sends no code
  std::string message;  // client-safe
  std::string debug;    // logged only
  // Seconds until a rate limit or lockout ends (429 Retry-After), or until
  // a retry is worth it (503 Retry-After); 0 = unset.
  int retry_after_seconds = 0;
  // The reference raises some errors with a plain message (no code): their
  // `error` field is the HTTP reason phrase instead of the exception class.
  bool plain = false;
};

// Convenience constructors for coded errors.
Error InvalidArgument(std::string code, std::string message);
Error Unauthenticated(std::string code, std::string message);
Error Forbidden(std::string code, std::string message);
Error NotFound(std::string code, std::string message);
Error Conflict(std::string code, std::string message);
Error RateLimited(std::string code, std::string message, int retry_after);
Error Internal(std::string debug);
Error Unavailable(std::string debug);
// A plain-message error (no code), e.g. validation failures, "Session not found".
Error Plain(ErrorCategory category, std::string message);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT: implicit on purpose
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  const Error& error() const {
    assert(error_);
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT
  Result(Error e) : v_(std::move(e)) {}                  // NOLINT
  Result(Status s) : v_(s.error()) { assert(!s.ok()); }  // NOLINT

  bool ok() const { return v_.index() == 0; }
  bool has_value() const { return ok(); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace authd::core

#endif  // AUTHD_CORE_STATUS_H_
