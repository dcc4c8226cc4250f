#include "http/media_type.h"

#include <cstddef>

namespace authd::http {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::size_t SkipOws(std::string_view s, std::size_t i) {
  while (i < s.size() && IsOws(s[i])) ++i;
  return i;
}

// End of s[start, end) with trailing OWS removed.
std::size_t TrimEnd(std::string_view s, std::size_t start, std::size_t end) {
  while (end > start && IsOws(s[end - 1])) --end;
  return end;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// One RFC 6838 restricted name; `subtype` also allows '.' and '+'.
bool IsRestrictedName(std::string_view s, bool subtype) {
  if (s.empty() || s.size() > 127 || !IsAlnum(s[0])) return false;
  for (char c : s.substr(1)) {
    const bool extra = c == '!' || c == '#' || c == '$' || c == '&' || c == '^' || c == '_' ||
                       c == '-' || (subtype && (c == '.' || c == '+'));
    if (!IsAlnum(c) && !extra) return false;
  }
  return true;
}

}  // namespace

bool IsValidMediaType(std::string_view type) {
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos) return false;
  return IsRestrictedName(type.substr(0, slash), false) &&
         IsRestrictedName(type.substr(slash + 1), true);
}

ContentType ParseContentType(std::string_view h) {
  ContentType ct;
  std::size_t i = SkipOws(h, 0);
  const std::size_t start = i;
  while (i < h.size() && h[i] != ';') ++i;
  std::string type = Lower(h.substr(start, TrimEnd(h, start, i) - start));
  if (IsValidMediaType(type)) ct.type = std::move(type);
  // Parameters; i is at a ';' or the end.
  while (i < h.size()) {
    i = SkipOws(h, i + 1);
    const std::size_t key_start = i;
    while (i < h.size() && h[i] != ';' && h[i] != '=') ++i;
    if (i >= h.size() || h[i] == ';') continue;  // no '=': skipped
    const std::string key = Lower(h.substr(key_start, TrimEnd(h, key_start, i) - key_start));
    i = SkipOws(h, i + 1);
    std::string value;
    if (i < h.size() && h[i] == '"') {
      for (++i; i < h.size() && h[i] != '"'; ++i) {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        value.push_back(h[i]);
      }
      if (i >= h.size()) break;                 // unterminated: not a parameter
      while (i < h.size() && h[i] != ';') ++i;  // after the closing quote
    } else {
      const std::size_t value_start = i;
      while (i < h.size() && h[i] != ';') ++i;
      value.assign(h.substr(value_start, TrimEnd(h, value_start, i) - value_start));
    }
    if (key == "charset" && !ct.charset) ct.charset = Lower(value);
  }
  return ct;
}

bool IsJsonMediaType(const ContentType& ct) { return ct.type == "application/json"; }

}  // namespace authd::http
