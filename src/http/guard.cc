#include "http/guard.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/nonblocking.h"
#include "http/error_mapping.h"

namespace authd::http {

core::Result<flows::Principal> Authenticate(const Request& req, const TokenTransport& transport,
                                            flows::SessionFlows& sessions, bool skip_mfa) {
  auto token = transport.AccessToken(req);
  if (!token) {
    return core::MakeError(core::Err::kNoAuthProvided);
  }
  if (token->api_key) {
    // Access keys have no store yet (the reference has no endpoint to
    // create them either): every well-formed key is unknown.
    const std::string& k = token->token;
    const size_t dot = k.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == k.size()) {
      return core::MakeError(core::Err::kInvalidApiKeyFormat);
    }
    return core::MakeError(core::Err::kInvalidApiKey);
  }
  if (token->from_cookie) {
    if (auto s = transport.CheckCsrf(req); !s.ok()) return s.error();
  }
  return sessions.Authenticate(token->token, skip_mfa);
}

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
