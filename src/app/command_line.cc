#include "app/command_line.h"

#include <cstdio>
#include <map>
#include <utility>

extern char** environ;

namespace authd::app {
namespace {

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace

std::optional<int> LoadConfig(int argc, char** argv, config::Config& cfg,
                              std::vector<std::string>& warnings) {
  auto loaded = config::Load(argc, argv, Environment());
  if (!loaded.ok()) {
    std::fprintf(stderr, "authd: %s\n(see authd --help)\n", loaded.error().message.c_str());
    return 2;
  }
  if (loaded->outcome == config::LoadOutcome::kExitSuccess) {
    std::fputs(loaded->output.c_str(), stdout);
    return 0;
  }
  cfg = std::move(loaded->config);
  warnings = std::move(loaded->warnings);
  return std::nullopt;
}

}  // namespace authd::app
