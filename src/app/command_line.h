// The options every command of authd (app/commands.h) reads: the command
// line, the environment and the TOML file.
#ifndef AUTHD_APP_COMMAND_LINE_H_
#define AUTHD_APP_COMMAND_LINE_H_

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace authd::app {

// Loads the configuration from `argv`, the process environment and the TOML
// file they name into `cfg` (and what to warn about into `warnings`).
// Returns the exit code when the process should stop here (--help,
// --version: 0, printed to stdout; a bad option: 2, printed to stderr).
std::optional<int> LoadConfig(int argc, char** argv, config::Config& cfg,
                              std::vector<std::string>& warnings);

}  // namespace authd::app

#endif  // AUTHD_APP_COMMAND_LINE_H_
