#include "identity/phone.h"

namespace authd::identity {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

std::string NormalizePhone(std::string_view phone) {
  std::string out;
  out.reserve(phone.size());
  for (char c : phone) {
    if (IsAsciiSpace(c) || c == '.' || c == '-' || c == '(' || c == ')') continue;
    out.push_back(c);
  }
  return out;
}

std::string LegacyPhoneKey(std::string_view phone) {
  std::string out;
  out.reserve(phone.size());
  for (char c : phone) {
    if (!IsAsciiSpace(c)) out.push_back(c);
  }
  return out;
}

}  // namespace authd::identity
