// Router: the route table, and where each route's handler runs.
//
// A handler is a plain synchronous function Request -> Response. The server
// never runs one on an I/O thread unless its route says kInline: a kBlocking
// handler runs on the bounded database worker pool, a kHashing handler on
// the bounded password-hashing pool (its size caps argon2's memory), and the
// I/O coroutine co_awaits the result. So I/O never waits on argon2 or on a
// slow database call.
// Thread-safety: build the table before Server::Run; read-only afterwards.
#ifndef AUTHD_HTTP_ROUTER_H_
#define AUTHD_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/message.h"

namespace authd::http {

// kRead: database reads only (a small pool, two threads per core: few
// context switches on the hot GET routes). kReadTryInline: reads that the
// stores can usually answer from memory (a read cache): first run inline
// on the I/O thread inside a core::NonBlockingScope, and again on the read
// pool if a store had to refuse to block (core/nonblocking.h); only for
// handlers whose every store call is scope-aware. kBlocking: anything that
// writes (a large pool: concurrent writers share one group commit).
enum class Exec { kInline, kRead, kReadTryInline, kBlocking, kHashing };

using Handler = std::function<Response(const Request&)>;

// The key a kHashing request counts under in the hashing pool's per-key
// limit (e.g. "id:<login identifier>", "user:<id>"); "" = none. Runs on the
// I/O thread before the request is queued: cheap, never blocking.
using QueueKey = std::function<std::string(const Request&)>;

struct Route {
  Handler handler;
  Exec exec = Exec::kBlocking;
  QueueKey queue_key;  // kHashing routes; may be empty
};

class Router {
 public:
  // Registers `method` `path` (exact match, full path with prefixes).
  void Add(std::string method, std::string path, Exec exec, Handler handler,
           QueueKey queue_key = nullptr);

  // Registers a route for every path "<prefix><one segment>" (a path
  // parameter such as /auth/callback/:provider). Exact routes win.
  void AddParam(std::string method, std::string prefix, Exec exec, Handler handler);

  // The route for (method, path), or nullptr (the caller answers 404).
  const Route* Find(std::string_view method, std::string_view path) const;

 private:
  std::unordered_map<std::string, Route> routes_;  // key: "METHOD path"
  // key: "METHOD prefix"; few entries, scanned only when no exact match.
  std::vector<std::pair<std::string, Route>> param_routes_;
};

}  // namespace authd::http

#endif  // AUTHD_HTTP_ROUTER_H_
