// The open-file limit (RLIMIT_NOFILE) and the connection cap derived from
// it. Every connection takes a descriptor; at the limit accept() fails with
// EMFILE and new clients wait in the kernel's backlog until they time out,
// so authd raises the soft limit as far as it may and stops accepting
// well before the limit (server.max_connections).
// Thread-safety: RaiseOpenFileLimit changes process state: call it once at
// startup, before threads that open files run.
#ifndef AUTHD_HTTP_FD_LIMIT_H_
#define AUTHD_HTTP_FD_LIMIT_H_

#include <cstdint>
#include <string>

namespace authd::http {

struct OpenFileLimit {
  std::uint64_t before = 0;  // soft limit found at startup
  std::uint64_t soft = 0;    // soft limit now
  std::uint64_t hard = 0;
  std::string error;  // why it could not be raised; empty = fine
};

// Raises the soft limit to the hard limit (to 1,048,576, the kernel's
// default nr_open, when the hard limit is unlimited).
OpenFileLimit RaiseOpenFileLimit();

// The current soft limit.
std::uint64_t CurrentOpenFileLimit();

// Connections that fit under `fds` descriptors, keeping a tenth of them (at
// least 64) for the database, the log, outbound SMTP/webhook and
// PostgreSQL connections: at least 1.
int ConnectionsFor(std::uint64_t fds);

}  // namespace authd::http

#endif  // AUTHD_HTTP_FD_LIMIT_H_
