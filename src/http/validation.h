// Small validators with class-validator's semantics where the wire
// depends on them, and the catalogue of its messages.
#ifndef AUTHD_HTTP_VALIDATION_H_
#define AUTHD_HTTP_VALIDATION_H_

#include <span>
#include <string>
#include <string_view>

namespace authd::http {

// The constraints of the reference's request DTOs. Their messages are
// class-validator's defaults (and the reference's own constraint), written
// once in validation.cc and checked against the reference's class-validator
// (tests/data/reference_errors.json) by validation_test.cc.
enum class Check {
  kIsDefined,
  kIsNotEmpty,
  kIsString,
  kIsBoolean,
  kIsEmail,
  kIsUuid,
  kIsPhoneNumber,
  kIsObject,
  kIsEnum,                    // constraint: the allowed values, ", "-separated
  kMinLength,                 // constraint: the length
  kMaxLength,                 // constraint: the length
  kPasswordNotSameAsCurrent,  // change-password's newPassword
};

struct CheckEntry {
  Check check;
  std::string_view name;     // class-validator's decorator (or constraint) name
  std::string_view message;  // with $property and $constraint1/$constraint2
};
std::span<const CheckEntry> ValidationCatalogue();

// The message of `check` failing on `property`, e.g. "email must be an
// email"; `constraint` fills $constraint1/$constraint2.
std::string CheckMessage(Check check, std::string_view property, std::string_view constraint = {});

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
