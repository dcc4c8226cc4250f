#include "store/memory/read_cache.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/mutex.h"
#include "core/nonblocking.h"

namespace authd::store {
namespace {

// A sharded map whose writers bump a per-shard sequence, so that a reader
// can tell whether a write happened between its miss and its fill. Values
// are shared and immutable: a hit takes a reference under the shard's lock
// and the caller copies outside it.
template <typename V>
class ShardedCache {
 public:
  // What a miss hands to Fill: the shard's sequence when the miss happened.
  struct Ticket {
    std::size_t shard;
    std::uint64_t seq;
  };

  explicit ShardedCache(const ReadCacheOptions& o)
      : shards_(static_cast<std::size_t>(std::max(1, o.shards))),
        per_shard_(std::max<std::size_t>(1, o.max_entries / shards_.size())),
        gate_(o.gate) {}

  // The cached value of `key` if `usable(value)`, else a Ticket for Fill.
  // An entry that is `dead(value)` is dropped (the inner store is about to
  // delete the row: it must not come back from here, e.g. for a caller
  // whose clock is behind).
  template <typename Usable, typename Dead>
  std::variant<std::shared_ptr<const V>, Ticket> Lookup(const std::string& key, Usable usable,
                                                        Dead dead) {
    const std::size_t i = Index(key);
    Shard& s = shards_[i];
    core::MutexLock lock(&s.mu);
    if (!Open()) return Ticket{i, s.seq};
    auto it = s.map.find(key);
    if (it != s.map.end()) {
      if (usable(*it->second)) return it->second;
      if (dead(*it->second)) {
        s.map.erase(it);
        ++s.seq;
      }
    }
    return Ticket{i, s.seq};
  }

  // Caches `value` unless a write touched the shard since the ticket, or
  // the gate is closed.
  void Fill(const std::string& key, const Ticket& t, V value) {
    auto shared = std::make_shared<const V>(std::move(value));
    Shard& s = shards_[t.shard];
    core::MutexLock lock(&s.mu);
    if (s.seq != t.seq || !Open()) return;
    if (s.map.size() >= per_shard_ && !s.map.contains(key)) s.map.clear();
    s.map.insert_or_assign(key, std::move(shared));
  }

  void Erase(const std::string& key) {
    Shard& s = shards_[Index(key)];
    core::MutexLock lock(&s.mu);
    s.map.erase(key);
    ++s.seq;
  }

  // Drops every entry, in every shard.
  void Clear() {
    EraseIf([](const V&) { return true; });
  }

  // Drops every entry for which `stale(value)`, in every shard.
  template <typename Pred>
  void EraseIf(Pred stale) {
    for (Shard& s : shards_) {
      core::MutexLock lock(&s.mu);
      std::erase_if(s.map, [&](const auto& kv) { return stale(*kv.second); });
      ++s.seq;
    }
  }

 private:
  struct Shard {
    core::Mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const V>> map GUARDED_BY(mu);
    std::uint64_t seq GUARDED_BY(mu) = 0;  // bumped by writes
  };

  std::size_t Index(const std::string& key) const {
    return std::hash<std::string>{}(key) % shards_.size();
  }

  bool Open() const { return gate_ == nullptr || gate_->Open(); }

  std::vector<Shard> shards_;
  const std::size_t per_shard_;
  const CacheGate* const gate_;
};

// Forwards a call the cache does not answer to the inner store: refused
// inside a NonBlockingScope (it would reach the database), and followed by
// `invalidate` once the inner store has run it (writes drop what they may
// have changed; reads invalidate nothing).
template <typename Call, typename Invalidate>
auto PassThrough(Call call, Invalidate invalidate) -> std::invoke_result_t<Call&> {
  if (core::NonBlockingScope::Active()) return core::NonBlockingScope::WouldBlock();
  auto out = call();
  invalidate();
  return out;
}

constexpr auto kNothing = [] {};

class ShardedSessionCache final : public CachedSessionStore {
 public:
  ShardedSessionCache(session::SessionStore& inner, const ReadCacheOptions& o)
      : inner_(inner), cache_(o) {}

  void DropAll() override { cache_.Clear(); }
  void Drop(const std::string& id) override { cache_.Erase(id); }

  // Create may evict (delete) any of the user's sessions.
  core::Status Create(const session::Session& s, int max_per_user, core::UnixMillis now) override {
    return PassThrough([&] { return inner_.Create(s, max_per_user, now); },
                       [&] { DropUser(s.user_id); });
  }

  core::Result<std::optional<session::Session>> Get(const core::TenantId& tenant,
                                                    const core::SessionId& id,
                                                    core::UnixMillis now) override {
    auto hit = cache_.Lookup(
        id.str(),
        [&](const session::Session& s) { return s.tenant_id == tenant && s.expires_at > now; },
        [&](const session::Session& s) { return s.expires_at <= now; });
    if (auto* s = std::get_if<std::shared_ptr<const session::Session>>(&hit)) {
      return std::optional<session::Session>(**s);
    }
    if (core::NonBlockingScope::Active()) return core::NonBlockingScope::WouldBlock();
    const auto& ticket = std::get<Cache::Ticket>(hit);
    core::Result<std::optional<session::Session>> r = inner_.Get(tenant, id, now);
    if (r.ok() && r->has_value()) cache_.Fill(id.str(), ticket, **r);
    return r;
  }

  core::Result<bool> Rotate(const core::TenantId& tenant, const core::SessionId& id,
                            const session::Rotation& r) override {
    return PassThrough([&] { return inner_.Rotate(tenant, id, r); },
                       [&] { cache_.Erase(id.str()); });
  }

  core::Result<bool> Delete(const core::TenantId& tenant, const core::SessionId& id) override {
    return PassThrough([&] { return inner_.Delete(tenant, id); }, [&] { cache_.Erase(id.str()); });
  }

  core::Result<int> DeleteAllForUser(const core::UserId& user) override {
    return PassThrough([&] { return inner_.DeleteAllForUser(user); }, [&] { DropUser(user); });
  }

  core::Result<std::vector<session::Session>> ListForUser(const core::UserId& user,
                                                          core::UnixMillis now) override {
    return PassThrough([&] { return inner_.ListForUser(user, now); }, kNothing);
  }

 private:
  using Cache = ShardedCache<session::Session>;

  void DropUser(const core::UserId& user) {
    cache_.EraseIf([&](const session::Session& s) { return s.user_id == user; });
  }

  session::SessionStore& inner_;
  Cache cache_;
};

// Users are cached by id, with the tenant they were read in (a hit needs
// the same tenant). Only users that exist are cached.
struct TenantUser {
  core::TenantId tenant;
  identity::User user;
};

class ShardedUserCache final : public CachedUserStore {
 public:
  ShardedUserCache(identity::UserStore& inner, const ReadCacheOptions& o)
      : inner_(inner), cache_(o) {}

  void DropAll() override { cache_.Clear(); }
  void Drop(const std::string& id) override { cache_.Erase(id); }

  core::Result<identity::CreateUserOutcome> CreateUser(const core::TenantId& tenant,
                                                       const identity::User& user,
                                                       const std::vector<identity::Identity>& ids,
                                                       bool tenant_scoped_users) override {
    return PassThrough([&] { return inner_.CreateUser(tenant, user, ids, tenant_scoped_users); },
                       [&] { cache_.Erase(user.id.str()); });
  }

  core::Result<std::optional<identity::User>> FindUserById(const core::TenantId& tenant,
                                                           const core::UserId& id) override {
    auto hit = cache_.Lookup(
        id.str(), [&](const TenantUser& e) { return e.tenant == tenant; },
        [](const TenantUser&) { return false; });
    if (auto* e = std::get_if<std::shared_ptr<const TenantUser>>(&hit)) {
      return std::optional<identity::User>((*e)->user);
    }
    if (core::NonBlockingScope::Active()) return core::NonBlockingScope::WouldBlock();
    const auto& ticket = std::get<Cache::Ticket>(hit);
    core::Result<std::optional<identity::User>> r = inner_.FindUserById(tenant, id);
    if (r.ok() && r->has_value()) cache_.Fill(id.str(), ticket, TenantUser{tenant, **r});
    return r;
  }

  core::Result<std::optional<identity::User>> FindUserByIdentity(
      const core::TenantId& tenant, std::string_view provider,
      std::string_view provider_id) override {
    return PassThrough([&] { return inner_.FindUserByIdentity(tenant, provider, provider_id); },
                       kNothing);
  }

  core::Result<bool> SetPassword(const core::TenantId& tenant, const core::UserId& id,
                                 const std::string& password_hash,
                                 core::UnixMillis updated_at) override {
    return PassThrough([&] { return inner_.SetPassword(tenant, id, password_hash, updated_at); },
                       [&] { cache_.Erase(id.str()); });
  }

  core::Result<bool> CompareAndSetPassword(const core::TenantId& tenant, const core::UserId& id,
                                           const std::optional<std::string>& expected,
                                           const std::string& password_hash,
                                           core::UnixMillis updated_at) override {
    return PassThrough(
        [&] {
          return inner_.CompareAndSetPassword(tenant, id, expected, password_hash, updated_at);
        },
        [&] { cache_.Erase(id.str()); });
  }

  core::Result<bool> MarkVerified(const core::TenantId& tenant, const core::UserId& id,
                                  identity::VerifiedChannel channel, core::UnixMillis at) override {
    return PassThrough([&] { return inner_.MarkVerified(tenant, id, channel, at); },
                       [&] { cache_.Erase(id.str()); });
  }

  core::Result<bool> SetMfaEnabled(const core::TenantId& tenant, const core::UserId& id,
                                   bool enabled, core::UnixMillis at) override {
    return PassThrough([&] { return inner_.SetMfaEnabled(tenant, id, enabled, at); },
                       [&] { cache_.Erase(id.str()); });
  }

  core::Result<bool> IdentityExists(const core::TenantId& tenant, std::string_view provider,
                                    std::string_view provider_id) override {
    return PassThrough([&] { return inner_.IdentityExists(tenant, provider, provider_id); },
                       kNothing);
  }

 private:
  using Cache = ShardedCache<TenantUser>;

  identity::UserStore& inner_;
  Cache cache_;
};

}  // namespace

std::unique_ptr<CachedSessionStore> NewCachedSessionStore(session::SessionStore& inner,
                                                          const ReadCacheOptions& options) {
  return std::make_unique<ShardedSessionCache>(inner, options);
}

std::unique_ptr<CachedUserStore> NewCachedUserStore(identity::UserStore& inner,
                                                    const ReadCacheOptions& options) {
  return std::make_unique<ShardedUserCache>(inner, options);
}

}  // namespace authd::store
