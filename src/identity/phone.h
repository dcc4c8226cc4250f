// The one form of a phone number authd stores and compares: account
// lookup, signup uniqueness, rate-limit and lockout keys all use
// NormalizePhone, so "+1 (555) 010-0000", "+1.555.010.0000" and
// "+15550100000" are one account and one throttle key.
//
// E.164-like, without a numbering plan: ASCII whitespace, '.', '-', '('
// and ')' are removed; everything else (a leading '+', digits, and any
// other character, which no valid number contains) is kept as sent. The
// reference removes whitespace only (docs/compatibility.md).
#ifndef AUTHD_IDENTITY_PHONE_H_
#define AUTHD_IDENTITY_PHONE_H_

#include <string>
#include <string_view>

namespace authd::identity {

// "+1 (555) 010-0000" -> "+15550100000".
std::string NormalizePhone(std::string_view phone);

// The form authd stored before NormalizePhone existed (whitespace removed
// only), for finding rows the schema migration could not rewrite.
std::string LegacyPhoneKey(std::string_view phone);

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_PHONE_H_
