// Builders for option descriptors (option_table.h). Each takes the TOML key,
// an accessor `[](auto& c) -> auto& { return c.some.field; }` (called with
// both Config& and const Config&), type-specific limits and the help text,
// and returns an Option whose set/get convert between Value and the field.
// Internal to src/config.
#ifndef AUTHD_CONFIG_OPTION_BUILDERS_H_
#define AUTHD_CONFIG_OPTION_BUILDERS_H_

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/option_table.h"

namespace authd::config::internal {

// Upper bound of every duration option (and of ParseDurationMs): 100 years.
inline constexpr long long kMaxDurationMs = 100LL * 31557600000LL;

// Validates and may normalize a string (e.g. lower-case it).
using StringCheck = std::function<core::Status(std::string&)>;

// Checks shared by several option files (options_server.cc).
// An origin scheme://host[:port], lower-cased; paths, user info and other
// schemes are refused.
core::Status CheckOrigin(std::string& s);
// An RFC 7230 token (header names) / RFC 6265 cookie-name, lower-cased if
// `lower_case`.
StringCheck Token(bool lower_case);

// What every builder starts from; each adds its limits, set and get.
inline Option Described(std::string key, OptionType type, std::string help) {
  Option o;
  o.key = std::move(key);
  o.type = type;
  o.help = std::move(help);
  return o;
}

template <typename Field>
Option IntOption(std::string key, Field field, long long min, long long max, std::string help) {
  Option o = Described(std::move(key), OptionType::kInt, std::move(help));
  o.min = min;
  o.max = max;
  o.set = [field](Config& c, const Value& v) -> core::Status {
    auto& f = field(c);
    f = static_cast<std::remove_reference_t<decltype(f)>>(std::get<long long>(v));
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value { return static_cast<long long>(field(c)); };
  return o;
}

// The field holds a count of `unit_ms` (1 = milliseconds, 1000 = seconds);
// values that are not a whole number of units are rejected.
template <typename Field>
Option DurationOption(std::string key, Field field, long long unit_ms, long long min_ms,
                      std::string help) {
  Option o = Described(std::move(key), OptionType::kDuration, std::move(help));
  o.min = min_ms;
  o.max = kMaxDurationMs;
  o.set = [field, unit_ms](Config& c, const Value& v) -> core::Status {
    long long ms = std::get<long long>(v);
    if (ms % unit_ms != 0) {
      return Invalid("must be a whole number of seconds");
    }
    field(c) = ms / unit_ms;
    return core::Status::Ok();
  };
  o.get = [field, unit_ms](const Config& c) -> Value {
    return static_cast<long long>(field(c)) * unit_ms;
  };
  return o;
}

template <typename Field>
Option BoolOption(std::string key, Field field, std::string help) {
  Option o = Described(std::move(key), OptionType::kBool, std::move(help));
  o.set = [field](Config& c, const Value& v) -> core::Status {
    field(c) = std::get<bool>(v);
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value { return field(c); };
  return o;
}

template <typename Field>
Option StringOption(std::string key, Field field, std::string help, StringCheck check = nullptr) {
  Option o = Described(std::move(key), OptionType::kString, std::move(help));
  o.set = [field, check](Config& c, const Value& v) -> core::Status {
    std::string s = std::get<std::string>(v);
    if (check) {
      core::Status st = check(s);
      if (!st.ok()) return st;
    }
    field(c) = std::move(s);
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value { return field(c); };
  return o;
}

// `choices` maps each accepted (lower-case) word to the field's value.
template <typename Field, typename E>
Option EnumOption(std::string key, Field field, std::vector<std::pair<std::string, E>> choices,
                  std::string help) {
  Option o = Described(std::move(key), OptionType::kEnum, std::move(help));
  for (const auto& [word, unused] : choices) o.choices.push_back(word);
  o.set = [field, choices](Config& c, const Value& v) -> core::Status {
    for (const auto& [word, e] : choices) {
      if (word == std::get<std::string>(v)) field(c) = e;
    }
    return core::Status::Ok();
  };
  o.get = [field, choices](const Config& c) -> Value {
    for (const auto& [word, e] : choices) {
      if (field(c) == e) return word;
    }
    return std::string();
  };
  return o;
}

// `check` validates (and may normalize) each item.
template <typename Field>
Option ListOption(std::string key, Field field, std::string help, StringCheck check = nullptr) {
  Option o = Described(std::move(key), OptionType::kList, std::move(help));
  o.set = [field, check](Config& c, const Value& v) -> core::Status {
    std::vector<std::string> items = std::get<std::vector<std::string>>(v);
    for (std::string& item : items) {
      if (!check) break;
      core::Status st = check(item);
      if (!st.ok()) return st;
    }
    field(c) = std::move(items);
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value { return field(c); };
  return o;
}

// The field is a throttle::Bucket.
template <typename Field>
Option RateOption(std::string key, Field field, std::string help) {
  Option o = Described(std::move(key), OptionType::kRate, std::move(help));
  o.set = [field](Config& c, const Value& v) -> core::Status {
    const Rate& r = std::get<Rate>(v);
    field(c).max = r.max;
    field(c).window_ms = r.window_ms;
    return core::Status::Ok();
  };
  o.get = [field](const Config& c) -> Value { return Rate{field(c).max, field(c).window_ms}; };
  return o;
}

inline Option Aliased(Option o, std::vector<std::string> flags, std::vector<std::string> envs) {
  o.alias_flags = std::move(flags);
  o.alias_envs = std::move(envs);
  return o;
}

inline Option Secret(Option o) {
  o.secret = true;
  return o;
}

}  // namespace authd::config::internal

#endif  // AUTHD_CONFIG_OPTION_BUILDERS_H_
