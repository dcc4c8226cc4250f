// Server: HTTP/1.1 on Boost.Beast with C++20 coroutines.
//
// One io_context per I/O thread (a thread per core by default), keep-alive,
// header/body size limits (431/413 JSON errors), read and idle timeouts,
// JSON 404 for unknown routes, 400 for unparsable requests, one access-log
// line per request (request id, method, path, status, latency; never a
// header value, body, token or password). Handlers run where their Route
// says (router.h). Stop() stops accepting, lets in-flight requests finish
// (up to shutdown_grace_ms), then closes idle connections.
#ifndef AUTHD_HTTP_SERVER_H_
#define AUTHD_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "core/status.h"
#include "http/http_options.h"
#include "http/router.h"

namespace authd::http {

class Server {
 public:
  virtual ~Server() = default;

  // Binds the listener. Fails (kUnavailable) if the address is taken.
  // `hashing_workers` is the size of the argon2 pool (0 = one per core).
  // REQUIRES: `router` outlives the server.
  static core::Result<std::unique_ptr<Server>> Create(const HttpOptions& opts, const Router& router,
                                                      int hashing_workers);

  // The bound port (useful with port 0).
  virtual std::uint16_t port() const = 0;

  // Serves until Stop() or SIGINT/SIGTERM; returns after a graceful drain.
  // `on_ready` is called once the listener accepts connections.
  virtual void Run(std::function<void()> on_ready) = 0;

  // Thread-safe; may be called from a signal-handling context via Asio.
  virtual void Stop() = 0;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_SERVER_H_
