// Durations in the grammar of the `ms` npm package, which the reference
// uses for every *Validity / *ExpiresIn / window option (spec config.md §2).
#include <cctype>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.h"
#include "config/option_builders.h"
#include "config/option_table.h"

namespace authd::config {
namespace {

constexpr long long kSecond = 1000;
constexpr long long kMinute = 60 * kSecond;
constexpr long long kHour = 60 * kMinute;
constexpr long long kDay = 24 * kHour;
constexpr long long kWeek = 7 * kDay;
constexpr long long kYear = 31557600000LL;  // 365.25 days, as in `ms`

// Unit words of `ms` (lower-case) and their length in milliseconds.
constexpr std::pair<std::string_view, long long> kUnits[] = {
    {"ms", 1},           {"msec", 1},          {"msecs", 1},         {"millisecond", 1},
    {"milliseconds", 1}, {"s", kSecond},       {"sec", kSecond},     {"secs", kSecond},
    {"second", kSecond}, {"seconds", kSecond}, {"m", kMinute},       {"min", kMinute},
    {"mins", kMinute},   {"minute", kMinute},  {"minutes", kMinute}, {"h", kHour},
    {"hr", kHour},       {"hrs", kHour},       {"hour", kHour},      {"hours", kHour},
    {"d", kDay},         {"day", kDay},        {"days", kDay},       {"w", kWeek},
    {"week", kWeek},     {"weeks", kWeek},     {"y", kYear},         {"yr", kYear},
    {"yrs", kYear},      {"year", kYear},      {"years", kYear},
};

core::Error BadDuration(std::string_view text, std::string_view why) {
  return core::InvalidArgument(
      "", "invalid duration \"" + std::string(text) + "\": " + std::string(why));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

core::Result<long long> ParseDurationMs(const std::string& text) {
  constexpr std::string_view kGrammar =
      "expected a number and an optional unit (ms, s, m, h, d, w, y; e.g. "
      "\"15m\", \"1.5h\", \"30 days\"); a bare number is milliseconds";
  if (text.size() > 100) {
    return BadDuration(text.substr(0, 20) + "...", "too long");
  }
  if (!text.empty() && text[0] == '-') {
    return BadDuration(text, "must not be negative");
  }
  // Number: digits, or digits '.' digits, or '.' digits (as in `ms`).
  // Accumulated by hand: strtod would depend on the locale.
  size_t i = 0;
  size_t digits = 0;
  long double number = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i, ++digits) {
    number = number * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    const size_t dot = i++;
    long double scale = 1;
    for (; i < text.size() && IsDigit(text[i]); ++i, ++digits) {
      scale /= 10;
      number += (text[i] - '0') * scale;
    }
    if (i == dot + 1) return BadDuration(text, kGrammar);
  }
  if (digits == 0) return BadDuration(text, kGrammar);
  while (i < text.size() && text[i] == ' ') ++i;
  const std::string unit = internal::ToLower(std::string_view(text).substr(i));

  long long unit_ms = unit.empty() ? 1 : 0;
  for (const auto& [word, ms] : kUnits) {
    if (word == unit) unit_ms = ms;
  }
  if (unit_ms == 0) return BadDuration(text, kGrammar);

  const long double value = number * unit_ms;
  if (!(value <= static_cast<long double>(internal::kMaxDurationMs))) {
    return BadDuration(text, "too large (at most 100 years)");
  }
  return static_cast<long long>(std::llround(value));
}

namespace internal {

std::string FormatDurationMs(long long ms) {
  if (ms == 0) return "0";
  constexpr std::pair<long long, std::string_view> kExact[] = {
      {kWeek, "w"}, {kDay, "d"}, {kHour, "h"}, {kMinute, "m"}, {kSecond, "s"},
  };
  for (const auto& [size, suffix] : kExact) {
    if (ms % size == 0) return std::to_string(ms / size) + std::string(suffix);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace internal
}  // namespace authd::config
