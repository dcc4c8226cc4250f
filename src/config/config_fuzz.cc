// libFuzzer target: the TOML configuration file path. The bytes are written
// to a temporary file and loaded with `--config <file>` through
// config::Load, exactly as authd's main does; any outcome but a crash,
// leak or hang is fine (errors are expected). Runs twice per input: once
// alone and once under flags and environment that must override the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "config/config.h"

namespace {

std::string& TempPath() {
  static std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/authd-config-fuzz-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
      std::perror("mkstemp");
      std::abort();
    }
    ::close(fd);
    std::atexit([] { ::unlink(TempPath().c_str()); });
    return tmpl;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = TempPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);

  {
    const char* argv[] = {"authd", "--config", path.c_str()};
    auto loaded = authd::config::Load(3, argv, {});
    if (loaded.ok())
      (void)loaded->config.http.port;
    else
      (void)loaded.error().message.size();
  }
  {
    const char* argv[] = {"authd", "--port", "8080", "--config", path.c_str()};
    const std::map<std::string, std::string> env = {{"AUTHD_LOG_LEVEL", "debug"},
                                                    {"AUTHD_UNKNOWN_VAR", "x"}};
    auto loaded = authd::config::Load(5, argv, env);
    if (loaded.ok() && loaded->config.http.port != 8080) {
      std::fprintf(stderr, "config_fuzz: --port did not override the file\n");
      std::abort();
    }
  }
  return 0;
}
