// How a failed request is answered. The access-token guard itself is a
// stage of the route dispatcher (http/route.h).
#ifndef AUTHD_HTTP_GUARD_H_
#define AUTHD_HTTP_GUARD_H_

#include "core/status.h"
#include "http/error_mapping.h"
#include "http/message.h"

namespace authd::http {

// Logs internal/unavailable errors with the request id, then maps `e`.
Response Fail(const Request& req, const core::Error& e, ErrorShape shape = ErrorShape::kFiltered);

}  // namespace authd::http

#endif  // AUTHD_HTTP_GUARD_H_
