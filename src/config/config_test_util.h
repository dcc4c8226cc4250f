// Helpers shared by the config tests: calling Load() with a vector of
// arguments, and a TOML file that deletes itself.
#ifndef AUTHD_CONFIG_CONFIG_TEST_UTIL_H_
#define AUTHD_CONFIG_CONFIG_TEST_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace authd::config::test_util {

using Env = std::map<std::string, std::string>;

inline core::Result<Loaded> LoadWith(const std::vector<std::string>& args, const Env& env = {}) {
  std::vector<const char*> argv = {"authd"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return Load(static_cast<int>(argv.size()), argv.data(), env);
}

// The error message of a failed load ("" if it succeeded).
inline std::string ErrorOf(const core::Result<Loaded>& r) {
  return r.ok() ? "" : r.error().message;
}

class TempToml {
 public:
  explicit TempToml(const std::string& text) {
    static std::atomic<int> counter{0};
    path_ =
        (std::filesystem::temp_directory_path() / ("authd_config_test_" + std::to_string(getpid()) +
                                                   "_" + std::to_string(counter++) + ".toml"))
            .string();
    std::ofstream(path_) << text;
  }
  ~TempToml() { std::filesystem::remove(path_); }
  TempToml(const TempToml&) = delete;
  TempToml& operator=(const TempToml&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace authd::config::test_util

#endif  // AUTHD_CONFIG_CONFIG_TEST_UTIL_H_
