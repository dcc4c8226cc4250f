// The JSON encoding of session::SessionData kept in sessions.data.
//
// The document has the reference's shape (tokens-and-sessions.md §2), so an
// existing database's rows read the same way:
//   {"user":{"id","email","emailVerifiedAt","phone","phoneVerifiedAt",
//            "isActive","mustChangePassword","metadata","isMfaEnabled",
//            "mfaRecoveryCode","createdAt","updatedAt"},
//    "isMfaVerified":bool, ["isMfaEnabled":bool,]
//    "roles":[{"id","name","guard","tenantId","isSystem","isActive"}],
//    "permissions":[string], "tenantId":string|null, "isPlatformAccess":bool}
// Dates are ISO-8601 UTC strings with milliseconds ("2026-11-25T17:13:39.502Z")
// or null, which round-trip exactly since every time is whole Unix millis;
// decoding also accepts a number of millis. "metadata" is embedded as a JSON
// object, so User::metadata_json round-trips as the same JSON value in
// compact form, not byte for byte. "isMfaEnabled" at the top level is
// written iff SessionData::is_mfa_enabled is set. The user's password_hash
// is never written and always decodes as nullopt. No extra fields are stored.
// Pure functions; thread-safe.
#ifndef AUTHD_STORE_COMMON_SESSION_DATA_JSON_H_
#define AUTHD_STORE_COMMON_SESSION_DATA_JSON_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "session/session.h"

namespace authd::store {

// kInternal if user.metadata_json is not valid JSON.
core::Result<std::string> EncodeSessionData(const session::SessionData& data);

// kInternal (details in debug) if `json` is not such a document.
core::Result<session::SessionData> DecodeSessionData(std::string_view json);

// Inverse of core::FormatIso8601 for "YYYY-MM-DDTHH:MM:SS.mmmZ" (the
// fraction is optional). nullopt when `text` is not in that form.
std::optional<core::UnixMillis> ParseIso8601(std::string_view text);

}  // namespace authd::store

#endif  // AUTHD_STORE_COMMON_SESSION_DATA_JSON_H_
