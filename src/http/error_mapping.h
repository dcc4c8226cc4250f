// The one place where a core::Error becomes an HTTP response.
//
// Shapes (spec/errors.md §1): the filtered shape
// {"statusCode","error","message"[,"code"]} of the auth controller, where
// `error` is the exception class name for coded errors and the reason
// phrase for plain ones; the framework shape of 500s; and the raw shape of
// the MFA controller routes. 429s carry Retry-After. The debug text is
// logged by the caller, never sent.
#ifndef AUTHD_HTTP_ERROR_MAPPING_H_
#define AUTHD_HTTP_ERROR_MAPPING_H_

#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace authd::http {

enum class ErrorShape { kFiltered, kRaw };

int StatusOf(core::ErrorCategory c);
std::string_view ReasonPhrase(int status);

Response ErrorResponse(const core::Error& e, ErrorShape shape = ErrorShape::kFiltered);

// Framework-level errors: {"message","error","statusCode"} (Nest default
// exception body), e.g. malformed JSON.
Response FrameworkError(int status, std::string_view message);

}  // namespace authd::http

#endif  // AUTHD_HTTP_ERROR_MAPPING_H_
