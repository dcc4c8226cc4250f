// JSON adapters for the session domain: the ClaimsCodec used by the token
// service (reference key order), and the user JSON shapes of the API.
#ifndef AUTHD_HTTP_CLAIMS_JSON_H_
#define AUTHD_HTTP_CLAIMS_JSON_H_

#include <memory>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "identity/user.h"
#include "session/claims.h"

namespace authd::http {

std::unique_ptr<session::ClaimsCodec> NewJsonClaimsCodec();

// ISO-8601 string, or null.
boost::json::value IsoOrNull(const std::optional<core::UnixMillis>& t);
// Parses stored metadata JSON; anything but an object becomes {}.
boost::json::value MetadataValue(const std::string& metadata_json);

}  // namespace authd::http

#endif  // AUTHD_HTTP_CLAIMS_JSON_H_
