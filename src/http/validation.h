// Small validators with class-validator's semantics where the wire
// depends on them.
#ifndef AUTHD_HTTP_VALIDATION_H_
#define AUTHD_HTTP_VALIDATION_H_

#include <string_view>

namespace authd::http {

// validator.js isEmail (default options), simplified: one '@', a local
// part of 1..64 allowed characters, a domain of dot-separated labels with an
// alphabetic TLD of >= 2 characters, total <= 254.
bool IsEmail(std::string_view s);

// class-validator isPhoneNumber without a region, approximated without
// libphonenumber: '+', then 8..15 digits (spaces, '-', '.', '(' and ')'
// between them ignored), country code not starting with 0; numbers of the
// North American plan (+1) must have 10 national digits with area code
// and exchange starting 2-9.
bool IsPhoneNumber(std::string_view s);

// Canonical UUID (any version), case-insensitive.
bool IsUuid(std::string_view s);

}  // namespace authd::http

#endif  // AUTHD_HTTP_VALIDATION_H_
