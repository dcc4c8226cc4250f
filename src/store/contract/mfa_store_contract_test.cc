#include "store/contract/mfa_store_contract.h"

#include <atomic>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gmock/gmock.h>

namespace authd::store::contract {
namespace {

using mfa::RecoveryCode;
using mfa::TotpDevice;
using mfa::TrustedDevice;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MfaStoreContract);

void ExpectSameDevice(const TotpDevice& got, const TotpDevice& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.secret_sealed, want.secret_sealed);
  EXPECT_EQ(got.secret_lookup, want.secret_lookup);
  EXPECT_EQ(got.verified, want.verified);
  EXPECT_EQ(got.last_step, want.last_step);
  EXPECT_EQ(got.last_used_at, want.last_used_at);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

void ExpectSameTrusted(const TrustedDevice& got, const TrustedDevice& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.token_hash, want.token_hash);
  EXPECT_EQ(got.user_agent, want.user_agent);
  EXPECT_EQ(got.ip_address, want.ip_address);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.last_used_at, want.last_used_at);
  EXPECT_EQ(got.revoked, want.revoked);
  EXPECT_EQ(got.created_at, want.created_at);
}

// --- TOTP devices -----------------------------------------------------

TEST_P(MfaStoreContract, DeviceRoundTripsEveryField) {
  AddUser("u-1");
  TotpDevice full = MakeDevice("d-full", "u-1", kTenantA, "SECRETA", kNow - 50);
  full.verified = true;
  full.last_step = 58'333'333;
  full.last_used_at = kNow - 7;
  full.updated_at = kNow - 3;
  TotpDevice fresh = MakeDevice("d-fresh", "u-1", kTenantA, "SECRETB", kNow - 10);
  AddDevice(full);
  AddDevice(fresh);
  std::vector<TotpDevice> got = Devices("u-1", kTenantA);
  ASSERT_EQ(got.size(), 2u);
  ExpectSameDevice(got[0], full);
  ExpectSameDevice(got[1], fresh);
  EXPECT_EQ(got[1].last_step, -1);
  EXPECT_EQ(got[1].last_used_at, std::nullopt);
  EXPECT_FALSE(got[1].verified);
  auto found = store().FindDeviceBySecret(kTenantA, core::UserId("u-1"), MfaHash("SECRETA"));
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  ExpectSameDevice(**found, full);
}

TEST_P(MfaStoreContract, ListDevicesIsOldestFirstAndScoped) {
  AddUser("u-1");
  AddUser("u-2");
  AddDevice(MakeDevice("d-c", "u-1", kNullTenant, "S", kNow + 20));
  AddDevice(MakeDevice("d-b", "u-1", kNullTenant, "S", kNow));
  AddDevice(MakeDevice("d-a", "u-1", kNullTenant, "S", kNow + 10));
  AddDevice(MakeDevice("d-0", "u-1", kNullTenant, "S", kNow));  // tie: by id
  AddDevice(MakeDevice("d-other-user", "u-2"));
  AddDevice(MakeDevice("d-other-tenant", "u-1", kTenantA));
  EXPECT_THAT(DeviceIds("u-1"), ElementsAre("d-0", "d-b", "d-a", "d-c"));
  EXPECT_THAT(DeviceIds("u-2"), ElementsAre("d-other-user"));
  EXPECT_THAT(DeviceIds("u-1", kTenantA), ElementsAre("d-other-tenant"));
  EXPECT_THAT(DeviceIds("u-1", kTenantB), IsEmpty());
  EXPECT_THAT(DeviceIds("nobody"), IsEmpty());
}

TEST_P(MfaStoreContract, AddDeviceWithinLimitCountsAllButAbandonedSetups) {
  AddUser("u-1");
  AddUser("u-2");
  TotpDevice verified = MakeDevice("d-verified", "u-1", kNullTenant, "S", kNow - 100'000);
  verified.verified = true;
  AddDevice(verified);                                                           // old but verified
  AddDevice(MakeDevice("d-abandoned", "u-1", kNullTenant, "S", kNow - 60'000));  // < cutoff
  AddDevice(MakeDevice("d-pending", "u-1", kNullTenant, "S", kNow - 1'000));
  AddDevice(MakeDevice("d-other-user", "u-2", kNullTenant, "S", kNow - 60'000));
  AddDevice(MakeDevice("d-other-tenant", "u-1", kTenantA, "S", kNow - 60'000));
  const core::UnixMillis cutoff = kNow - 30'000;
  auto add = [&](const std::string& id, int max) {
    auto r =
        store().AddDeviceWithinLimit(MakeDevice(id, "u-1", kNullTenant, "S", kNow), max, cutoff);
    EXPECT_TRUE(IsOk(r));
    return r.ok() && *r;
  };
  // The abandoned setup is deleted first; two devices remain, so a third fits.
  EXPECT_TRUE(add("d-3", 3));
  EXPECT_THAT(DeviceIds("u-1"), ElementsAre("d-verified", "d-pending", "d-3"));
  EXPECT_FALSE(add("d-4", 3));
  EXPECT_THAT(DeviceIds("u-1"), ElementsAre("d-verified", "d-pending", "d-3"));
  EXPECT_TRUE(add("d-4", 4));
  // Other users' and tenants' rows are neither counted nor deleted.
  EXPECT_THAT(DeviceIds("u-2"), ElementsAre("d-other-user"));
  EXPECT_THAT(DeviceIds("u-1", kTenantA), ElementsAre("d-other-tenant"));
  auto got = store().FindDeviceBySecret(kNullTenant, core::UserId("u-1"), MfaHash("S"));
  ASSERT_TRUE(IsOk(got));
  EXPECT_TRUE(got->has_value());
}

TEST_P(MfaStoreContract, ConcurrentAddDeviceWithinLimitNeverPassesTheLimit) {
  AddUser("u-1");
  std::atomic<int> next{0};
  int errors = 0;
  const int added = RaceCount(
      [&]() {
        return store().AddDeviceWithinLimit(
            MakeDevice("d-race-" + std::to_string(next++), "u-1", kNullTenant, "S", kNow), 3,
            kNow - 30'000);
      },
      errors);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(added, 3);
  EXPECT_EQ(Devices("u-1").size(), 3u);
}

TEST_P(MfaStoreContract, FindDeviceBySecretPicksNewestMatchOfUserAndTenant) {
  AddUser("u-1");
  AddUser("u-2");
  AddDevice(MakeDevice("d-old", "u-1", kNullTenant, "SAME", kNow - 100));
  AddDevice(MakeDevice("d-new", "u-1", kNullTenant, "SAME", kNow - 50));
  AddDevice(MakeDevice("d-newest-other", "u-1", kNullTenant, "OTHER", kNow));
  // Newer matches, but of another user or tenant.
  AddDevice(MakeDevice("d-u2", "u-2", kNullTenant, "SAME", kNow));
  AddDevice(MakeDevice("d-tenant", "u-1", kTenantA, "SAME", kNow));
  auto find = [&](const std::string& user, const core::TenantId& tenant,
                  const std::string& secret) -> std::optional<std::string> {
    auto r = store().FindDeviceBySecret(tenant, core::UserId(user), MfaHash(secret));
    EXPECT_TRUE(IsOk(r));
    if (!r.ok() || !r->has_value()) return std::nullopt;
    return (*r)->id;
  };
  EXPECT_EQ(find("u-1", kNullTenant, "SAME"), "d-new");
  EXPECT_EQ(find("u-1", kNullTenant, "OTHER"), "d-newest-other");
  EXPECT_EQ(find("u-2", kNullTenant, "SAME"), "d-u2");
  EXPECT_EQ(find("u-1", kTenantA, "SAME"), "d-tenant");
  EXPECT_EQ(find("u-1", kTenantB, "SAME"), std::nullopt);
  EXPECT_EQ(find("u-1", kNullTenant, "UNKNOWN"), std::nullopt);
  EXPECT_EQ(find("u-2", kNullTenant, "OTHER"), std::nullopt);
}

TEST_P(MfaStoreContract, MarkDeviceVerifiedSetsVerifiedAndUpdatedAt) {
  AddUser("u-1");
  TotpDevice d = MakeDevice("d-1", "u-1", kTenantA);
  AddDevice(d);
  // Another user, another tenant or an unknown id: false, nothing changes.
  for (auto [user, tenant, id] :
       {std::tuple{"u-2", kTenantA, "d-1"}, std::tuple{"u-1", kNullTenant, "d-1"},
        std::tuple{"u-1", kTenantA, "d-none"}}) {
    auto r = store().MarkDeviceVerified(tenant, core::UserId(user), id, kNow + 1);
    ASSERT_TRUE(IsOk(r));
    EXPECT_FALSE(*r) << user << " " << id;
  }
  ExpectSameDevice(Devices("u-1", kTenantA).at(0), d);
  auto r = store().MarkDeviceVerified(kTenantA, core::UserId("u-1"), "d-1", kNow + 5);
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(*r);
  d.verified = true;
  d.updated_at = kNow + 5;
  ExpectSameDevice(Devices("u-1", kTenantA).at(0), d);
}

TEST_P(MfaStoreContract, UseDeviceStepAcceptsOnlyIncreasingSteps) {
  AddUser("u-1");
  TotpDevice d = MakeDevice("d-1", "u-1");
  AddDevice(d);
  EXPECT_TRUE(UseStep("u-1", "d-1", 0, kNow + 1)) << "any step beats -1";
  EXPECT_TRUE(UseStep("u-1", "d-1", 100, kNow + 2));
  d.last_step = 100;
  d.last_used_at = kNow + 2;
  ExpectSameDevice(Devices("u-1").at(0), d);
  EXPECT_FALSE(UseStep("u-1", "d-1", 100, kNow + 3)) << "replay";
  EXPECT_FALSE(UseStep("u-1", "d-1", 99, kNow + 3)) << "older step";
  // Wrong user, tenant or device: refused even with a newer step.
  EXPECT_FALSE(UseStep("u-2", "d-1", 200, kNow + 3));
  EXPECT_FALSE(UseStep("u-1", "d-1", 200, kNow + 3, kTenantA));
  EXPECT_FALSE(UseStep("u-1", "d-none", 200, kNow + 3));
  ExpectSameDevice(Devices("u-1").at(0), d);  // nothing changed
  EXPECT_TRUE(UseStep("u-1", "d-1", 101, kNow + 4));
  d.last_step = 101;
  d.last_used_at = kNow + 4;
  ExpectSameDevice(Devices("u-1").at(0), d);
}

TEST_P(MfaStoreContract, ConcurrentSameStepIsAcceptedOnce) {
  AddUser("u-1");
  AddDevice(MakeDevice("d-1", "u-1"));
  int errors = 0;
  int wins = RaceCount(
      [&] { return store().UseDeviceStep(kNullTenant, core::UserId("u-1"), "d-1", 42, kNow); },
      errors);
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(Devices("u-1").at(0).last_step, 42);
}

TEST_P(MfaStoreContract, DeleteDeviceIsScopedToUserAndTenant) {
  AddUser("u-1");
  AddDevice(MakeDevice("d-1", "u-1", kTenantA));
  AddDevice(MakeDevice("d-2", "u-1", kTenantA));
  for (auto [user, tenant] : {std::pair{"u-2", kTenantA}, std::pair{"u-1", kNullTenant}}) {
    auto r = store().DeleteDevice(tenant, core::UserId(user), "d-1");
    ASSERT_TRUE(IsOk(r));
    EXPECT_FALSE(*r) << user;
  }
  EXPECT_THAT(DeviceIds("u-1", kTenantA), ElementsAre("d-1", "d-2"));
  auto r = store().DeleteDevice(kTenantA, core::UserId("u-1"), "d-1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(*r);
  EXPECT_THAT(DeviceIds("u-1", kTenantA), ElementsAre("d-2"));
  r = store().DeleteDevice(kTenantA, core::UserId("u-1"), "d-1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(*r) << "already gone";
}

TEST_P(MfaStoreContract, DeleteAllDevicesCountsAndIsScoped) {
  AddUser("u-1");
  AddUser("u-2");
  AddDevice(MakeDevice("d-1", "u-1"));
  AddDevice(MakeDevice("d-2", "u-1", kNullTenant, "S2"));
  AddDevice(MakeDevice("d-tenant", "u-1", kTenantA));
  AddDevice(MakeDevice("d-u2", "u-2"));
  auto n = store().DeleteAllDevices(kNullTenant, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 2);
  EXPECT_THAT(DeviceIds("u-1"), IsEmpty());
  EXPECT_THAT(DeviceIds("u-1", kTenantA), ElementsAre("d-tenant"));
  EXPECT_THAT(DeviceIds("u-2"), ElementsAre("d-u2"));
  n = store().DeleteAllDevices(kNullTenant, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 0);
}

// --- recovery codes -----------------------------------------------------

TEST_P(MfaStoreContract, ReplaceRecoveryCodesDropsUnusedAndKeepsUsed) {
  AddUser("u-1");
  AddUser("u-2");
  EXPECT_EQ(Unused("u-1"), 0);
  Replace("u-1",
          {MakeRecoveryCode("r-1", "u-1", "aaaa-1111"), MakeRecoveryCode("r-2", "u-1", "bbbb-2222"),
           MakeRecoveryCode("r-3", "u-1", "cccc-3333")});
  Replace("u-2", {MakeRecoveryCode("r-u2", "u-2", "bbbb-2222")});
  Replace("u-1", {MakeRecoveryCode("r-t", "u-1", "bbbb-2222", kTenantA)}, kTenantA);
  EXPECT_EQ(Unused("u-1"), 3);
  EXPECT_TRUE(UseCode("u-1", "aaaa-1111"));
  Replace("u-1", {MakeRecoveryCode("r-4", "u-1", "dddd-4444"),
                  MakeRecoveryCode("r-5", "u-1", "eeee-5555")});
  EXPECT_EQ(Unused("u-1"), 2);
  EXPECT_FALSE(UseCode("u-1", "bbbb-2222")) << "replaced";
  EXPECT_FALSE(UseCode("u-1", "aaaa-1111")) << "used, kept as history";
  EXPECT_TRUE(UseCode("u-1", "dddd-4444"));
  // Other users' and tenants' codes are untouched.
  EXPECT_EQ(Unused("u-2"), 1);
  EXPECT_EQ(Unused("u-1", kTenantA), 1);
  EXPECT_TRUE(UseCode("u-2", "bbbb-2222"));
  EXPECT_TRUE(UseCode("u-1", "bbbb-2222", kNow, kTenantA));
}

TEST_P(MfaStoreContract, FailedReplaceChangesNothing) {
  AddUser("u-1");
  Replace("u-1",
          {MakeRecoveryCode("r-1", "u-1", "aaaa-1111"), MakeRecoveryCode("r-2", "u-1", "bbbb-2222"),
           MakeRecoveryCode("r-3", "u-1", "cccc-3333")});
  ASSERT_TRUE(UseCode("u-1", "aaaa-1111"));
  // r-1 is used, so it survives the deletion and its id stays taken: the
  // insert fails, and the deletion of r-2 and r-3 is undone with it.
  EXPECT_FALSE(store()
                   .ReplaceRecoveryCodes(kNullTenant, core::UserId("u-1"),
                                         {MakeRecoveryCode("r-new", "u-1", "ffff-6666"),
                                          MakeRecoveryCode("r-1", "u-1", "gggg-7777")})
                   .ok());
  // An id repeated within one call fails the same way.
  EXPECT_FALSE(store()
                   .ReplaceRecoveryCodes(kNullTenant, core::UserId("u-1"),
                                         {MakeRecoveryCode("r-dup", "u-1", "ffff-6666"),
                                          MakeRecoveryCode("r-dup", "u-1", "gggg-7777")})
                   .ok());
  EXPECT_EQ(Unused("u-1"), 2);
  EXPECT_FALSE(UseCode("u-1", "ffff-6666"));
  EXPECT_FALSE(UseCode("u-1", "gggg-7777"));
  EXPECT_TRUE(UseCode("u-1", "bbbb-2222"));
  EXPECT_TRUE(UseCode("u-1", "cccc-3333"));
  // The id of a replaced (unused) code may be reused.
  Replace("u-1", {MakeRecoveryCode("r-9", "u-1", "hhhh-8888")});
  Replace("u-1", {MakeRecoveryCode("r-9", "u-1", "iiii-9999")});
  EXPECT_EQ(Unused("u-1"), 1);
  EXPECT_TRUE(UseCode("u-1", "iiii-9999"));
}

TEST_P(MfaStoreContract, RecoveryCodeIsUsedOnceAndOnlyByItsOwner) {
  AddUser("u-1");
  AddUser("u-2");
  Replace("u-1", {MakeRecoveryCode("r-1", "u-1", "aaaa-1111"),
                  MakeRecoveryCode("r-2", "u-1", "bbbb-2222")});
  Replace("u-2", {MakeRecoveryCode("r-u2", "u-2", "aaaa-1111")});
  EXPECT_FALSE(UseCode("u-1", "zzzz-0000")) << "wrong code";
  EXPECT_FALSE(UseCode("u-1", "aaaa-1111", kNow, kTenantA)) << "wrong tenant";
  EXPECT_FALSE(UseCode("nobody", "aaaa-1111"));
  EXPECT_EQ(Unused("u-1"), 2);
  EXPECT_TRUE(UseCode("u-1", "aaaa-1111"));
  EXPECT_FALSE(UseCode("u-1", "aaaa-1111")) << "second use";
  EXPECT_EQ(Unused("u-1"), 1);
  EXPECT_EQ(Unused("u-2"), 1) << "the same code of another user is untouched";
  EXPECT_TRUE(UseCode("u-2", "aaaa-1111"));
}

TEST_P(MfaStoreContract, ConcurrentUsesOfOneRecoveryCodeSucceedOnce) {
  AddUser("u-1");
  Replace("u-1", {MakeRecoveryCode("r-1", "u-1", "aaaa-1111"),
                  MakeRecoveryCode("r-2", "u-1", "bbbb-2222")});
  int errors = 0;
  int wins = RaceCount(
      [&] {
        return store().UseRecoveryCode(kNullTenant, core::UserId("u-1"), MfaHash("aaaa-1111"),
                                       kNow);
      },
      errors);
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(Unused("u-1"), 1);
}

TEST_P(MfaStoreContract, CountUnusedRecoveryCodesCountsEachUnusedRow) {
  AddUser("u-1");
  RecoveryCode used = MakeRecoveryCode("r-used", "u-1", "aaaa-1111");
  used.used_at = kNow - 1;
  // A set holding one code twice: each use takes one row.
  Replace("u-1", {used, MakeRecoveryCode("r-1", "u-1", "bbbb-2222"),
                  MakeRecoveryCode("r-2", "u-1", "bbbb-2222", kNullTenant, kNow + 1),
                  MakeRecoveryCode("r-3", "u-1", "cccc-3333")});
  EXPECT_EQ(Unused("u-1"), 3);
  EXPECT_FALSE(UseCode("u-1", "aaaa-1111")) << "stored as used";
  EXPECT_TRUE(UseCode("u-1", "bbbb-2222"));
  EXPECT_EQ(Unused("u-1"), 2);
  EXPECT_TRUE(UseCode("u-1", "bbbb-2222"));
  EXPECT_FALSE(UseCode("u-1", "bbbb-2222"));
  EXPECT_EQ(Unused("u-1"), 1);
  EXPECT_EQ(Unused("u-1", kTenantA), 0);
  Replace("u-1", {});
  EXPECT_EQ(Unused("u-1"), 0);
}

// --- trusted devices ------------------------------------------------------

TEST_P(MfaStoreContract, TrustedDeviceRoundTripsEveryFieldNewestFirst) {
  AddUser("u-1");
  AddUser("u-2");
  TrustedDevice used = MakeTrusted("t-used", "u-1", "tok-1", kTenantA, kNow - 30);
  used.last_used_at = kNow - 20;
  used.revoked = true;
  TrustedDevice fresh = MakeTrusted("t-fresh", "u-1", "tok-2", kTenantA, kNow - 10);
  TrustedDevice tie = MakeTrusted("t-a", "u-1", "tok-3", kTenantA, kNow - 10);
  AddTrusted(used);
  AddTrusted(tie);
  AddTrusted(fresh);
  AddTrusted(MakeTrusted("t-u2", "u-2", "tok-1", kTenantA));
  AddTrusted(MakeTrusted("t-null", "u-1", "tok-1"));
  std::vector<TrustedDevice> got = Trusted("u-1", kTenantA);
  ASSERT_EQ(got.size(), 3u);
  ExpectSameTrusted(got[0], fresh);  // same created_at: id descending
  ExpectSameTrusted(got[1], tie);
  ExpectSameTrusted(got[2], used);
  EXPECT_EQ(got[0].last_used_at, std::nullopt);
  EXPECT_FALSE(got[0].revoked);
  EXPECT_EQ(Trusted("u-1").size(), 1u);
  EXPECT_THAT(Trusted("u-1", kTenantB), IsEmpty());
}

TEST_P(MfaStoreContract, TrustedDeviceWorksUntilItExpires) {
  AddUser("u-1");
  TrustedDevice d = MakeTrusted("t-1", "u-1", "tok-1");
  AddTrusted(d);
  EXPECT_TRUE(UseTrusted("u-1", "tok-1", kNow + kHour));
  d.last_used_at = kNow + kHour;
  ExpectSameTrusted(Trusted("u-1").at(0), d);
  EXPECT_TRUE(UseTrusted("u-1", "tok-1", d.expires_at - 1));
  d.last_used_at = d.expires_at - 1;
  EXPECT_FALSE(UseTrusted("u-1", "tok-1", d.expires_at)) << "expired at expires_at";
  EXPECT_FALSE(UseTrusted("u-1", "tok-1", d.expires_at + kHour));
  ExpectSameTrusted(Trusted("u-1").at(0), d);  // a refusal changes nothing
}

TEST_P(MfaStoreContract, TrustedDeviceIsScopedToItsUserTenantAndToken) {
  AddUser("u-1");
  AddUser("u-2");
  TrustedDevice d = MakeTrusted("t-1", "u-1", "tok-1", kTenantA);
  AddTrusted(d);
  EXPECT_FALSE(UseTrusted("u-2", "tok-1", kNow, kTenantA)) << "other user";
  EXPECT_FALSE(UseTrusted("u-1", "tok-1", kNow, kTenantB)) << "other tenant";
  EXPECT_FALSE(UseTrusted("u-1", "tok-1", kNow, kNullTenant)) << "null tenant";
  EXPECT_FALSE(UseTrusted("u-1", "tok-x", kNow, kTenantA)) << "wrong token";
  ExpectSameTrusted(Trusted("u-1", kTenantA).at(0), d);
  EXPECT_TRUE(UseTrusted("u-1", "tok-1", kNow, kTenantA));
}

TEST_P(MfaStoreContract, RevokeTrustedDevicesCountsLiveOnesAndEndsThem) {
  AddUser("u-1");
  AddUser("u-2");
  AddTrusted(MakeTrusted("t-1", "u-1", "tok-1"));
  AddTrusted(MakeTrusted("t-2", "u-1", "tok-2", kNullTenant, kNow + 1));
  TrustedDevice gone = MakeTrusted("t-3", "u-1", "tok-3", kNullTenant, kNow + 2);
  gone.revoked = true;
  AddTrusted(gone);
  AddTrusted(MakeTrusted("t-u2", "u-2", "tok-1"));
  AddTrusted(MakeTrusted("t-tenant", "u-1", "tok-1", kTenantA));
  EXPECT_FALSE(UseTrusted("u-1", "tok-3")) << "stored revoked";
  auto n = store().RevokeTrustedDevices(kNullTenant, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 2);
  for (const TrustedDevice& d : Trusted("u-1")) EXPECT_TRUE(d.revoked) << d.id;
  EXPECT_FALSE(UseTrusted("u-1", "tok-1"));
  EXPECT_FALSE(UseTrusted("u-1", "tok-2"));
  n = store().RevokeTrustedDevices(kNullTenant, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 0);
  // Other users and tenants keep theirs.
  EXPECT_TRUE(UseTrusted("u-2", "tok-1"));
  EXPECT_TRUE(UseTrusted("u-1", "tok-1", kNow, kTenantA));
}

}  // namespace
}  // namespace authd::store::contract
