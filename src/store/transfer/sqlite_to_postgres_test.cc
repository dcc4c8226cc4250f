// CopySqliteToPostgres against a real SQLite file and a real PostgreSQL
// schema: what was written through the SQLite stores reads back the same
// through the PostgreSQL stores.
#include "store/transfer/sqlite_to_postgres.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/contract/mfa_store_contract.h"
#include "store/contract/session_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"
#include "store/postgres/pg_test_util.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_test_util.h"

namespace authd::store {
namespace {

using contract::IsOk;
using contract::kNow;
using contract::kNullTenant;
using contract::kTenantA;

session::Session SessionOf(const identity::User& u, const core::TenantId& tenant) {
  session::Session s;
  s.id = core::SessionId("s-" + u.id.str());
  s.user_id = u.id;
  s.tenant_id = tenant;
  s.refresh_hash = "refresh-hash-" + u.id.str();
  s.prev_refresh_hash = "prev-hash";
  s.rotated_at = kNow - 5;
  s.data.user = u;
  s.data.user.password_hash.reset();
  s.data.tenant_id = tenant;
  s.data.permissions = {"read", "write"};
  s.expires_at = kNow + contract::kHour;
  s.user_agent = "Firefox - Linux";
  s.device_name = "Linux";
  s.ip_address = "10.0.0.1";
  s.last_active = kNow;
  s.created_at = kNow - 10;
  s.updated_at = kNow;
  return s;
}

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (schema_.url().empty()) GTEST_SKIP();
    auto db = SqliteDatabase::Open({dir_.File("authd.db")});
    ASSERT_TRUE(IsOk(db));
    // A user in the null tenant with a session and MFA data, one in a
    // tenant with e-mail and phone verified.
    alice_ = contract::MakeUser("u-alice", "alice@example.com");
    alice_.is_mfa_enabled = true;
    alice_.metadata_json = R"({"plan":"pro","n":3})";
    bob_ = contract::MakeUser("u-bob", "bob@example.com", "+15550001");
    bob_.email_verified_at = kNow - 100;
    bob_.phone_verified_at = kNow - 50;
    auto& users = (*db)->users();
    ASSERT_TRUE(IsOk(users.CreateUser(
        kNullTenant, alice_,
        {contract::MakeIdentity(alice_, kNullTenant, "email", "alice@example.com")}, false)));
    ASSERT_TRUE(IsOk(users.CreateUser(
        kTenantA, bob_, {contract::MakeIdentity(bob_, kTenantA, "email", "bob@example.com")},
        false)));
    ASSERT_TRUE(IsOk((*db)->sessions().Create(SessionOf(alice_, kNullTenant), 0, kNow)));
    ASSERT_TRUE(IsOk((*db)->sessions().Create(SessionOf(bob_, kTenantA), 0, kNow)));
    ASSERT_TRUE(IsOk((*db)->mfa().AddDevice(contract::MakeDevice("d1", "u-alice", kNullTenant))));
    ASSERT_TRUE(IsOk((*db)->mfa().ReplaceRecoveryCodes(
        kNullTenant, alice_.id,
        {contract::MakeRecoveryCode("r1", "u-alice", "code-1"),
         contract::MakeRecoveryCode("r2", "u-alice", "code-2")})));
  }

  PostgresOptions Target() const {
    PostgresOptions o;
    o.url = schema_.url();
    return o;
  }

  postgres::TempSchema schema_;
  sqlite::TempDir dir_;
  identity::User alice_, bob_;
};

TEST_F(TransferTest, CopiesEveryRowAndTheStoresReadThemBack) {
  auto report = CopySqliteToPostgres(dir_.File("authd.db"), Target());
  ASSERT_TRUE(IsOk(report));
  std::map<std::string, std::int64_t> rows(report->tables.begin(), report->tables.end());
  EXPECT_EQ(rows["users"], 2);
  EXPECT_EQ(rows["identities"], 2);
  EXPECT_EQ(rows["user_accesses"], 2);
  EXPECT_EQ(rows["tenants"], 1);
  EXPECT_EQ(rows["sessions"], 2);
  EXPECT_EQ(rows["mfa_devices"], 1);
  EXPECT_EQ(rows["mfa_recovery_codes"], 2);

  auto pg = PostgresDatabase::Open(Target());
  ASSERT_TRUE(IsOk(pg));
  auto a = (*pg)->users().FindUserByIdentity(kNullTenant, "email", "alice@example.com");
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->password_hash, alice_.password_hash);
  EXPECT_TRUE((*a)->is_mfa_enabled);
  EXPECT_EQ((*a)->created_at, alice_.created_at);
  auto b = (*pg)->users().FindUserById(kTenantA, bob_.id);
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->phone, bob_.phone);
  EXPECT_EQ((*b)->email_verified_at, bob_.email_verified_at);
  EXPECT_EQ((*b)->phone_verified_at, bob_.phone_verified_at);

  // A session keeps its refresh hash: rotation with the old hash works.
  auto s = (*pg)->sessions().Get(kNullTenant, core::SessionId("s-u-alice"), kNow);
  ASSERT_TRUE(IsOk(s));
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->data.permissions, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ((*s)->ip_address, "10.0.0.1");
  session::Rotation r;
  r.expected_hash = "refresh-hash-u-alice";
  r.new_hash = "next";
  r.rotated_at = kNow + 1;
  r.data = (*s)->data;
  r.expires_at = kNow + contract::kHour;
  auto rotated = (*pg)->sessions().Rotate(kNullTenant, core::SessionId("s-u-alice"), r);
  ASSERT_TRUE(IsOk(rotated));
  EXPECT_TRUE(*rotated);

  auto codes = (*pg)->mfa().CountUnusedRecoveryCodes(kNullTenant, alice_.id);
  ASSERT_TRUE(IsOk(codes));
  EXPECT_EQ(*codes, 2);
  auto devices = (*pg)->mfa().ListDevices(kNullTenant, alice_.id);
  ASSERT_TRUE(IsOk(devices));
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].secret_sealed,
            contract::MakeDevice("d1", "u-alice", kNullTenant).secret_sealed);
}

TEST_F(TransferTest, RefusesATargetWithUsersAndWritesNothing) {
  ASSERT_TRUE(IsOk(CopySqliteToPostgres(dir_.File("authd.db"), Target())));
  auto again = CopySqliteToPostgres(dir_.File("authd.db"), Target());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "TARGET_NOT_EMPTY");
  auto pg = PostgresDatabase::Open(Target());
  ASSERT_TRUE(IsOk(pg));
  auto sessions = (*pg)->sessions().ListForUser(alice_.id, kNow);
  ASSERT_TRUE(IsOk(sessions));
  EXPECT_EQ(sessions->size(), 1u);
}

TEST_F(TransferTest, MissingSourceIsNotFound) {
  auto r = CopySqliteToPostgres(dir_.File("nope.db"), Target());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().category, core::ErrorCategory::kNotFound);
}

}  // namespace
}  // namespace authd::store
