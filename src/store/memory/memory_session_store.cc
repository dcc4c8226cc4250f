#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

// Most recently active first; ties broken as the SQL adapters do.
bool MoreRecentlyActive(const session::Session* a, const session::Session* b) {
  if (a->last_active != b->last_active) return a->last_active > b->last_active;
  if (a->created_at != b->created_at) return a->created_at > b->created_at;
  return a->id.str() > b->id.str();
}

class MemorySessionStore final : public session::SessionStore {
 public:
  core::Status Create(const session::Session& s, int max_per_user, core::UnixMillis now) override {
    core::MutexLock lock(&mu_);
    if (sessions_.count(s.id.str()) != 0) {
      return core::Internal("session Create: duplicate id " + s.id.str());
    }
    DeleteExpiredOf(s.user_id.str(), now);
    if (max_per_user > 0) {
      std::vector<const session::Session*> live = LiveOf(s.user_id.str(), now);
      // live is most recent first: drop the tail so max_per_user - 1 remain.
      const std::size_t keep = static_cast<std::size_t>(max_per_user - 1);
      std::vector<std::string> evict;
      for (std::size_t i = keep; i < live.size(); ++i) {
        evict.push_back(live[i]->id.str());
      }
      for (const std::string& id : evict) Erase(id);
    }
    session::Session copy = s;
    copy.data.user.password_hash.reset();  // never kept in session data
    by_user_[copy.user_id.str()].insert(copy.id.str());
    sessions_.emplace(copy.id.str(), std::move(copy));
    return core::Status::Ok();
  }

  core::Result<std::optional<session::Session>> Get(const core::TenantId& tenant,
                                                    const core::SessionId& id,
                                                    core::UnixMillis now) override {
    core::MutexLock lock(&mu_);
    session::Session* s = Find(tenant, id);
    if (s == nullptr) return std::optional<session::Session>();
    if (s->expires_at <= now) {
      Erase(id.str());
      return std::optional<session::Session>();
    }
    return std::optional<session::Session>(*s);
  }

  core::Result<bool> Rotate(const core::TenantId& tenant, const core::SessionId& id,
                            const session::Rotation& r) override {
    core::MutexLock lock(&mu_);
    session::Session* s = Find(tenant, id);
    // Plain equality, as the SQL adapters' `refresh_hash = ?`: these are
    // HMACs the domain has already verified in constant time.
    if (s == nullptr || s->refresh_hash != r.expected_hash) return false;
    s->prev_refresh_hash = s->refresh_hash;
    s->refresh_hash = r.new_hash;
    s->rotated_at = r.rotated_at;
    s->data = r.data;
    s->data.user.password_hash.reset();
    s->expires_at = r.expires_at;
    s->last_active = r.rotated_at;
    s->updated_at = r.rotated_at;
    return true;
  }

  core::Result<bool> Delete(const core::TenantId& tenant, const core::SessionId& id) override {
    core::MutexLock lock(&mu_);
    if (Find(tenant, id) == nullptr) return false;
    Erase(id.str());
    return true;
  }

  core::Result<int> DeleteAllForUser(const core::UserId& user) override {
    core::MutexLock lock(&mu_);
    auto it = by_user_.find(user.str());
    if (it == by_user_.end()) return 0;
    const std::set<std::string> ids = it->second;
    for (const std::string& id : ids) Erase(id);
    return static_cast<int>(ids.size());
  }

  core::Result<std::vector<session::Session>> ListForUser(const core::UserId& user,
                                                          core::UnixMillis now) override {
    core::MutexLock lock(&mu_);
    std::vector<session::Session> out;
    for (const session::Session* s : LiveOf(user.str(), now)) out.push_back(*s);
    return out;
  }

 private:
  session::Session* Find(const core::TenantId& tenant, const core::SessionId& id) REQUIRES(mu_) {
    auto it = sessions_.find(id.str());
    if (it == sessions_.end() || it->second.tenant_id != tenant) return nullptr;
    return &it->second;
  }

  // The user's sessions unexpired at `now`, most recently active first.
  std::vector<const session::Session*> LiveOf(const std::string& user, core::UnixMillis now) const
      REQUIRES(mu_) {
    std::vector<const session::Session*> live;
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return live;
    for (const std::string& id : it->second) {
      const session::Session& s = sessions_.at(id);
      if (s.expires_at > now) live.push_back(&s);
    }
    std::sort(live.begin(), live.end(), MoreRecentlyActive);
    return live;
  }

  void DeleteExpiredOf(const std::string& user, core::UnixMillis now) REQUIRES(mu_) {
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return;
    std::vector<std::string> expired;
    for (const std::string& id : it->second) {
      if (sessions_.at(id).expires_at <= now) expired.push_back(id);
    }
    for (const std::string& id : expired) Erase(id);
  }

  void Erase(const std::string& id) REQUIRES(mu_) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    auto u = by_user_.find(it->second.user_id.str());
    if (u != by_user_.end()) {
      u->second.erase(id);
      if (u->second.empty()) by_user_.erase(u);
    }
    sessions_.erase(it);
  }

  core::Mutex mu_;
  std::map<std::string, session::Session> sessions_ GUARDED_BY(mu_);
  std::map<std::string, std::set<std::string>> by_user_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<session::SessionStore> NewMemorySessionStore() {
  return std::make_unique<MemorySessionStore>();
}

}  // namespace authd::store
