#include "http/router.h"

#include <utility>

namespace authd::http {
namespace {

// Builds "METHOD path" into a per-thread buffer: lookups run on every
// request, and reusing the buffer's capacity keeps them allocation-free.
// Paths match case-insensitively, as with Express's default routing.
const std::string& LookupKey(std::string_view method, std::string_view path) {
  thread_local std::string key;
  key.assign(method);
  key.push_back(' ');
  for (char c : path) key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  return key;
}

}  // namespace

void Router::Add(std::string method, std::string path, Exec exec, Handler handler,
                 QueueKey queue_key) {
  routes_.insert_or_assign(LookupKey(method, path),
                           Route{std::move(handler), exec, std::move(queue_key)});
}

void Router::AddParam(std::string method, std::string prefix, Exec exec, Handler handler) {
  param_routes_.emplace_back(LookupKey(method, prefix), Route{std::move(handler), exec, nullptr});
}

const Route* Router::Find(std::string_view method, std::string_view path) const {
  // Express routing is not strict: "/auth/me/" is "/auth/me".
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const std::string& key = LookupKey(method, path);
  auto it = routes_.find(key);
  if (it != routes_.end()) return &it->second;
  for (const auto& [prefix, route] : param_routes_) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
        key.find('/', prefix.size()) == std::string::npos) {
      return &route;
    }
  }
  return nullptr;
}

}  // namespace authd::http
