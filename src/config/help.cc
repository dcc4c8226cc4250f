// --help text and the Markdown option reference, both generated from the
// option table so that neither can drift from the code.
#include <algorithm>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/option_table.h"
#include "config/sources.h"

namespace authd::config {
namespace {

using internal::Option;
using internal::OptionType;

constexpr size_t kWidth = 79;

constexpr std::string_view kDescription =
    "authd is a self-hosted authentication server speaking the "
    "@ackplus/nest-auth REST API (signup, login, refresh-token rotation, "
    "sessions, logout; cookie or header token transport), so clients "
    "written for nest-auth can "
    "use it. It keeps its data in an embedded SQLite database by default: "
    "one binary, no external services. With storage.database_url = "
    "postgres://... it keeps it in PostgreSQL instead, which any number of "
    "authd processes behind a load balancer can share.";

constexpr std::string_view kMigrateData =
    "Copies the SQLite database that the options name (storage.data_dir or "
    "a sqlite:// storage.database_url) into an empty PostgreSQL database: "
    "users, password hashes, identities, sessions, codes, outbox and MFA "
    "data, in one transaction. Stop authd first; afterwards start it with "
    "storage.database_url set to URL and the same session.jwt_secret and "
    "mfa.encryption_key (see docs/deployment.md).";

constexpr std::string_view kRules =
    "Configuration sources, lowest to highest precedence: built-in defaults "
    "< TOML file (--config FILE or AUTHD_CONFIG) < environment variables < "
    "flags. A higher source overrides a lower one key by key; an alias "
    "(e.g. PORT, --port) loses to the canonical name in the same source. "
    "Option server.port is `port` in table [server] of the TOML file, flag "
    "--server-port and variable AUTHD_SERVER_PORT. Unknown TOML keys and "
    "unknown flags are errors.";

constexpr std::string_view kValues =
    "Every flag takes a value: --csrf-enabled true or --csrf-enabled=true "
    "(use the = form for values starting with --). Booleans: true/false, "
    "yes/no, on/off, 1/0. Durations: a number and a unit - ms, s, m, h, d, "
    "w, y (or sec, min, hours, days, ...) - e.g. 500ms, 15m, 1.5h, 30d; a "
    "bare number (or a TOML integer) is milliseconds. Lists: TOML arrays, or "
    "comma-separated in the environment and flags. Rates: MAX/WINDOW, e.g. "
    "5/1m.";

// Joins words that Wrap() must keep on one line ("env AUTHD_SERVER_PORT").
constexpr char kGlue = '\x1f';

// Greedy word wrap; every line starts with `indent` spaces.
std::string Wrap(std::string_view text, size_t indent) {
  std::string out;
  std::string line(indent, ' ');
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? "" : text.substr(space + 1);
    if (line.size() > indent && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line.assign(indent, ' ');
    }
    if (line.size() > indent) line += ' ';
    line += word;
  }
  out += line + "\n";
  std::replace(out.begin(), out.end(), kGlue, ' ');
  return out;
}

std::string ValueName(const Option& opt) {
  switch (opt.type) {
    case OptionType::kString:
      return "TEXT";
    case OptionType::kInt:
      return "N";
    case OptionType::kBool:
      return "BOOL";
    case OptionType::kDuration:
      return "DURATION";
    case OptionType::kList:
      return "LIST";
    case OptionType::kRate:
      return "MAX/WINDOW";
    case OptionType::kEnum: {
      std::string s;
      for (const std::string& c : opt.choices) s += (s.empty() ? "" : "|") + c;
      return s;
    }
  }
  return "VALUE";
}

std::string ShownDefault(const Option& opt) {
  if (!opt.default_text.empty()) return opt.default_text;
  return opt.type == OptionType::kList ? "[]" : "\"\"";
}

// The help text plus what the table knows beyond it (integer ranges).
std::string Meaning(const Option& opt) {
  if (opt.type != OptionType::kInt) return opt.help;
  return opt.help + " Range: " + std::to_string(opt.min) + ".." + std::to_string(opt.max) + ".";
}

std::string HelpEntry(const Option& opt) {
  std::string head = "  " + opt.Flag() + " " + ValueName(opt);
  for (const std::string& alias : opt.alias_flags) head += ", --" + alias;
  std::string where = "TOML" + std::string(1, kGlue) + opt.key + "; env" + kGlue + opt.Env();
  for (const std::string& alias : opt.alias_envs) {
    where += " (fallback" + std::string(1, kGlue) + alias + ")";
  }
  where += "; default" + std::string(1, kGlue) + ShownDefault(opt);
  return head + "\n" + Wrap(where, 6) + Wrap(Meaning(opt), 6);
}

// Escapes text for a Markdown table cell outside code spans.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Built piecewise to avoid GCC 12's -Wrestrict false positive at -O3.
std::string Code(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '`';
  out += text;
  out += '`';
  return out;
}

std::string MarkdownRow(const Option& opt) {
  std::string flags = Code(opt.Flag());
  for (const std::string& alias : opt.alias_flags) {
    flags += "<br>" + Code("--" + alias);
  }
  std::string envs = Code(opt.Env());
  for (const std::string& alias : opt.alias_envs) {
    envs += "<br>" + Code(alias) + " (fallback)";
  }
  return "| " + Code(opt.key) + " | " + flags + " | " + envs + " | " + Code(ShownDefault(opt)) +
         " | " + Cell(Meaning(opt)) + " |\n";
}

}  // namespace

namespace internal {

std::string HelpText() {
  std::string out =
      "Usage:\n"
      "  authd [--config FILE] [--OPTION VALUE | --OPTION=VALUE]...\n"
      "  authd migrate-data --to URL [--config FILE] [--OPTION VALUE]...\n"
      "  authd --help | --version\n\n";
  out += Wrap(kDescription, 0) + "\n" + Wrap(kRules, 0) + "\n" + Wrap(kValues, 0) + "\n";
  out += "Commands:\n  migrate-data --to postgres://...\n" + Wrap(kMigrateData, 6) + "\n";
  out += "General:\n  --config FILE\n" + Wrap("env AUTHD_CONFIG; default none", 6) +
         Wrap(
             "TOML file to read; a relative path is relative to the working "
             "directory. Without it, only defaults, environment and flags "
             "apply. An empty AUTHD_CONFIG counts as unset.",
             6) +
         "  -h, --help\n" + Wrap("Print this help and exit.", 6) + "  --version\n" +
         Wrap("Print the version and exit.", 6);
  for (const SectionInfo& section : Sections()) {
    out += "\n[" + section.name + "]  " + section.title + "\n";
    for (const Option& opt : Options()) {
      if (opt.Section() == section.name) out += HelpEntry(opt);
    }
  }
  return out;
}

}  // namespace internal

std::string OptionsMarkdown() {
  std::string out;
  for (const internal::SectionInfo& section : internal::Sections()) {
    out += "### `[" + section.name + "]` — " + section.title + "\n\n";
    out += "| TOML key | Flag | Env | Default | Meaning |\n";
    out += "|---|---|---|---|---|\n";
    for (const Option& opt : internal::Options()) {
      if (opt.Section() == section.name) out += MarkdownRow(opt);
    }
    out += "\n";
  }
  return out;
}

}  // namespace authd::config
