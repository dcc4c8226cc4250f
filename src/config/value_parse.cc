// Strict parsing of option values given as text (environment variables and
// flags; TOML values are converted to the same path in toml_source.cc).
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/option_table.h"

namespace authd::config::internal {
namespace {

constexpr long long kMaxRequestsPerWindow = 1000000;
constexpr long long kMinRateWindowMs = 1000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// An optionally negative decimal integer, nothing else (no '+', spaces, hex).
bool ParseInteger(std::string_view text, long long* out) {
  if (text.empty() || text.front() == '+') return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

core::Result<Value> ParseBool(std::string_view text) {
  const std::string t = ToLower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return Value(true);
  if (t == "false" || t == "0" || t == "no" || t == "off") return Value(false);
  return Invalid("");
}

core::Result<Value> ParseList(std::string_view text) {
  std::vector<std::string> items;
  if (text.empty()) return Value(items);
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    if (item.empty())
      return Invalid(
          "expected a comma-separated list "
          "without empty items");
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return Value(std::move(items));
}

core::Result<Value> ParseRate(const Option& opt, std::string_view text) {
  const size_t slash = text.find('/');
  long long max = 0;
  if (slash == std::string_view::npos || !ParseInteger(text.substr(0, slash), &max)) {
    return Invalid("expected " + Expected(opt));
  }
  core::Result<long long> window = ParseDurationMs(std::string(text.substr(slash + 1)));
  if (!window.ok()) return Invalid("expected " + Expected(opt));
  if (max < 1 || max > kMaxRequestsPerWindow) {
    return Invalid("MAX must be 1.." + std::to_string(kMaxRequestsPerWindow));
  }
  if (*window < kMinRateWindowMs) {
    return Invalid("WINDOW must be at least " + FormatDurationMs(kMinRateWindowMs));
  }
  return Value(Rate{max, *window});
}

core::Result<Value> ParseDuration(const Option& opt, std::string_view text) {
  core::Result<long long> ms = ParseDurationMs(std::string(text));
  if (!ms.ok()) return Invalid("expected " + Expected(opt));
  if (*ms < opt.min) {
    return Invalid("must be at least " + FormatDurationMs(opt.min));
  }
  if (*ms > opt.max) {
    return Invalid("must be at most " + FormatDurationMs(opt.max));
  }
  return Value(*ms);
}

}  // namespace

core::Error Invalid(std::string detail) { return core::InvalidArgument("", std::move(detail)); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

core::Result<Value> ParseText(const Option& opt, std::string_view text) {
  const core::Error type_error = Invalid("expected " + Expected(opt));
  switch (opt.type) {
    case OptionType::kString:
      return Value(std::string(text));
    case OptionType::kInt: {
      long long v = 0;
      if (!ParseInteger(text, &v) || v < opt.min || v > opt.max) {
        return type_error;
      }
      return Value(v);
    }
    case OptionType::kBool: {
      core::Result<Value> v = ParseBool(text);
      if (!v.ok()) return type_error;
      return v;
    }
    case OptionType::kDuration:
      return ParseDuration(opt, text);
    case OptionType::kList:
      return ParseList(text);
    case OptionType::kRate:
      return ParseRate(opt, text);
    case OptionType::kEnum:
      for (const std::string& choice : opt.choices) {
        if (choice == ToLower(text)) return Value(choice);
      }
      return type_error;
  }
  return type_error;
}

std::string Expected(const Option& opt) {
  switch (opt.type) {
    case OptionType::kString:
      return "a string";
    case OptionType::kInt:
      return "an integer " + std::to_string(opt.min) + ".." + std::to_string(opt.max);
    case OptionType::kBool:
      return "a boolean (true/false, yes/no, on/off, 1/0)";
    case OptionType::kDuration:
      return "a duration such as 500ms, 30s, 15m, 1h, 7d (a bare number is "
             "milliseconds)";
    case OptionType::kList:
      return "a comma-separated list";
    case OptionType::kRate:
      return "a rate MAX/WINDOW such as 5/1m (at most MAX requests per "
             "WINDOW)";
    case OptionType::kEnum: {
      std::string s = "one of ";
      for (size_t i = 0; i < opt.choices.size(); ++i) {
        if (i > 0) s += i + 1 == opt.choices.size() ? " or " : ", ";
        s += opt.choices[i];
      }
      return s;
    }
  }
  return "";
}

std::string FormatValue(const Option& opt, const Value& value) {
  switch (opt.type) {
    case OptionType::kString:
    case OptionType::kEnum:
      return std::get<std::string>(value);
    case OptionType::kInt:
      return std::to_string(std::get<long long>(value));
    case OptionType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case OptionType::kDuration:
      return FormatDurationMs(std::get<long long>(value));
    case OptionType::kList: {
      std::string s;
      for (const std::string& item : std::get<std::vector<std::string>>(value)) {
        s += (s.empty() ? "" : ",") + item;
      }
      return s;
    }
    case OptionType::kRate: {
      const Rate& r = std::get<Rate>(value);
      return std::to_string(r.max) + "/" + FormatDurationMs(r.window_ms);
    }
  }
  return "";
}

}  // namespace authd::config::internal
