#include "http/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace authd::http {
namespace {

constexpr std::uint64_t kDefaultNrOpen = 1048576;

std::uint64_t Finite(rlim_t v) {
  return v == RLIM_INFINITY ? kDefaultNrOpen : static_cast<std::uint64_t>(v);
}

}  // namespace

OpenFileLimit RaiseOpenFileLimit() {
  OpenFileLimit out;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.before = out.soft = Finite(rl.rlim_cur);
  out.hard = Finite(rl.rlim_max);
  if (rl.rlim_cur == rl.rlim_max || out.soft >= out.hard) return out;
  rlimit raised = rl;
  raised.rlim_cur = static_cast<rlim_t>(out.hard);
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.soft = out.hard;
  return out;
}

std::uint64_t CurrentOpenFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  return Finite(rl.rlim_cur);
}

int ConnectionsFor(std::uint64_t fds) {
  const std::uint64_t reserve = std::max<std::uint64_t>(64, fds / 10);
  if (fds <= reserve) return 1;
  return static_cast<int>(std::min<std::uint64_t>(fds - reserve, std::numeric_limits<int>::max()));
}

}  // namespace authd::http
