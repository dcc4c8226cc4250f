// The access-token guard of protected routes (spec/tokens-and-sessions.md
// §4): token by transport mode, CSRF for cookie-borne tokens on unsafe
// methods, then the session checks of SessionFlows::Authenticate.
#ifndef AUTHD_HTTP_GUARD_H_
#define AUTHD_HTTP_GUARD_H_

#include "core/status.h"
#include "flows/session_flows.h"
#include "http/error_mapping.h"
#include "http/message.h"
#include "http/token_transport.h"

namespace authd::http {

core::Result<flows::Principal> Authenticate(const Request& req, const TokenTransport& transport,
                                            flows::SessionFlows& sessions, bool skip_mfa);

// Logs internal/unavailable errors with the request id, then maps `e`.
Response Fail(const Request& req, const core::Error& e, ErrorShape shape = ErrorShape::kFiltered);

}  // namespace authd::http

#endif  // AUTHD_HTTP_GUARD_H_
