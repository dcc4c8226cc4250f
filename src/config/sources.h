// Applying values from one configuration source (TOML file, environment,
// flags) to a Config, and the generated help text. Internal to src/config.
#ifndef AUTHD_CONFIG_SOURCES_H_
#define AUTHD_CONFIG_SOURCES_H_

#include <map>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/option_table.h"
#include "core/status.h"

namespace authd::config::internal {

// TOML key -> where its current value came from ("env AUTHD_SERVER_PORT",
// "flag --port", "file authd.toml:3"); absent = built-in default.
using Origins = std::map<std::string, std::string>;

// Stores `parsed` into `config` via opt.set, or fails with
//   invalid value <shown> for <key> (<source>): <detail>
// `shown` is the value as the user wrote it (quoted for text); it is left
// out for secret options.
core::Status ApplyValue(const Option& opt, const core::Result<Value>& parsed,
                        std::string_view shown, const std::string& source, Config& config,
                        Origins& origins);

// Reads and applies the TOML file at `path`. Unknown sections and keys,
// wrong TOML types and invalid values are errors.
core::Status ApplyTomlFile(const std::string& path, Config& config, Origins& origins);

// The full --help text.
std::string HelpText();

// authd's version, as in CMakeLists.txt's project().
inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace authd::config::internal

#endif  // AUTHD_CONFIG_SOURCES_H_
