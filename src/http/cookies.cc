#include "http/cookies.h"

#include "core/clock.h"
#include "crypto/encoding.h"

namespace authd::http {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::size_t StartIndex(std::string_view s, std::size_t i, std::size_t max) {
  while (i < max && IsBlank(s[i])) ++i;
  return i;
}

std::size_t EndIndex(std::string_view s, std::size_t i, std::size_t min) {
  while (i > min && IsBlank(s[i - 1])) --i;
  return i;
}

// Calls fn(name, raw_value) for each pair of one Cookie header, following
// `cookie`'s parse() step by step; stops early when fn returns false.
template <typename Fn>
void ForEachRawCookie(std::string_view s, Fn&& fn) {
  const std::size_t len = s.size();
  if (len < 2) return;
  std::size_t index = 0;
  do {
    std::size_t eq = s.find('=', index);
    if (eq == std::string_view::npos) break;
    std::size_t semi = s.find(';', index);
    std::size_t end = semi == std::string_view::npos ? len : semi;
    if (eq > end) {  // a part without '=': resume at the part holding eq
      index = s.rfind(';', eq - 1) + 1;
      continue;
    }
    std::size_t key_start = StartIndex(s, index, eq);
    std::size_t key_end = EndIndex(s, eq, key_start);
    std::size_t val_start = StartIndex(s, eq + 1, end);
    std::size_t val_end = EndIndex(s, end, val_start);
    if (val_start < val_end && s[val_start] == '"' && s[val_end - 1] == '"') {
      // A lone '"' becomes "" (JavaScript slice with start > end).
      if (val_end - val_start >= 2) {
        ++val_start;
        --val_end;
      } else {
        val_start = val_end;
      }
    }
    if (!fn(s.substr(key_start, key_end - key_start), s.substr(val_start, val_end - val_start))) {
      return;
    }
    index = end + 1;
  } while (index < len);
}

std::string DecodeValue(std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) return std::string(raw);
  std::optional<std::string> decoded = DecodeUriComponent(raw);
  return decoded ? std::move(*decoded) : std::string(raw);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// `cookie` writes the canonical capitalisation whatever the option's case.
std::string_view CanonicalSameSite(std::string_view v) {
  if (EqualsIgnoreCase(v, "lax")) return "Lax";
  if (EqualsIgnoreCase(v, "strict")) return "Strict";
  if (EqualsIgnoreCase(v, "none")) return "None";
  return v;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseCookieHeader(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  ForEachRawCookie(header, [&](std::string_view name, std::string_view raw) {
    out.emplace_back(std::string(name), DecodeValue(raw));
    return true;
  });
  return out;
}

std::optional<std::string> FindCookie(const Request& req, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : req.headers) {
    if (key != "cookie") continue;
    ForEachRawCookie(value, [&](std::string_view n, std::string_view raw) {
      if (n != name) return true;
      found = DecodeValue(raw);
      return false;
    });
    if (found) break;
  }
  return found;
}

std::string Serialize(const SetCookie& cookie) {
  std::string out;
  out.reserve(cookie.name.size() + cookie.value.size() + 128);
  out.append(cookie.name).push_back('=');
  // The value as encodeURIComponent writes it.
  out.append(crypto::PercentEncode(cookie.value, crypto::kUriComponentUnreserved));
  if (cookie.max_age_seconds) {
    out.append("; Max-Age=").append(std::to_string(*cookie.max_age_seconds));
  }
  if (!cookie.domain.empty()) out.append("; Domain=").append(cookie.domain);
  if (!cookie.path.empty()) out.append("; Path=").append(cookie.path);
  if (cookie.expires_unix_millis) {
    out.append("; Expires=").append(core::FormatHttpDate(*cookie.expires_unix_millis));
  }
  if (cookie.http_only) out.append("; HttpOnly");
  if (cookie.secure) out.append("; Secure");
  if (!cookie.same_site.empty()) {
    out.append("; SameSite=").append(CanonicalSameSite(cookie.same_site));
  }
  return out;
}

}  // namespace authd::http
