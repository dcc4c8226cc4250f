// What only the SQLite MfaStore promises beyond the contract suite: what
// lands in the file (hashes and sealed secrets only, used recovery codes
// kept as history), the cascade when a user row is deleted, and the
// migration of a version-2 file.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/contract/mfa_store_contract.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_test_util.h"

namespace authd::store {
namespace {

using contract::AddUserRow;
using contract::IsOk;
using contract::kNow;
using contract::kNullTenant;
using contract::kTenantA;
using contract::MakeDevice;
using contract::MakeRecoveryCode;
using contract::MakeTrusted;
using contract::MfaHash;
using sqlite::RawDb;
using sqlite::TempDir;

class SqliteMfaTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(OpenDb()); }

  void OpenDb() {
    auto db = SqliteDatabase::Open({path_});
    ASSERT_TRUE(IsOk(db));
    db_ = std::move(*db);
  }

  void AddUser(const std::string& id) { AddUserRow(db_->users(), id); }

  // One row of each kind for `user`, in the null tenant and in tenant A.
  void AddRows(const std::string& user) {
    for (const core::TenantId& t : {kNullTenant, kTenantA}) {
      const std::string sfx = user + (t ? "-a" : "-0");
      ASSERT_TRUE(IsOk(db_->mfa().AddDevice(MakeDevice("d-" + sfx, user, t))));
      ASSERT_TRUE(IsOk(db_->mfa().ReplaceRecoveryCodes(
          t, core::UserId(user), {MakeRecoveryCode("r-" + sfx, user, "code-1", t)})));
      ASSERT_TRUE(IsOk(db_->mfa().AddTrustedDevice(MakeTrusted("t-" + sfx, user, "tok-1", t))));
    }
  }

  TempDir dir_;
  std::string path_ = dir_.File("authd.db");
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteMfaTest, RowsHoldHashesAndTypedColumns) {
  AddUser("u-1");
  AddRows("u-1");
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT secret_lookup FROM mfa_devices WHERE id = 'd-u-1-0'"),
            MfaHash("JBSWY3DPEHPK3PXP"));
  EXPECT_EQ(raw.Scalar("SELECT typeof(tenant_id) || typeof(last_used_at) ||"
                       " typeof(last_step) || last_step || verified"
                       " FROM mfa_devices WHERE id = 'd-u-1-0'"),
            "nullnullinteger-10");
  EXPECT_EQ(raw.Scalar("SELECT tenant_id FROM mfa_devices WHERE id = 'd-u-1-a'"), "tenant-a");
  EXPECT_EQ(raw.Scalar("SELECT code_hash FROM mfa_recovery_codes WHERE id = 'r-u-1-0'"),
            MfaHash("code-1"));
  EXPECT_EQ(raw.Scalar("SELECT token_hash FROM mfa_trusted_devices WHERE id = 't-u-1-0'"),
            MfaHash("tok-1"));
  EXPECT_EQ(raw.Scalar("SELECT typeof(expires_at) || revoked FROM mfa_trusted_devices"
                       " WHERE id = 't-u-1-0'"),
            "integer0");
}

TEST_F(SqliteMfaTest, UsedRecoveryCodesStayAsHistory) {
  AddUser("u-1");
  auto& mfa = db_->mfa();
  const core::UserId u("u-1");
  ASSERT_TRUE(IsOk(mfa.ReplaceRecoveryCodes(
      kNullTenant, u, {MakeRecoveryCode("r-1", "u-1", "a"), MakeRecoveryCode("r-2", "u-1", "b")})));
  auto used = mfa.UseRecoveryCode(kNullTenant, u, MfaHash("a"), kNow + 5);
  ASSERT_TRUE(IsOk(used));
  ASSERT_TRUE(*used);
  ASSERT_TRUE(
      IsOk(mfa.ReplaceRecoveryCodes(kNullTenant, u, {MakeRecoveryCode("r-3", "u-1", "c")})));
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT group_concat(id || ':' || ifnull(used_at, '-'), ',')"
                       " FROM (SELECT * FROM mfa_recovery_codes ORDER BY id)"),
            "r-1:" + std::to_string(kNow + 5) + ",r-3:-");
}

TEST_F(SqliteMfaTest, DeletingAUserCascadesToItsMfaRows) {
  AddUser("u-1");
  AddUser("u-2");
  AddRows("u-1");
  AddRows("u-2");
  db_.reset();
  RawDb raw(path_);
  raw.Exec("PRAGMA foreign_keys=ON");
  raw.Exec("DELETE FROM users WHERE id = 'u-1'");
  for (const char* table : {"mfa_devices", "mfa_recovery_codes", "mfa_trusted_devices"}) {
    EXPECT_EQ(raw.Scalar(std::string("SELECT group_concat(user_id) FROM ") + table), "u-2,u-2")
        << table;
  }
}

TEST_F(SqliteMfaTest, RowsOfAnUnknownUserAreRefused) {
  core::Status s = db_->mfa().AddDevice(MakeDevice("d-1", "ghost"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().debug.find("FOREIGN KEY"), std::string::npos) << s.error().debug;
  EXPECT_FALSE(db_->mfa().AddTrustedDevice(MakeTrusted("t-1", "ghost", "tok")).ok());
  EXPECT_FALSE(db_->mfa()
                   .ReplaceRecoveryCodes(kNullTenant, core::UserId("ghost"),
                                         {MakeRecoveryCode("r-1", "ghost", "a")})
                   .ok());
}

TEST_F(SqliteMfaTest, VersionTwoFileIsMigratedKeepingItsData) {
  AddUser("u-1");
  db_.reset();
  {
    RawDb raw(path_);  // back to what a version-2 authd left
    raw.Exec(
        "DROP TABLE mfa_devices; DROP TABLE mfa_recovery_codes;"
        " DROP TABLE mfa_trusted_devices;"
        " DELETE FROM schema_migrations WHERE version >= 3");
  }
  ASSERT_NO_FATAL_FAILURE(OpenDb());
  EXPECT_EQ(db_->schema_version(), sqlite::LatestSchemaVersion());
  EXPECT_TRUE(IsOk(db_->IntegrityCheck()));
  EXPECT_TRUE(db_->users().FindUserById(kNullTenant, core::UserId("u-1")).value().has_value());
  AddRows("u-1");
  auto devices = db_->mfa().ListDevices(kTenantA, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(devices));
  EXPECT_EQ(devices->size(), 1u);
}

}  // namespace
}  // namespace authd::store
