// The read-through caches: they run the store contract suites unchanged
// (over the memory stores), serve repeated reads without the inner store,
// and never serve a row that a write through them has changed or removed,
// also when the write races a miss.
#include "store/memory/read_cache.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "core/nonblocking.h"
#include "store/contract/session_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace contract {
namespace {

StoreBackend MakeCachedBackend() {
  struct Holder {
    std::unique_ptr<identity::UserStore> users = NewMemoryUserStore();
    std::unique_ptr<session::SessionStore> sessions = NewMemorySessionStore();
    std::unique_ptr<identity::UserStore> cached_users = NewCachedUserStore(*users, {});
    std::unique_ptr<session::SessionStore> cached_sessions = NewCachedSessionStore(*sessions, {});
  };
  auto h = std::make_shared<Holder>();
  StoreBackend b;
  b.users = std::shared_ptr<identity::UserStore>(h, h->cached_users.get());
  b.sessions = std::shared_ptr<session::SessionStore>(h, h->cached_sessions.get());
  return b;
}

INSTANTIATE_TEST_SUITE_P(Cached, UserStoreContract,
                         ::testing::Values(StoreBackendFactory{"cached", &MakeCachedBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Cached, SessionStoreContract,
                         ::testing::Values(StoreBackendFactory{"cached", &MakeCachedBackend}),
                         BackendName<StoreBackendFactory>);

// Counts Get calls reaching the inner store; a Get can be made to wait
// (after reading) until released, to interleave a write with a miss.
class ProbeSessionStore final : public session::SessionStore {
 public:
  explicit ProbeSessionStore(session::SessionStore& inner) : inner_(inner) {}
  core::Status Create(const session::Session& s, int max, core::UnixMillis now) override {
    return inner_.Create(s, max, now);
  }
  core::Result<std::optional<session::Session>> Get(const core::TenantId& t,
                                                    const core::SessionId& id,
                                                    core::UnixMillis now) override {
    ++gets;
    auto r = inner_.Get(t, id, now);
    if (read_done) {
      read_done->count_down();
      release->wait();
    }
    return r;
  }
  core::Result<bool> Rotate(const core::TenantId& t, const core::SessionId& id,
                            const session::Rotation& r) override {
    return inner_.Rotate(t, id, r);
  }
  core::Result<bool> Delete(const core::TenantId& t, const core::SessionId& id) override {
    return inner_.Delete(t, id);
  }
  core::Result<int> DeleteAllForUser(const core::UserId& u) override {
    return inner_.DeleteAllForUser(u);
  }
  core::Result<std::vector<session::Session>> ListForUser(const core::UserId& u,
                                                          core::UnixMillis now) override {
    return inner_.ListForUser(u, now);
  }

  std::atomic<int> gets{0};
  std::latch* read_done = nullptr;
  std::latch* release = nullptr;

 private:
  session::SessionStore& inner_;
};

// The contract suite's session maker, outside its parameterized fixture.
struct Sessions : SessionStoreContract {
  using SessionStoreContract::MakeSession;
};
session::Session MakeSession(const std::string& id, const std::string& user,
                             const core::TenantId& tenant = kNullTenant,
                             core::UnixMillis last_active = kNow) {
  return Sessions::MakeSession(id, user, tenant, last_active);
}

class ReadCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    users_ = NewMemoryUserStore();
    for (const char* u : {"u1", "u2"}) {
      ASSERT_TRUE(
          IsOk(users_->CreateUser(kNullTenant, MakeUser(u, std::string(u) + "@x.io"), {}, false)));
    }
    memory_ = NewMemorySessionStore();
    probe_ = std::make_unique<ProbeSessionStore>(*memory_);
    cached_ = NewCachedSessionStore(*probe_, {});
  }

  std::optional<session::Session> Read(const std::string& id, core::UnixMillis now = kNow) {
    auto r = cached_->Get(kNullTenant, core::SessionId(id), now);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  // A miss of `id` on another thread reads the old row; `meanwhile` runs
  // after that read and before the miss fills the cache.
  void DuringAMiss(const std::string& id, const std::function<void()>& meanwhile) {
    std::latch read_done(1), release(1);
    probe_->read_done = &read_done;
    probe_->release = &release;
    std::thread reader([&] { EXPECT_TRUE(Read(id).has_value()); });  // the old row
    read_done.wait();
    probe_->read_done = nullptr;
    meanwhile();
    release.count_down();
    reader.join();
  }

  std::unique_ptr<identity::UserStore> users_;
  std::unique_ptr<session::SessionStore> memory_;
  std::unique_ptr<ProbeSessionStore> probe_;
  std::unique_ptr<CachedSessionStore> cached_;
};

TEST_F(ReadCacheTest, RepeatedReadsAreServedFromTheCache) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Read("s1").has_value());
  EXPECT_EQ(probe_->gets.load(), 1);
  // Another tenant is another key: not served from the entry.
  auto other = cached_->Get(kTenantA, core::SessionId("s1"), kNow);
  ASSERT_TRUE(IsOk(other));
  EXPECT_FALSE(other->has_value());
}

TEST_F(ReadCacheTest, WritesThroughTheCacheAreSeenAtOnce) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s2", "u1"), 0, kNow)));
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s3", "u2"), 0, kNow)));
  for (const char* s : {"s1", "s2", "s3"}) ASSERT_TRUE(Read(s).has_value());

  session::Rotation r;
  r.expected_hash = "hash-s1";
  r.new_hash = "next";
  r.rotated_at = kNow + 1;
  r.expires_at = kNow + kHour;
  ASSERT_TRUE(IsOk(cached_->Rotate(kNullTenant, core::SessionId("s1"), r)));
  EXPECT_EQ(Read("s1")->refresh_hash, "next");

  ASSERT_TRUE(IsOk(cached_->Delete(kNullTenant, core::SessionId("s1"))));
  EXPECT_FALSE(Read("s1").has_value());

  ASSERT_TRUE(IsOk(cached_->DeleteAllForUser(core::UserId("u1"))));
  EXPECT_FALSE(Read("s2").has_value());
  EXPECT_TRUE(Read("s3").has_value()) << "another user's session stays";
}

TEST_F(ReadCacheTest, SessionsEvictedByCreateAreNotServed) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("old", "u1", kNullTenant, kNow - 10), 2, kNow)));
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("mid", "u1", kNullTenant, kNow - 5), 2, kNow)));
  ASSERT_TRUE(Read("old").has_value());
  // The third login evicts the least active session ("old").
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("new", "u1"), 2, kNow)));
  EXPECT_FALSE(Read("old").has_value());
  EXPECT_TRUE(Read("mid").has_value());
}

TEST_F(ReadCacheTest, ExpiredSessionsAreNotServed) {
  session::Session s = MakeSession("s1", "u1");
  s.expires_at = kNow + 1000;
  ASSERT_TRUE(IsOk(cached_->Create(s, 0, kNow)));
  ASSERT_TRUE(Read("s1", kNow).has_value());
  EXPECT_FALSE(Read("s1", kNow + 1000).has_value());
}

// A miss reads the old row, a logout deletes it before the miss fills the
// cache: the stale row must not be cached.
TEST_F(ReadCacheTest, AWriteDuringAMissKeepsTheOldRowOut) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  DuringAMiss("s1",
              [&] { ASSERT_TRUE(IsOk(cached_->Delete(kNullTenant, core::SessionId("s1")))); });
  EXPECT_FALSE(Read("s1").has_value()) << "a deleted session was served from the cache";
}

// A write that bypassed the cache (another process on the database file)
// is served stale until DropAll, and fresh at once after it.
TEST_F(ReadCacheTest, DropAllForgetsWritesMadeBehindTheCache) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s2", "u2"), 0, kNow)));
  ASSERT_TRUE(Read("s1").has_value());
  ASSERT_TRUE(Read("s2").has_value());
  ASSERT_TRUE(IsOk(memory_->Delete(kNullTenant, core::SessionId("s1"))));
  EXPECT_TRUE(Read("s1").has_value()) << "the premise: the cache cannot know by itself";
  cached_->DropAll();
  EXPECT_FALSE(Read("s1").has_value());
  const int gets = probe_->gets.load();
  EXPECT_TRUE(Read("s2").has_value());
  EXPECT_TRUE(Read("s2").has_value());
  EXPECT_EQ(probe_->gets.load(), gets + 1) << "read again once, then cached again";
}

// A miss reads the old row, the row is deleted behind the cache and
// DropAll runs before the miss fills: the stale row must not be cached.
TEST_F(ReadCacheTest, ADropAllDuringAMissKeepsTheOldRowOut) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  DuringAMiss("s1", [&] {
    ASSERT_TRUE(IsOk(memory_->Delete(kNullTenant, core::SessionId("s1"))));
    cached_->DropAll();
  });
  EXPECT_FALSE(Read("s1").has_value()) << "a deleted session was served from the cache";
}

// On an I/O thread (inside a NonBlockingScope) a hit is served, and a miss
// or any other call refuses instead of reaching the inner store.
TEST_F(ReadCacheTest, InsideANonBlockingScopeOnlyHitsAreServed) {
  ASSERT_TRUE(IsOk(cached_->Create(MakeSession("s1", "u1"), 0, kNow)));
  {
    core::NonBlockingScope scope;
    auto miss = cached_->Get(kNullTenant, core::SessionId("s1"), kNow);
    ASSERT_FALSE(miss.ok());
    EXPECT_TRUE(scope.would_block());
    EXPECT_EQ(probe_->gets.load(), 0) << "the inner store must not be called";
  }
  ASSERT_TRUE(Read("s1").has_value());  // outside: fills the cache
  {
    core::NonBlockingScope scope;
    auto hit = cached_->Get(kNullTenant, core::SessionId("s1"), kNow);
    ASSERT_TRUE(IsOk(hit));
    EXPECT_TRUE(hit->has_value());
    EXPECT_FALSE(scope.would_block());
    EXPECT_FALSE(cached_->Delete(kNullTenant, core::SessionId("s1")).ok());
    EXPECT_TRUE(scope.would_block());
  }
  EXPECT_TRUE(Read("s1").has_value()) << "the refused Delete changed nothing";
}

TEST(CachedUserStore, UserWritesAreSeenAtOnce) {
  auto inner = NewMemoryUserStore();
  auto users = NewCachedUserStore(*inner, {});
  ASSERT_TRUE(IsOk(users->CreateUser(kNullTenant, MakeUser("u1", "a@x.io"), {}, false)));
  auto read = [&] { return *users->FindUserById(kNullTenant, core::UserId("u1")); };
  ASSERT_TRUE(read().has_value());
  ASSERT_TRUE(IsOk(users->SetPassword(kNullTenant, core::UserId("u1"), "h2", kNow)));
  EXPECT_EQ(read()->password_hash, "h2");
  ASSERT_TRUE(IsOk(users->CompareAndSetPassword(kNullTenant, core::UserId("u1"), std::string("h2"),
                                                "h3", kNow)));
  EXPECT_EQ(read()->password_hash, "h3");
  ASSERT_TRUE(IsOk(users->MarkVerified(kNullTenant, core::UserId("u1"),
                                       identity::VerifiedChannel::kEmail, kNow)));
  EXPECT_EQ(read()->email_verified_at, kNow);
  ASSERT_TRUE(IsOk(users->SetMfaEnabled(kNullTenant, core::UserId("u1"), true, kNow)));
  EXPECT_TRUE(read()->is_mfa_enabled);
  // Not a member of tenant A: never answered from the null tenant's entry.
  auto elsewhere = users->FindUserById(kTenantA, core::UserId("u1"));
  ASSERT_TRUE(IsOk(elsewhere));
  EXPECT_FALSE(elsewhere->has_value());
}

TEST(CachedUserStore, DropAllForgetsWritesMadeBehindTheCache) {
  auto inner = NewMemoryUserStore();
  auto users = NewCachedUserStore(*inner, {});
  ASSERT_TRUE(IsOk(users->CreateUser(kNullTenant, MakeUser("u1", "a@x.io"), {}, false)));
  auto read = [&] { return *users->FindUserById(kNullTenant, core::UserId("u1")); };
  ASSERT_TRUE(read().has_value());
  ASSERT_TRUE(IsOk(inner->SetPassword(kNullTenant, core::UserId("u1"), "behind", kNow)));
  EXPECT_NE(read()->password_hash, "behind");
  users->DropAll();
  EXPECT_EQ(read()->password_hash, "behind");
}

// A closed gate (PostgreSQL: no recent heartbeat of the listener) makes the
// cache answer nothing and store nothing; Drop forgets one row.
TEST(CachedUserStore, ClosedGateReadsInnerStoreAndStoresNothing) {
  auto inner = NewMemoryUserStore();
  CacheGate gate;
  ReadCacheOptions o;
  o.gate = &gate;
  auto users = NewCachedUserStore(*inner, o);
  ASSERT_TRUE(IsOk(users->CreateUser(kNullTenant, MakeUser("u1", "a@x.io"), {}, false)));
  auto read = [&] { return *users->FindUserById(kNullTenant, core::UserId("u1")); };
  ASSERT_TRUE(read().has_value());  // closed: not stored
  ASSERT_TRUE(IsOk(inner->SetPassword(kNullTenant, core::UserId("u1"), "behind-1", kNow)));
  EXPECT_EQ(read()->password_hash, "behind-1");
  {
    core::NonBlockingScope scope;  // closed: a would-be hit is a miss
    EXPECT_FALSE(users->FindUserById(kNullTenant, core::UserId("u1")).ok());
  }
  gate.OpenUntil(CacheGate::Clock::now() + std::chrono::hours(1));
  ASSERT_EQ(read()->password_hash, "behind-1");  // stored now
  ASSERT_TRUE(IsOk(inner->SetPassword(kNullTenant, core::UserId("u1"), "behind-2", kNow)));
  EXPECT_EQ(read()->password_hash, "behind-1") << "a hit while open";
  gate.Close();
  EXPECT_EQ(read()->password_hash, "behind-2") << "closed: the inner store answers";
  gate.OpenUntil(CacheGate::Clock::now() + std::chrono::hours(1));
  users->Drop("u1");
  EXPECT_EQ(read()->password_hash, "behind-2");
  // The deadline passing closes it too.
  ASSERT_TRUE(IsOk(inner->SetPassword(kNullTenant, core::UserId("u1"), "behind-3", kNow)));
  gate.OpenUntil(CacheGate::Clock::now() - std::chrono::milliseconds(1));
  EXPECT_EQ(read()->password_hash, "behind-3");
}

TEST(CachedSessionStore, DropForgetsOneSession) {
  auto inner = NewMemorySessionStore();
  auto sessions = NewCachedSessionStore(*inner, {});
  session::Session s = MakeSession("s1", "u1");
  ASSERT_TRUE(IsOk(sessions->Create(s, 0, kNow)));
  ASSERT_TRUE(IsOk(sessions->Get(kNullTenant, s.id, kNow)));
  ASSERT_TRUE(IsOk(inner->Delete(kNullTenant, s.id)));
  EXPECT_TRUE(sessions->Get(kNullTenant, s.id, kNow)->has_value()) << "cached";
  sessions->Drop("s1");
  EXPECT_FALSE(sessions->Get(kNullTenant, s.id, kNow)->has_value());
}

}  // namespace
}  // namespace contract
}  // namespace authd::store
