#include "store/postgres/pg_cache_listener.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

namespace authd::store::postgres {
namespace {

using Clock = CacheGate::Clock;

constexpr const char* kListen = "SET application_name = 'authd-cache-listener'; LISTEN authd_cache";
constexpr const char* kHeartbeat = "SELECT 1";

}  // namespace

CacheInvalidation ParseCacheNotification(std::string_view payload) {
  using Kind = CacheInvalidation::Kind;
  if (payload.size() > 2 && payload[1] == ':') {
    if (payload[0] == 's') return {Kind::kSession, std::string(payload.substr(2))};
    if (payload[0] == 'u') return {Kind::kUser, std::string(payload.substr(2))};
  }
  return {Kind::kAll, ""};
}

PgCacheListener::PgCacheListener(PgCacheListenerOptions options, CacheGate& gate,
                                 CachedSessionStore& sessions, CachedUserStore& users)
    : options_(std::move(options)), gate_(gate), sessions_(sessions), users_(users) {
  gate_.Close();
  thread_ = std::thread([this] { Run(); });
}

PgCacheListener::~PgCacheListener() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  stop_.store(true);
  stop_signal_.SignalAll();
  thread_.join();
  gate_.Close();
}

bool PgCacheListener::Pause(int ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  core::MutexLock lock(&mu_);
  while (!stopping_ && Clock::now() < deadline) stop_signal_.WaitUntil(&mu_, deadline);
  return !stopping_;
}

void PgCacheListener::DropAll() {
  sessions_.DropAll();
  users_.DropAll();
}

void PgCacheListener::Run() {
  while (!stop_.load()) {
    core::Result<std::unique_ptr<PgConnection>> conn = options_.connect();
    if (conn.ok()) {
      Listen(**conn);
    } else if (was_up_ && options_.on_state) {
      options_.on_state(false, conn.error().debug);
      was_up_ = false;
    }
    if (!Pause(options_.retry_ms)) break;
  }
}

void PgCacheListener::Apply(PgConnection& conn) {
  for (const std::string& payload : conn.TakeNotifications()) {
    const CacheInvalidation what = ParseCacheNotification(payload);
    switch (what.kind) {
      case CacheInvalidation::Kind::kSession:
        sessions_.Drop(what.id);
        break;
      case CacheInvalidation::Kind::kUser:
        users_.Drop(what.id);
        break;
      case CacheInvalidation::Kind::kAll:
        DropAll();
        break;
    }
  }
}

bool PgCacheListener::Listen(PgConnection& conn) {
  if (core::Status st = conn.ExecScript(kListen); !st.ok()) return false;
  // Writes committed while nobody listened were never notified here.
  DropAll();
  std::string why;
  while (!stop_.load()) {
    const Clock::time_point sent = Clock::now();
    if (core::Status st = conn.ExecScript(kHeartbeat); !st.ok()) {
      why = st.error().debug;
      break;
    }
    Apply(conn);  // everything committed before `sent`, at least
    gate_.OpenUntil(sent + std::chrono::milliseconds(options_.bound_ms));
    if (!was_up_) {
      was_up_ = true;
      if (options_.on_state) options_.on_state(true, "");
    }
    // Until the next heartbeat, apply notifications as they come.
    const Clock::time_point next = sent + std::chrono::milliseconds(options_.heartbeat_ms);
    bool lost = false;
    while (!stop_.load()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
      if (left <= 0) break;
      pollfd fd{conn.socket(), POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(std::min<long long>(left, options_.heartbeat_ms))) > 0) {
        if (core::Status st = conn.ConsumeInput(); !st.ok()) {
          why = st.error().debug;
          lost = true;
          break;
        }
        Apply(conn);
      }
    }
    if (lost) break;
  }
  // Nothing is known of what happens from here on.
  gate_.Close();
  DropAll();
  if (!stop_.load() && was_up_ && options_.on_state) options_.on_state(false, why);
  was_up_ = false;
  return true;
}

}  // namespace authd::store::postgres
