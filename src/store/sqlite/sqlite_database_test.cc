// Runs the store contract suites against SQLite (a fresh file per test),
// plus what only the SQLite adapter promises: durability across Open,
// migrations, integrity checks and the schema-version guard.
#include "store/sqlite/sqlite_database.h"

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/contract/mfa_store_contract.h"
#include "store/contract/otp_store_contract.h"
#include "store/contract/outbox_store_contract.h"
#include "store/contract/session_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_test_util.h"

namespace authd::store {
namespace contract {
namespace {

using sqlite::TempDir;

StoreBackend MakeSqliteBackend() {
  struct Holder {
    TempDir dir;  // declared first: removed after the database closes
    std::unique_ptr<SqliteDatabase> db;
  };
  auto holder = std::make_shared<Holder>();
  auto db = SqliteDatabase::Open({holder->dir.File("authd.db")});
  EXPECT_TRUE(IsOk(db));
  if (!db.ok()) return StoreBackend{};
  holder->db = std::move(*db);
  return StoreBackend{std::shared_ptr<identity::UserStore>(holder, &holder->db->users()),
                      std::shared_ptr<session::SessionStore>(holder, &holder->db->sessions()),
                      std::shared_ptr<otp::OtpStore>(holder, &holder->db->otps()),
                      std::shared_ptr<courier::OutboxStore>(holder, &holder->db->outbox()),
                      std::shared_ptr<mfa::MfaStore>(holder, &holder->db->mfa()),
                      nullptr};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, UserStoreContract,
                         ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Sqlite, SessionStoreContract,
                         ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Sqlite, OtpStoreContract,
                         ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Sqlite, OutboxStoreContract,
                         ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Sqlite, MfaStoreContract,
                         ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
                         BackendName<StoreBackendFactory>);

}  // namespace
}  // namespace contract

namespace {

using contract::IsOk;
using contract::kNullTenant;
using contract::kTenantA;
using contract::MakeIdentity;
using contract::MakeUser;
using sqlite::RawDb;
using sqlite::TempDir;

constexpr core::UnixMillis kNow = 1'750'000'000'000;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteDatabase> Open() {
    auto db = SqliteDatabase::Open({path_});
    EXPECT_TRUE(IsOk(db));
    return db.ok() ? std::move(*db) : nullptr;
  }

  static void AddUserAndSession(SqliteDatabase& db, const std::string& user,
                                const std::string& session) {
    identity::User u = MakeUser(user, user + "@example.com");
    auto r =
        db.users().CreateUser(kTenantA, u, {MakeIdentity(u, kTenantA, "email", *u.email)}, true);
    ASSERT_TRUE(IsOk(r));
    ASSERT_EQ(*r, identity::CreateUserOutcome::kCreated);
    session::Session s;
    s.id = core::SessionId(session);
    s.user_id = u.id;
    s.tenant_id = kTenantA;
    s.refresh_hash = "h-" + session;
    s.data.user = u;
    s.data.tenant_id = kTenantA;
    s.expires_at = kNow + 3'600'000;
    s.last_active = s.created_at = s.updated_at = kNow;
    ASSERT_TRUE(IsOk(db.sessions().Create(s, 10, kNow)));
  }

  TempDir dir_;
  std::string path_ = dir_.File("authd.db");
};

TEST_F(SqliteDatabaseTest, FreshFileIsAtLatestSchemaVersion) {
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), 4);
  EXPECT_EQ(sqlite::LatestSchemaVersion(), 4);
  EXPECT_TRUE(IsOk(db->IntegrityCheck()));
  db.reset();
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_migrations"), "4");
  EXPECT_EQ(raw.Scalar("SELECT name FROM schema_migrations WHERE version = 1"), "init");
  EXPECT_EQ(raw.Scalar("SELECT name FROM schema_migrations WHERE version = 2"), "courier");
  EXPECT_EQ(raw.Scalar("SELECT name FROM schema_migrations WHERE version = 3"), "mfa");
  EXPECT_EQ(raw.Scalar("SELECT name FROM schema_migrations WHERE version = 4"), "normalize_phones");
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteDatabaseTest, VersionOneFileIsMigratedKeepingItsData) {
  {
    std::unique_ptr<SqliteDatabase> db = Open();
    ASSERT_NE(db, nullptr);
    AddUserAndSession(*db, "u-1", "s-1");
  }
  {
    RawDb raw(path_);  // back to what a version-1 authd left
    raw.Exec(
        "DROP TABLE mfa_devices; DROP TABLE mfa_recovery_codes;"
        " DROP TABLE mfa_trusted_devices; DROP TABLE otps; DROP TABLE outbox;"
        " DELETE FROM schema_migrations WHERE version >= 2");
  }
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), sqlite::LatestSchemaVersion());
  EXPECT_TRUE(IsOk(db->IntegrityCheck()));
  auto s = db->sessions().Get(kTenantA, core::SessionId("s-1"), kNow);
  ASSERT_TRUE(IsOk(s));
  EXPECT_TRUE(s->has_value());
  ASSERT_TRUE(IsOk(db->outbox().Enqueue({contract::MakeMessage("m-1")})));
  EXPECT_TRUE(db->outbox().Get("m-1").value().has_value());
}

TEST_F(SqliteDatabaseTest, Migration4NormalizesStoredPhonesWithoutCollisions) {
  {
    std::unique_ptr<SqliteDatabase> db = Open();
    ASSERT_NE(db, nullptr);
    // Rows as authd wrote them before phones were normalised.
    auto add = [&db](const std::string& id, const std::string& phone, core::UnixMillis at) {
      identity::User u = MakeUser(id, id + "@example.com");
      u.phone = phone;
      u.created_at = u.updated_at = at;
      auto r = db->users().CreateUser(kNullTenant, u,
                                      {MakeIdentity(u, kNullTenant, "phone", phone)}, false);
      ASSERT_TRUE(IsOk(r));
      ASSERT_EQ(*r, identity::CreateUserOutcome::kCreated);
    };
    add("u-old", "+1(555)010-0000", kNow);  // oldest of three: wins
    add("u-new", "+1-555-010-0000", kNow + 1000);
    add("u-dot", "+1.555.010.0000", kNow + 2000);
    add("u-solo", "+44.20.7946.0000", kNow);
    add("u-held", "+15550100009", kNow + 5000);  // already normalised
    add("u-late", "+1(555)010-0009", kNow);      // collides with u-held
  }
  {
    RawDb raw(path_);  // back to what a version-3 authd left
    raw.Exec("DELETE FROM schema_migrations WHERE version = 4");
  }
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(IsOk(db->IntegrityCheck()));
  auto owner = [&db](const std::string& phone) {
    auto u = db->users().FindUserByIdentity(kNullTenant, "phone", phone);
    EXPECT_TRUE(IsOk(u));
    return u.ok() && u->has_value() ? (*u)->id.str() : std::string("-");
  };
  EXPECT_EQ(owner("+15550100000"), "u-old");
  EXPECT_EQ(owner("+1-555-010-0000"), "u-new");  // left as it was
  EXPECT_EQ(owner("+1.555.010.0000"), "u-dot");
  EXPECT_EQ(owner("+442079460000"), "u-solo");
  EXPECT_EQ(owner("+15550100009"), "u-held");
  EXPECT_EQ(owner("+1(555)010-0009"), "u-late");
  db.reset();
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM users WHERE phone GLOB '*[^+0-9]*'"), "0");
  EXPECT_EQ(raw.Scalar("SELECT phone FROM users WHERE id = 'u-new'"), "+15550100000");
}

TEST_F(SqliteDatabaseTest, ReopenKeepsDataAndDoesNotReapplyMigrations) {
  {
    std::unique_ptr<SqliteDatabase> db = Open();
    ASSERT_NE(db, nullptr);
    AddUserAndSession(*db, "u-1", "s-1");
  }
  std::string applied_at;
  {
    RawDb raw(path_);
    applied_at = raw.Scalar("SELECT applied_at FROM schema_migrations WHERE version = 2");
    EXPECT_FALSE(applied_at.empty());
  }
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), sqlite::LatestSchemaVersion());
  auto user = db->users().FindUserByIdentity(kTenantA, "email", "u-1@example.com");
  ASSERT_TRUE(IsOk(user));
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->id.str(), "u-1");
  auto s = db->sessions().Get(kTenantA, core::SessionId("s-1"), kNow);
  ASSERT_TRUE(IsOk(s));
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->refresh_hash, "h-s-1");
  db.reset();
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(raw.Scalar("SELECT applied_at FROM schema_migrations WHERE version = 2"), applied_at);
}

TEST_F(SqliteDatabaseTest, FutureSchemaVersionIsRefusedClearly) {
  ASSERT_NE(Open(), nullptr);
  {
    RawDb raw(path_);
    raw.Exec(
        "INSERT INTO schema_migrations (version, name, applied_at)"
        " VALUES (99, 'from_the_future', 0)");
  }
  auto db = SqliteDatabase::Open({path_});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "DATABASE_SCHEMA_TOO_NEW");
  EXPECT_NE(db.error().message.find("99"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("newer"), std::string::npos) << db.error().message;
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT MAX(version) FROM schema_migrations"), "99")
      << "the refused file is left untouched";
}

TEST_F(SqliteDatabaseTest, UnopenablePathFails) {
  auto db = SqliteDatabase::Open({dir_.File("missing-dir/authd.db")});
  ASSERT_FALSE(db.ok());
  EXPECT_FALSE(db.error().debug.empty());
  EXPECT_FALSE(SqliteDatabase::Open({":memory:"}).ok()) << "WAL needs a file";
}

TEST_F(SqliteDatabaseTest, IntegrityCheckReportsBrokenForeignKeys) {
  ASSERT_NE(Open(), nullptr);
  {
    RawDb raw(path_);  // foreign keys are off on this raw connection
    raw.Exec(
        "INSERT INTO identities (id, user_id, provider, provider_id,"
        " created_at, updated_at) VALUES ('i', 'ghost', 'email', 'x', 0, 0)");
  }
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  core::Status s = db->IntegrityCheck();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().debug.find("identities"), std::string::npos) << s.error().debug;
}

TEST_F(SqliteDatabaseTest, ForeignKeysAreEnforced) {
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  session::Session s;
  s.id = core::SessionId("s-orphan");
  s.user_id = core::UserId("no-such-user");
  s.expires_at = kNow + 1000;
  core::Status st = db->sessions().Create(s, 10, kNow);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().category, core::ErrorCategory::kInternal);
  EXPECT_NE(st.error().debug.find("FOREIGN KEY"), std::string::npos) << st.error().debug;
  EXPECT_EQ(st.error().message.find("FOREIGN"), std::string::npos) << "debug only";
}

TEST_F(SqliteDatabaseTest, DeletingAUserCascadesAndTenantRowExists) {
  {
    std::unique_ptr<SqliteDatabase> db = Open();
    ASSERT_NE(db, nullptr);
    AddUserAndSession(*db, "u-1", "s-1");
  }
  RawDb raw(path_);
  raw.Exec("PRAGMA foreign_keys=ON");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM tenants WHERE id = 'tenant-a'"), "1");
  EXPECT_EQ(raw.Scalar("SELECT status || is_default FROM user_accesses"), "active1");
  EXPECT_EQ(raw.Scalar("SELECT length(id) FROM user_accesses"), "36");
  raw.Exec("DELETE FROM users WHERE id = 'u-1'");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM sessions"), "0");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM identities"), "0");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM user_accesses"), "0");
}

TEST_F(SqliteDatabaseTest, SessionRowHoldsReferenceShapedJsonWithoutSecrets) {
  {
    std::unique_ptr<SqliteDatabase> db = Open();
    ASSERT_NE(db, nullptr);
    AddUserAndSession(*db, "u-1", "s-1");  // its snapshot carries a hash
  }
  RawDb raw(path_);
  const std::string data = raw.Scalar("SELECT data FROM sessions");
  EXPECT_EQ(data.find("argon2"), std::string::npos) << data;
  EXPECT_EQ(data.find("password"), std::string::npos) << data;
  EXPECT_EQ(raw.Scalar("SELECT json_extract(data, '$.user.createdAt') FROM sessions"),
            "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(raw.Scalar("SELECT json_extract(data, '$.tenantId') FROM sessions"), "tenant-a");
  EXPECT_EQ(raw.Scalar("SELECT json_type(data, '$.user.metadata') FROM sessions"), "object");
}

TEST_F(SqliteDatabaseTest, WriterBlockedPastBusyTimeoutIsUnavailable) {
  auto opened = SqliteDatabase::Open({path_, /*busy_timeout_ms=*/50});
  ASSERT_TRUE(IsOk(opened));
  std::unique_ptr<SqliteDatabase> db = std::move(*opened);
  AddUserAndSession(*db, "u-1", "s-1");
  RawDb other(path_);
  other.Exec("BEGIN IMMEDIATE");  // another process holds the write lock
  identity::User u = MakeUser("u-2", "u-2@example.com");
  auto r =
      db->users().CreateUser(kTenantA, u, {MakeIdentity(u, kTenantA, "email", *u.email)}, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().category, core::ErrorCategory::kUnavailable);
  EXPECT_NE(r.error().debug.find("locked"), std::string::npos) << r.error().debug;
  auto rotated = db->sessions().Rotate(kTenantA, core::SessionId("s-1"),
                                       session::Rotation{"h-s-1", "h2", kNow, {}, kNow + 1});
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().category, core::ErrorCategory::kUnavailable);
  // WAL: readers are not blocked by the writer.
  auto found = db->users().FindUserById(kTenantA, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(found));
  EXPECT_TRUE(found->has_value());
  other.Exec("COMMIT");
  r = db->users().CreateUser(kTenantA, u, {MakeIdentity(u, kTenantA, "email", *u.email)}, true);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, identity::CreateUserOutcome::kCreated);
}

TEST_F(SqliteDatabaseTest, ManyThreadsShareTheDatabase) {
  std::unique_ptr<SqliteDatabase> db = Open();
  ASSERT_NE(db, nullptr);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 20; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        AddUserAndSession(*db, "u-" + id, "s-" + id);
        auto got = db->sessions().Get(kTenantA, core::SessionId("s-" + id), kNow);
        EXPECT_TRUE(IsOk(got));
        EXPECT_TRUE(got.ok() && got->has_value());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(IsOk(db->IntegrityCheck()));
}

}  // namespace
}  // namespace authd::store
