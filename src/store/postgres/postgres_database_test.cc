// Runs the store contract suites against PostgreSQL (a fresh schema per
// test), plus what only the PostgreSQL adapter promises: migrations under
// an advisory lock, several pools (processes) on one database, and
// recovery after the server drops the connections.
#include "store/postgres/postgres_database.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/nonblocking.h"
#include "store/contract/counter_store_contract.h"
#include "store/contract/mfa_store_contract.h"
#include "store/contract/otp_store_contract.h"
#include "store/contract/outbox_store_contract.h"
#include "store/contract/session_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"
#include "store/postgres/pg_cache_listener.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_test_util.h"

namespace authd::store {
namespace contract {
namespace {

using postgres::TempSchema;

struct Holder {
  TempSchema schema;  // declared first: dropped after the database closes
  std::unique_ptr<PostgresDatabase> db;
};

std::shared_ptr<Holder> OpenFresh() {
  auto holder = std::make_shared<Holder>();
  if (holder->schema.url().empty()) return nullptr;
  PostgresOptions o;
  o.url = holder->schema.url();
  o.pool_size = 8;
  auto db = PostgresDatabase::Open(o);
  EXPECT_TRUE(IsOk(db));
  if (!db.ok()) return nullptr;
  holder->db = std::move(*db);
  return holder;
}

StoreBackend MakePostgresBackend() {
  std::shared_ptr<Holder> holder = OpenFresh();
  if (!holder) return StoreBackend{};
  return StoreBackend{std::shared_ptr<identity::UserStore>(holder, &holder->db->users()),
                      std::shared_ptr<session::SessionStore>(holder, &holder->db->sessions()),
                      std::shared_ptr<otp::OtpStore>(holder, &holder->db->otps()),
                      std::shared_ptr<courier::OutboxStore>(holder, &holder->db->outbox()),
                      std::shared_ptr<mfa::MfaStore>(holder, &holder->db->mfa()),
                      std::shared_ptr<session::GuardReader>(holder, &holder->db->guard_reader())};
}

std::unique_ptr<throttle::CounterStore> MakePostgresCounters() {
  // The counter store borrows the database; a small owning wrapper keeps
  // both alive for the test.
  class Owning final : public throttle::CounterStore {
   public:
    explicit Owning(std::shared_ptr<Holder> h) : h_(std::move(h)) {}
    core::Result<throttle::WindowCount> Hit(std::string_view key, std::int64_t window_ms,
                                            core::UnixMillis now) override {
      return h_->db->counters().Hit(key, window_ms, now);
    }
    core::Result<std::optional<throttle::WindowCount>> Peek(std::string_view key,
                                                            core::UnixMillis now) override {
      return h_->db->counters().Peek(key, now);
    }
    core::Status Put(std::string_view key, const throttle::WindowCount& v,
                     core::UnixMillis now) override {
      return h_->db->counters().Put(key, v, now);
    }
    core::Status Erase(std::string_view key) override { return h_->db->counters().Erase(key); }

   private:
    std::shared_ptr<Holder> h_;
  };
  std::shared_ptr<Holder> holder = OpenFresh();
  if (!holder) return nullptr;
  return std::make_unique<Owning>(std::move(holder));
}

INSTANTIATE_TEST_SUITE_P(Postgres, UserStoreContract,
                         ::testing::Values(StoreBackendFactory{"postgres", &MakePostgresBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Postgres, SessionStoreContract,
                         ::testing::Values(StoreBackendFactory{"postgres", &MakePostgresBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Postgres, OtpStoreContract,
                         ::testing::Values(StoreBackendFactory{"postgres", &MakePostgresBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Postgres, OutboxStoreContract,
                         ::testing::Values(StoreBackendFactory{"postgres", &MakePostgresBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Postgres, MfaStoreContract,
                         ::testing::Values(StoreBackendFactory{"postgres", &MakePostgresBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Postgres, CounterStoreContract,
                         ::testing::Values(CounterStoreFactory{"postgres", &MakePostgresCounters}),
                         BackendName<CounterStoreFactory>);

}  // namespace
}  // namespace contract

namespace {

using contract::IsOk;

// Several processes starting at once on an empty schema: every Open
// succeeds and the migrations are recorded exactly once.
TEST(PostgresDatabaseTest, ConcurrentOpensMigrateOnce) {
  postgres::TempSchema schema;
  if (schema.url().empty()) return;
  constexpr int kOpeners = 6;
  std::vector<core::Status> results(kOpeners);
  contract::RunTogether(kOpeners, [&](int i) {
    PostgresOptions o;
    o.url = schema.url();
    o.pool_size = 2;
    auto db = PostgresDatabase::Open(o);
    results[i] = db.ok() ? core::Status::Ok() : core::Status(db.error());
    if (db.ok()) {
      EXPECT_EQ((*db)->schema_version(), postgres::LatestSchemaVersion());
    }
  });
  for (const auto& r : results) EXPECT_TRUE(IsOk(r));
  auto conn = postgres::PgConnection::Open({{"dbname", schema.url()}});
  ASSERT_TRUE(IsOk(conn));
  auto rows = (*conn)->Exec("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
  ASSERT_TRUE(IsOk(rows));
  EXPECT_EQ(rows->Int(0, 0), postgres::LatestSchemaVersion());
  EXPECT_EQ(rows->Int(0, 1), postgres::LatestSchemaVersion());
}

TEST(PostgresDatabaseTest, RefusesSchemaFromTheFuture) {
  postgres::TempSchema schema;
  if (schema.url().empty()) return;
  PostgresOptions o;
  o.url = schema.url();
  ASSERT_TRUE(IsOk(PostgresDatabase::Open(o)));
  auto conn = postgres::PgConnection::Open({{"dbname", schema.url()}});
  ASSERT_TRUE(IsOk(conn));
  ASSERT_TRUE(
      IsOk((*conn)->ExecScript("INSERT INTO schema_migrations VALUES (9999, 'future', 0)")));
  auto again = PostgresDatabase::Open(o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "DATABASE_SCHEMA_TOO_NEW");
}

TEST(PostgresDatabaseTest, UnreachableServerIsUnavailable) {
  PostgresOptions o;
  // Port 1 on loopback: nothing listens there.
  o.url = "postgres://nobody@127.0.0.1:1/authd";
  o.connect_timeout_ms = 2000;
  auto db = PostgresDatabase::Open(o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_EQ(db.error().message.find("127.0.0.1"), std::string::npos)
      << "connection details must stay in the debug text";
}

// The server ends every connection of the pool (as a restart or failover
// does): the next calls reconnect by themselves and succeed.
TEST(PostgresDatabaseTest, RecoversAfterConnectionsAreTerminated) {
  postgres::TempSchema schema;
  if (schema.url().empty()) return;
  PostgresOptions o;
  o.url = schema.url();
  o.pool_size = 4;
  auto db = PostgresDatabase::Open(o);
  ASSERT_TRUE(IsOk(db));
  throttle::CounterStore& counters = (*db)->counters();
  // Warm several pooled connections.
  {
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i) {
      ts.emplace_back([&] { EXPECT_TRUE(IsOk(counters.Hit("warm", 60'000, 1'000))); });
    }
    for (auto& t : ts) t.join();
  }
  auto admin = postgres::PgConnection::Open({{"dbname", schema.url()}});
  ASSERT_TRUE(IsOk(admin));
  ASSERT_TRUE(
      IsOk((*admin)->ExecScript("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                " WHERE application_name = 'authd' AND pid <> pg_backend_pid()")));
  for (int i = 0; i < 8; ++i) {
    auto hit = counters.Hit("after", 60'000, 2'000);
    ASSERT_TRUE(IsOk(hit)) << "call " << i;
    EXPECT_EQ(hit->count, i + 1);
  }
}

// Two PostgresDatabase instances, each with a pool of its own, on one
// schema: what two authd processes sharing a database look like.
struct TwoProcesses {
  postgres::TempSchema schema;
  std::unique_ptr<PostgresDatabase> db[2];

  bool Open(int read_cache_entries = 0) {
    if (schema.url().empty()) return false;
    for (auto& d : db) {
      PostgresOptions o;
      o.url = schema.url();
      o.pool_size = 4;
      o.read_cache_entries = read_cache_entries;
      auto opened = PostgresDatabase::Open(o);
      EXPECT_TRUE(IsOk(opened));
      if (!opened.ok()) return false;
      d = std::move(*opened);
    }
    return true;
  }
};

// Stores user u-1 (tenant A) and its session s-1 (refresh hash "hash-0",
// live for an hour) through `db`; `*user` and `*session` are what was stored.
void SeedUserAndSession(PostgresDatabase& db, identity::User* user, session::Session* session) {
  identity::User u = contract::MakeUser("u-1", "u-1@example.com");
  auto created = db.users().CreateUser(
      contract::kTenantA, u, {contract::MakeIdentity(u, contract::kTenantA, "email", *u.email)},
      true);
  ASSERT_TRUE(IsOk(created));
  ASSERT_EQ(*created, identity::CreateUserOutcome::kCreated);
  session::Session s;
  s.id = core::SessionId("s-1");
  s.user_id = u.id;
  s.tenant_id = contract::kTenantA;
  s.refresh_hash = "hash-0";
  s.data.user = u;
  s.data.user.password_hash.reset();
  s.data.tenant_id = contract::kTenantA;
  s.expires_at = contract::kNow + contract::kHour;
  s.last_active = s.created_at = s.updated_at = contract::kNow;
  ASSERT_TRUE(IsOk(db.sessions().Create(s, 0, contract::kNow)));
  *user = std::move(u);
  *session = std::move(s);
}

// Two processes whose monotonic clocks differ by a day (one booted a day
// later) share one window and one lock: each one's time is translated to
// the database server's. (The slack allows for the few milliseconds
// between the two processes' first calls.)
TEST(PostgresDatabaseTest, CountersAgreeAcrossProcessesWithDifferentClocks) {
  TwoProcesses p;
  if (!p.Open()) return;
  constexpr core::UnixMillis kA = 5'000'000;
  constexpr core::UnixMillis kB = kA + 24LL * 60 * 60 * 1000;
  constexpr core::UnixMillis kSlack = 5'000;
  throttle::CounterStore& a = p.db[0]->counters();
  throttle::CounterStore& b = p.db[1]->counters();
  ASSERT_TRUE(IsOk(a.Hit("login:ip:x", 60'000, kA)));
  auto second = b.Hit("login:ip:x", 60'000, kB);
  ASSERT_TRUE(IsOk(second));
  EXPECT_EQ(second->count, 2) << "the other process's window is live";
  EXPECT_LE(second->window_end, kB + 60'000);
  EXPECT_GT(second->window_end, kB + 60'000 - kSlack);

  ASSERT_TRUE(IsOk(a.Put("lock", throttle::WindowCount{10, kA + 900'000}, kA)));
  auto seen = b.Peek("lock", kB);
  ASSERT_TRUE(IsOk(seen));
  ASSERT_TRUE(seen->has_value());
  EXPECT_LE((*seen)->window_end, kB + 900'000);
  EXPECT_GT((*seen)->window_end, kB + 900'000 - kSlack);
  auto ended = b.Peek("lock", kB + 900'000 + kSlack);
  ASSERT_TRUE(IsOk(ended));
  EXPECT_FALSE(ended->has_value()) << "the lock lasts its duration in every process";
}

// The same correct code submitted by 8 threads split across two processes:
// exactly one consumes it (Consume locks the user's row), every round.
TEST(PostgresDatabaseTest, ConsumeAcrossProcessesSucceedsOnce) {
  TwoProcesses p;
  if (!p.Open()) return;
  identity::User u = contract::MakeUser("u-1", "u-1@example.com");
  auto created = p.db[0]->users().CreateUser(
      contract::kNullTenant, u,
      {contract::MakeIdentity(u, contract::kNullTenant, "email", *u.email)}, true);
  ASSERT_TRUE(IsOk(created));
  ASSERT_EQ(*created, identity::CreateUserOutcome::kCreated);
  constexpr int kRounds = 5;
  constexpr int kThreads = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string code = "12345" + std::to_string(round);
    ASSERT_TRUE(IsOk(p.db[round % 2]->otps().Issue(
        contract::MakeCode("c-" + std::to_string(round), "u-1", otp::Purpose::kPasswordReset,
                           contract::kNullTenant, code),
        {})));
    std::atomic<int> consumed{0}, invalid{0}, other{0};
    contract::RunTogether(kThreads, [&](int t) {
      auto r = p.db[t % 2]->otps().Consume(contract::kNullTenant, core::UserId("u-1"),
                                           otp::Purpose::kPasswordReset, contract::CodeHash(code),
                                           contract::kNow, contract::kMaxAttempts);
      if (!r.ok()) {
        ADD_FAILURE() << r.error().debug;
        ++other;
      } else if (*r == otp::ConsumeOutcome::kConsumed) {
        ++consumed;
      } else if (*r == otp::ConsumeOutcome::kInvalid) {
        ++invalid;
      } else {
        ++other;
      }
    });
    EXPECT_EQ(consumed.load(), 1) << "round " << round;
    EXPECT_EQ(invalid.load(), kThreads - 1) << "round " << round;
    EXPECT_EQ(other.load(), 0) << "round " << round;
    auto left = p.db[1]->otps().List(contract::kNullTenant, core::UserId("u-1"),
                                     otp::Purpose::kPasswordReset);
    ASSERT_TRUE(IsOk(left));
    EXPECT_TRUE(left->empty()) << "round " << round;
  }
}

// Senders in two processes draining one outbox: every message is claimed
// exactly once (FOR UPDATE SKIP LOCKED).
TEST(PostgresDatabaseTest, ClaimDueAcrossProcessesNeverSharesAMessage) {
  TwoProcesses p;
  if (!p.Open()) return;
  constexpr int kMessages = 50;
  std::vector<courier::OutboxMessage> messages;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(contract::MakeMessage("m-" + std::to_string(i), contract::kNow - i));
  }
  ASSERT_TRUE(IsOk(p.db[0]->outbox().Enqueue(messages)));
  constexpr int kThreads = 6;  // 3 senders per process
  constexpr core::UnixMillis kLeaseUntil = contract::kNow + 30'000;
  std::mutex mu;
  std::map<std::string, int> times_claimed;  // GUARDED_BY(mu)
  std::atomic<int> errors{0};
  contract::RunTogether(kThreads, [&](int t) {
    courier::OutboxStore& outbox = p.db[t % 2]->outbox();
    while (true) {
      auto r = outbox.ClaimDue(contract::kNow, 2, kLeaseUntil);
      if (!r.ok()) {
        ADD_FAILURE() << r.error().debug;
        ++errors;
        return;
      }
      if (r->empty()) return;
      std::lock_guard<std::mutex> lock(mu);
      for (const courier::OutboxMessage& m : *r) ++times_claimed[m.id];
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(times_claimed.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [id, n] : times_claimed) EXPECT_EQ(n, 1) << id;
  for (auto& db : p.db) {
    auto again = db->outbox().ClaimDue(contract::kNow, kMessages, kLeaseUntil);
    ASSERT_TRUE(IsOk(again));
    EXPECT_TRUE(again->empty()) << "every message is still under its lease";
  }
}

// 16 threads split across two processes refresh one session with the same
// token: exactly one rotation wins (SQLite got this from its single writer;
// here it is the CAS UPDATE's row lock and re-check).
TEST(PostgresDatabaseTest, RotateAcrossProcessesHasOneWinner) {
  TwoProcesses p;
  if (!p.Open()) return;
  identity::User u;
  session::Session s;
  ASSERT_NO_FATAL_FAILURE(SeedUserAndSession(*p.db[0], &u, &s));

  constexpr int kThreads = 16;
  std::vector<session::Rotation> rotations(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    session::Rotation& r = rotations[t];
    r.expected_hash = s.refresh_hash;
    r.new_hash = "hash-from-" + std::to_string(t);
    r.rotated_at = contract::kNow + t;
    r.data = s.data;
    r.expires_at = s.expires_at;
  }
  std::atomic<int> wins{0}, errors{0}, winner{-1};
  contract::RunTogether(kThreads, [&](int t) {
    auto res = p.db[t % 2]->sessions().Rotate(contract::kTenantA, s.id, rotations[t]);
    if (!res.ok()) {
      ADD_FAILURE() << res.error().debug;
      ++errors;
    } else if (*res) {
      ++wins;
      winner = t;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(wins.load(), 1);
  for (auto& db : p.db) {
    auto got = db->sessions().Get(contract::kTenantA, s.id, contract::kNow);
    ASSERT_TRUE(IsOk(got));
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->refresh_hash, "hash-from-" + std::to_string(winner.load()));
    EXPECT_EQ((*got)->prev_refresh_hash, "hash-0");
  }
}

// 8 threads split across two processes sign up with globally unique users
// (tenant_scoped_users = false), each a user of its own id:
//  - same identity, same e-mail: one identity in one tenant; the losers
//    wait on the address lock, then find the identity;
//  - other identities, same e-mail: a social identity each, in alternating
//    tenants: only CreateUser's advisory lock on the address stands between
//    them and two users with one e-mail (no unique index on users.email);
//  - same identity, other e-mails: no shared address lock; the identities
//    unique index decides (its violation is kIdentityExists, not an error).
void RaceSignups(bool same_identity, bool same_email) {
  TwoProcesses p;
  if (!p.Open()) return;
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, identity_exists{0}, user_exists{0}, errors{0};
  contract::RunTogether(kThreads, [&](int t) {
    const core::TenantId tenant =
        same_identity || t % 2 == 0 ? contract::kTenantA : contract::kTenantB;
    identity::User u = contract::MakeUser(
        "u-" + std::to_string(t),
        same_email ? "race@example.com" : "race-" + std::to_string(t) + "@example.com");
    identity::Identity i =
        same_identity ? contract::MakeIdentity(u, tenant, "google", "sub-race")
                      : contract::MakeIdentity(u, tenant, "google", "sub-" + std::to_string(t));
    auto r = p.db[t % 2]->users().CreateUser(tenant, u, {i}, /*tenant_scoped_users=*/false);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().debug;
      ++errors;
    } else if (*r == identity::CreateUserOutcome::kCreated) {
      ++created;
    } else if (*r == identity::CreateUserOutcome::kIdentityExists) {
      ++identity_exists;
    } else {
      ++user_exists;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(same_identity ? identity_exists.load() : user_exists.load(), kThreads - 1);
  auto conn = postgres::PgConnection::Open({{"dbname", p.schema.url()}});
  ASSERT_TRUE(IsOk(conn));
  auto rows = (*conn)->Exec(
      "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM identities),"
      " (SELECT count(*) FROM user_accesses)");
  ASSERT_TRUE(IsOk(rows));
  EXPECT_EQ(rows->Int(0, 0), 1);
  EXPECT_EQ(rows->Int(0, 1), 1);
  EXPECT_EQ(rows->Int(0, 2), 1);
}

TEST(PostgresDatabaseTest, SignupsOfOneIdentityAcrossProcessesCreateOne) {
  RaceSignups(/*same_identity=*/true, /*same_email=*/true);
}

TEST(PostgresDatabaseTest, SignupsOfOneEmailWithOtherIdentitiesAcrossProcessesCreateOne) {
  RaceSignups(/*same_identity=*/false, /*same_email=*/true);
}

TEST(PostgresDatabaseTest, SignupsOfOneIdentityWithOtherEmailsAcrossProcessesCreateOne) {
  RaceSignups(/*same_identity=*/true, /*same_email=*/false);
}

}  // namespace
}  // namespace authd::store

namespace authd::store {
namespace {

TEST(PgCacheListenerTest, ParsesNotifications) {
  using Kind = postgres::CacheInvalidation::Kind;
  auto s = postgres::ParseCacheNotification("s:abc:def");
  EXPECT_EQ(s.kind, Kind::kSession);
  EXPECT_EQ(s.id, "abc:def");
  auto u = postgres::ParseCacheNotification("u:42");
  EXPECT_EQ(u.kind, Kind::kUser);
  EXPECT_EQ(u.id, "42");
  for (const char* other : {"*", "", "s:", "x:1", "s", "session:1"}) {
    EXPECT_EQ(postgres::ParseCacheNotification(other).kind, Kind::kAll) << other;
  }
}

// With the read cache, a write committed by another process (a logout, a
// user update) is seen within the listener's bound (100 ms), and the guard
// reads answer as without the cache.
TEST(PostgresDatabaseTest, ReadCacheSeesWritesOfOtherProcessesWithinBound) {
  TwoProcesses p;
  if (!p.Open(1000)) return;
  ASSERT_TRUE(p.db[1]->session_reads_in_memory());
  identity::User u;
  session::Session s;
  ASSERT_NO_FATAL_FAILURE(SeedUserAndSession(*p.db[0], &u, &s));
  auto read = [&] {
    return p.db[1]->guard_reader().Read(contract::kTenantA, s.id, contract::kNow);
  };
  using Clock = std::chrono::steady_clock;
  // Until the listener is up the reads go to the server; then they hit.
  const auto up_by = Clock::now() + std::chrono::seconds(10);
  while (true) {
    auto r = read();
    ASSERT_TRUE(IsOk(r));
    ASSERT_TRUE(r->has_value());
    ASSERT_TRUE((*r)->user.has_value());
    core::NonBlockingScope scope;
    if (read().ok()) break;  // answered from memory
    ASSERT_LT(Clock::now(), up_by) << "the cache never served";
  }
  auto seen_within = [&](auto changed) {
    const auto t0 = Clock::now();
    while (true) {
      const auto sent = Clock::now();
      auto r = read();
      ASSERT_TRUE(IsOk(r));
      if (changed(*r)) {
        EXPECT_LE(sent - t0, std::chrono::milliseconds(100));
        return;
      }
      ASSERT_LT(sent - t0, std::chrono::seconds(2));
    }
  };
  ASSERT_TRUE(IsOk(p.db[0]->users().SetPassword(contract::kTenantA, u.id, "new-hash", 7)));
  seen_within([](const std::optional<session::SessionAndUser>& r) {
    return r && r->user && r->user->password_hash == std::optional<std::string>("new-hash");
  });
  ASSERT_TRUE(IsOk(p.db[0]->sessions().Delete(contract::kTenantA, s.id)));
  seen_within([](const std::optional<session::SessionAndUser>& r) { return !r.has_value(); });
}

}  // namespace
}  // namespace authd::store
