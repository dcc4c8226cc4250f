#include "http/validation.h"

#include <cctype>
#include <string>

namespace authd::http {
namespace {

bool IsLocalChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
    case '.':
      return true;
  }
  return c >= 0x80;  // validator.js allows UTF-8 local parts
}

bool ValidLabel(std::string_view label, bool is_tld) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (unsigned char c : label) {
    if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
  }
  if (is_tld) {
    if (label.size() < 2) return false;
    for (unsigned char c : label) {
      if (std::isdigit(c)) return false;
    }
  }
  return true;
}

constexpr CheckEntry kChecks[] = {
    {Check::kIsDefined, "IsDefined", "$property should not be null or undefined"},
    {Check::kIsNotEmpty, "IsNotEmpty", "$property should not be empty"},
    {Check::kIsString, "IsString", "$property must be a string"},
    {Check::kIsBoolean, "IsBoolean", "$property must be a boolean value"},
    {Check::kIsEmail, "IsEmail", "$property must be an email"},
    {Check::kIsUuid, "IsUUID", "$property must be a UUID"},
    {Check::kIsPhoneNumber, "IsPhoneNumber", "$property must be a valid phone number"},
    {Check::kIsObject, "IsObject", "$property must be an object"},
    {Check::kIsEnum, "IsEnum", "$property must be one of the following values: $constraint2"},
    {Check::kMinLength, "MinLength",
     "$property must be longer than or equal to $constraint1 characters"},
    {Check::kMaxLength, "MaxLength",
     "$property must be shorter than or equal to $constraint1 characters"},
    {Check::kPasswordNotSameAsCurrent, "passwordNotSameAsCurrent",
     "New password must be different from the current password"},
};

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = s->find(from, at)) != std::string::npos; at += to.size()) {
    s->replace(at, from.size(), to);
  }
}

}  // namespace

std::span<const CheckEntry> ValidationCatalogue() { return kChecks; }

std::string CheckMessage(Check check, std::string_view property, std::string_view constraint) {
  std::string m(kChecks[static_cast<size_t>(check)].message);
  ReplaceAll(&m, "$property", property);
  ReplaceAll(&m, "$constraint1", constraint);
  ReplaceAll(&m, "$constraint2", constraint);
  return m;
}

bool IsEmail(std::string_view s) {
  if (s.size() > 254) return false;
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  for (unsigned char c : local) {
    if (!IsLocalChar(c)) return false;
  }
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot - start);
    bool last = dot == std::string_view::npos;
    if (!ValidLabel(label, last)) return false;
    if (last) break;
    start = dot + 1;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

bool IsPhoneNumber(std::string_view s) {
  if (s.empty() || s.front() != '+') return false;
  std::string digits;
  for (char c : s.substr(1)) {
    if (c >= '0' && c <= '9')
      digits.push_back(c);
    else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
      return false;
  }
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return false;
  if (digits[0] == '1') {
    return digits.size() == 11 && digits[1] >= '2' && digits[4] >= '2';
  }
  return true;
}

}  // namespace authd::http
