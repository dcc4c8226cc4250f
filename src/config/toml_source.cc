// The TOML file source: `[section]` tables whose keys are option names.
// toml++ throws on syntax errors; they are caught here and become values.
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "config/option_table.h"
#include "config/sources.h"

namespace authd::config::internal {
namespace {

std::string Where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

// The value as written in TOML, for error messages.
std::string Shown(const toml::node& node) {
  if (const auto* s = node.as_string()) return "\"" + s->get() + "\"";
  std::ostringstream os;
  node.visit([&os](const auto& n) { os << n; });
  return os.str();
}

core::Error TypeError(const Option& opt, const toml::node& node) {
  std::ostringstream os;
  os << "expected " << Expected(opt) << ", not a TOML " << node.type();
  return Invalid(os.str());
}

core::Result<Value> FromToml(const Option& opt, const toml::node& node) {
  switch (opt.type) {
    case OptionType::kBool:
      if (const auto* b = node.as_boolean()) return Value(b->get());
      break;
    case OptionType::kInt:
      if (const auto* i = node.as_integer()) {
        return ParseText(opt, std::to_string(i->get()));
      }
      break;
    case OptionType::kDuration:  // a TOML integer is milliseconds
      if (const auto* i = node.as_integer()) {
        return ParseText(opt, std::to_string(i->get()));
      }
      [[fallthrough]];
    case OptionType::kString:
    case OptionType::kEnum:
    case OptionType::kRate:
      if (const auto* s = node.as_string()) return ParseText(opt, s->get());
      break;
    case OptionType::kList:
      if (const auto* a = node.as_array()) {
        std::vector<std::string> items;
        for (const toml::node& item : *a) {
          const auto* s = item.as_string();
          if (s == nullptr) {
            return Invalid("expected an array of strings");
          }
          items.push_back(s->get());
        }
        return Value(std::move(items));
      }
      break;
  }
  return TypeError(opt, node);
}

std::vector<std::string> AllKeys() {
  std::vector<std::string> keys;
  for (const Option& opt : Options()) keys.push_back(opt.key);
  return keys;
}

core::Error UnknownKey(const std::string& key, const std::string& where) {
  std::string hint = Suggest(key, AllKeys());
  if (key.find('.') == std::string::npos) {  // a key outside any section
    for (const Option& opt : Options()) {
      if (opt.key.substr(opt.key.find('.') + 1) == key) hint = opt.key;
    }
  }
  return core::InvalidArgument("", "unknown option " + key + " in " + where +
                                       (hint.empty() ? "" : " (did you mean " + hint + "?)"));
}

core::Status ApplySection(const std::string& path, const std::string& section,
                          const toml::table& table, Config& config, Origins& origins) {
  for (const auto& [name, node] : table) {
    const std::string key = section + "." + std::string(name.str());
    const Option* opt = FindByKey(key);
    if (opt == nullptr) return UnknownKey(key, Where(path, node));
    const std::string source = "file " + Where(path, node);
    core::Status s = ApplyValue(*opt, FromToml(*opt, node), Shown(node), source, config, origins);
    if (!s.ok()) return s;
  }
  return core::Status::Ok();
}

core::Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return core::InvalidArgument("", "config file " + path + " does not exist");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return core::InvalidArgument("", "config file " + path + " is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    return core::InvalidArgument("", "config file " + path + " cannot be read");
  }
  return text.str();
}

}  // namespace

core::Status ApplyTomlFile(const std::string& path, Config& config, Origins& origins) {
  core::Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    return core::InvalidArgument(
        "", "config file " + path + ":" + std::to_string(e.source().begin.line) + ":" +
                std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  for (const auto& [name, node] : root) {
    const std::string section(name.str());
    std::vector<std::string> sections;
    for (const SectionInfo& info : Sections()) sections.push_back(info.name);
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      if (!node.is_table() && !node.is_array_of_tables()) {
        return UnknownKey(section, Where(path, node));
      }
      const std::string hint = Suggest(section, sections);
      return core::InvalidArgument("", "unknown section [" + section + "] in " + Where(path, node) +
                                           (hint.empty() ? "" : " (did you mean [" + hint + "]?)"));
    }
    if (!node.is_table()) {
      return core::InvalidArgument(
          "", "[" + section + "] in " + Where(path, node) + " must be a table of options");
    }
    core::Status s = ApplySection(path, section, *node.as_table(), config, origins);
    if (!s.ok()) return s;
  }
  return core::Status::Ok();
}

}  // namespace authd::config::internal
