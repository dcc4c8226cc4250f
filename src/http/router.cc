#include "http/router.h"

#include <utility>

namespace authd::http {
namespace {

// Builds "METHOD path" into a per-thread buffer: lookups run on every
// request, and reusing the buffer's capacity keeps them allocation-free.
const std::string& LookupKey(std::string_view method, std::string_view path) {
  thread_local std::string key;
  key.assign(method);
  key.push_back(' ');
  key.append(path);
  return key;
}

}  // namespace

void Router::Add(std::string method, std::string path, Exec exec,
                 Handler handler) {
  std::string key = std::move(method);
  key.push_back(' ');
  key.append(path);
  routes_.insert_or_assign(std::move(key), Route{std::move(handler), exec});
}

const Route* Router::Find(std::string_view method,
                          std::string_view path) const {
  auto it = routes_.find(LookupKey(method, path));
  return it == routes_.end() ? nullptr : &it->second;
}

}  // namespace authd::http
