// The option table: one descriptor per configuration option, the single
// source of the TOML key, flag, environment variable, default, help text and
// the code that stores a parsed value into Config.
//
// Internal to src/config: Load(), the --help text and OptionsMarkdown() are
// all generated from it. Descriptors are immutable after construction;
// Options() is safe to call from any thread.
#ifndef AUTHD_CONFIG_OPTION_TABLE_H_
#define AUTHD_CONFIG_OPTION_TABLE_H_

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace authd::config::internal {

enum class OptionType { kString, kInt, kBool, kDuration, kList, kRate, kEnum };

// "MAX/WINDOW": at most `max` requests per `window_ms`.
struct Rate {
  long long max = 0;
  long long window_ms = 0;
  bool operator==(const Rate&) const = default;
};

// A parsed value. kInt and kDuration (milliseconds) hold long long; kEnum
// holds the canonical (lower-case) choice.
using Value = std::variant<std::string, long long, bool, std::vector<std::string>, Rate>;

struct Option {
  std::string key;  // TOML `section.key`
  OptionType type = OptionType::kString;
  std::string help;
  std::vector<std::string> alias_flags;  // without "--"; lose to the flag
  std::vector<std::string> alias_envs;   // lose to the AUTHD_ variable
  long long min = 0;                     // kInt; kDuration in milliseconds
  long long max = 0;
  std::vector<std::string> choices;  // kEnum, canonical lower-case
  bool secret = false;               // never echo the value in errors
  // Stores `value` (already type-checked and range-checked). Returns an
  // InvalidArgument whose message completes "invalid value X for key: ...".
  std::function<core::Status(Config&, const Value&)> set;
  std::function<Value(const Config&)> get;
  std::string default_text;  // Format(get(Config{})), filled in by Options()

  std::string Section() const;  // "server"
  std::string Flag() const;     // "--server-port"
  std::string Env() const;      // "AUTHD_SERVER_PORT"
};

struct SectionInfo {
  std::string name;
  std::string title;  // one line, shown in --help and the docs
};

// All options, in section order. Built once; never modified.
const std::vector<Option>& Options();
const std::vector<SectionInfo>& Sections();

// Look-ups; nullptr if unknown. `name` is without "--".
const Option* FindByKey(std::string_view key);
const Option* FindByFlag(std::string_view name, bool* is_alias);

// The nearest known name (edit distance <= 2), or "" if none is close.
std::string Suggest(std::string_view name, const std::vector<std::string>& candidates);

// Parses an environment / flag value. The error message is the detail part
// ("expected an integer 0..65535").
core::Result<Value> ParseText(const Option& opt, std::string_view text);

// "an integer 0..65535", "true or false", ... (used in error messages).
std::string Expected(const Option& opt);

// The text a user would write for `value` ("1h", "5/1m", "a,b", "true").
std::string FormatValue(const Option& opt, const Value& value);

// Largest exact unit: 3600000 -> "1h", 1500 -> "1500ms".
std::string FormatDurationMs(long long ms);

// Option builders, used by the table files.
core::Error Invalid(std::string detail);
std::string ToLower(std::string_view s);
void AppendServerOptions(std::vector<Option>& out);    // app..csrf
void AppendSecurityOptions(std::vector<Option>& out);  // password..log
void AppendCourierOptions(std::vector<Option>& out);   // otp..events
void AppendMfaOptions(std::vector<Option>& out);       // mfa
void AppendCorsOptions(std::vector<Option>& out);      // cors

}  // namespace authd::config::internal

#endif  // AUTHD_CONFIG_OPTION_TABLE_H_
