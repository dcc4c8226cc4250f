#include "store/contract/session_store_contract.h"

#include <algorithm>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include <gmock/gmock.h>

namespace authd::store::contract {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SessionStoreContract);

void ExpectSameUser(const identity::User& got, const identity::User& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.email, want.email);
  EXPECT_EQ(got.email_verified_at, want.email_verified_at);
  EXPECT_EQ(got.phone, want.phone);
  EXPECT_EQ(got.phone_verified_at, want.phone_verified_at);
  EXPECT_EQ(got.password_hash, std::nullopt) << "never kept in session data";
  EXPECT_EQ(got.is_active, want.is_active);
  EXPECT_EQ(got.must_change_password, want.must_change_password);
  EXPECT_EQ(got.metadata_json, want.metadata_json);
  EXPECT_EQ(got.is_mfa_enabled, want.is_mfa_enabled);
  EXPECT_EQ(got.mfa_recovery_code, want.mfa_recovery_code);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

void ExpectSameData(const session::SessionData& got, const session::SessionData& want) {
  ExpectSameUser(got.user, want.user);
  EXPECT_EQ(got.is_mfa_verified, want.is_mfa_verified);
  EXPECT_EQ(got.is_mfa_enabled, want.is_mfa_enabled);
  ASSERT_EQ(got.roles.size(), want.roles.size());
  for (std::size_t i = 0; i < want.roles.size(); ++i) {
    EXPECT_EQ(got.roles[i].id, want.roles[i].id);
    EXPECT_EQ(got.roles[i].name, want.roles[i].name);
    EXPECT_EQ(got.roles[i].guard, want.roles[i].guard);
    EXPECT_EQ(got.roles[i].tenant_id, want.roles[i].tenant_id);
    EXPECT_EQ(got.roles[i].is_system, want.roles[i].is_system);
    EXPECT_EQ(got.roles[i].is_active, want.roles[i].is_active);
  }
  EXPECT_EQ(got.permissions, want.permissions);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.is_platform_access, want.is_platform_access);
}

void ExpectSameSession(const session::Session& got, const session::Session& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.refresh_hash, want.refresh_hash);
  EXPECT_EQ(got.prev_refresh_hash, want.prev_refresh_hash);
  EXPECT_EQ(got.rotated_at, want.rotated_at);
  ExpectSameData(got.data, want.data);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.user_agent, want.user_agent);
  EXPECT_EQ(got.device_name, want.device_name);
  EXPECT_EQ(got.ip_address, want.ip_address);
  EXPECT_EQ(got.last_active, want.last_active);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

// Session data with every field set to a non-default value.
session::SessionData RichData(const std::string& user) {
  session::SessionData d;
  d.user = MakeUser(user, user + "@example.com", "+15550001");
  d.user.email_verified_at = 1'700'000'001'001;
  d.user.phone_verified_at = 946'684'800'000;  // 2000-01-01T00:00:00.000Z
  d.user.is_active = false;
  d.user.must_change_password = true;
  // Compact JSON without floats round-trips byte for byte.
  d.user.metadata_json = R"({"name":"Zoë","tags":["a","b"],"n":3,"x":{"y":null,"b":true}})";
  d.user.is_mfa_enabled = true;
  d.user.mfa_recovery_code = "c0ffee";
  d.is_mfa_verified = true;
  d.is_mfa_enabled = true;
  d.roles = {{"r-1", "admin", "web", kTenantA, true, false},
             {"r-2", "viewer", "api", kNullTenant, false, true}};
  d.permissions = {"users.read", "users.write"};
  d.tenant_id = kTenantA;
  d.is_platform_access = true;
  return d;
}

TEST_P(SessionStoreContract, CreateThenGetReturnsEveryField) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1", kTenantA);
  s.prev_refresh_hash = "older-hash";
  s.rotated_at = kNow - 5;
  s.data = RichData("u-1");
  s.data.user.password_hash = "$argon2id$secret";  // must be dropped
  Put(s);
  std::optional<session::Session> got = GetAt(kTenantA, "s-1");
  ASSERT_TRUE(got.has_value());
  ExpectSameSession(*got, s);
}

TEST_P(SessionStoreContract, SessionDataDefaultsRoundTrip) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1");
  s.data.is_mfa_enabled = std::nullopt;  // absent, not false
  Put(s);
  std::optional<session::Session> got = GetAt(kNullTenant, "s-1");
  ASSERT_TRUE(got.has_value());
  ExpectSameSession(*got, s);
  EXPECT_FALSE(got->data.is_mfa_enabled.has_value());

  session::Session s2 = MakeSession("s-2", "u-1");
  s2.data.is_mfa_enabled = false;  // present and false stays so
  Put(s2);
  got = GetAt(kNullTenant, "s-2");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data.is_mfa_enabled, std::optional<bool>(false));
}

TEST_P(SessionStoreContract, GetUnknownOrInAnotherTenantFindsNothing) {
  AddUser("u-1");
  Put(MakeSession("s-1", "u-1", kTenantA));
  EXPECT_FALSE(GetAt(kTenantA, "nope").has_value());
  EXPECT_FALSE(GetAt(kTenantB, "s-1").has_value());
  EXPECT_FALSE(GetAt(kNullTenant, "s-1").has_value());
  EXPECT_TRUE(GetAt(kTenantA, "s-1").has_value()) << "untouched by the misses";
}

TEST_P(SessionStoreContract, ExpiredSessionIsAbsentAndDeleted) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1");
  s.expires_at = kNow + 1000;
  Put(s);
  EXPECT_TRUE(GetAt(kNullTenant, "s-1", kNow + 999).has_value());
  EXPECT_FALSE(GetAt(kNullTenant, "s-1", kNow + 1000).has_value()) << "at expiry";
  // Deleted: not even an earlier clock brings it back.
  EXPECT_FALSE(GetAt(kNullTenant, "s-1", kNow).has_value());
  EXPECT_THAT(ListIds("u-1"), IsEmpty());
}

TEST_P(SessionStoreContract, MaxSessionsEvictsLeastRecentlyActive) {
  AddUser("u-1");
  Put(MakeSession("s-1", "u-1", kNullTenant, kNow - 100), 3);
  Put(MakeSession("s-2", "u-1", kNullTenant, kNow - 300), 3);  // least active
  Put(MakeSession("s-3", "u-1", kNullTenant, kNow - 200), 3);
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-1", "s-3", "s-2"));
  Put(MakeSession("s-4", "u-1", kNullTenant, kNow), 3);
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-4", "s-1", "s-3"));
  EXPECT_FALSE(GetAt(kNullTenant, "s-2").has_value());
}

TEST_P(SessionStoreContract, MaxSessionsTrimsDownToMaxMinusOneBeforeInsert) {
  AddUser("u-1");
  for (int i = 1; i <= 5; ++i) {
    Put(MakeSession("s-" + std::to_string(i), "u-1", kNullTenant, kNow - 10 * i));
  }
  // Limit lowered to 2: the four least active go, the newest stays.
  Put(MakeSession("s-new", "u-1", kNullTenant, kNow), 2);
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-new", "s-1"));
}

TEST_P(SessionStoreContract, MaxSessionsCountsOnlyLiveSessionsOfThatUser) {
  AddUser("u-1");
  AddUser("u-2");
  session::Session dead = MakeSession("s-dead", "u-1", kNullTenant, kNow - 500);
  dead.expires_at = kNow - 1;
  Put(dead, 0, kNow - 1000);
  Put(MakeSession("s-1", "u-1", kNullTenant, kNow - 100), 2);
  Put(MakeSession("s-other", "u-2", kNullTenant, kNow - 900), 2);
  Put(MakeSession("s-2", "u-1", kNullTenant, kNow - 50), 2);
  // u-1 had one live session (s-1) < 2: nothing live evicted.
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-2", "s-1"));
  EXPECT_THAT(ListIds("u-2"), ElementsAre("s-other"));
}

TEST_P(SessionStoreContract, MaxSessionsSpansTenants) {
  AddUser("u-1");
  Put(MakeSession("s-a", "u-1", kTenantA, kNow - 300), 2);
  Put(MakeSession("s-b", "u-1", kTenantB, kNow - 200), 2);
  Put(MakeSession("s-n", "u-1", kNullTenant, kNow - 100), 2);
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-n", "s-b"));
}

TEST_P(SessionStoreContract, MaxSessionsZeroMeansNoLimit) {
  AddUser("u-1");
  for (int i = 0; i < 12; ++i) {
    Put(MakeSession("s-" + std::to_string(i), "u-1", kNullTenant, kNow - i), 0);
  }
  EXPECT_EQ(ListIds("u-1").size(), 12u);
}

TEST_P(SessionStoreContract, RotateWithCurrentHashUpdatesSession) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1", kTenantA, kNow - 1000);
  Put(s);
  session::Rotation r;
  r.expected_hash = s.refresh_hash;
  r.new_hash = "hash-next";
  r.rotated_at = kNow + 10;
  r.data = RichData("u-1");
  r.expires_at = kNow + 48 * kHour;
  auto ok = sessions().Rotate(kTenantA, s.id, r);
  ASSERT_TRUE(IsOk(ok));
  EXPECT_TRUE(*ok);

  std::optional<session::Session> got = GetAt(kTenantA, "s-1");
  ASSERT_TRUE(got.has_value());
  session::Session want = s;
  want.refresh_hash = "hash-next";
  want.prev_refresh_hash = s.refresh_hash;
  want.rotated_at = r.rotated_at;
  want.data = r.data;
  want.expires_at = r.expires_at;
  want.last_active = r.rotated_at;
  want.updated_at = r.rotated_at;
  ExpectSameSession(*got, want);
}

TEST_P(SessionStoreContract, RotateWithStaleHashFailsAndChangesNothing) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1");
  Put(s);
  session::Rotation r;
  r.expected_hash = s.refresh_hash;
  r.new_hash = "hash-2";
  r.rotated_at = kNow + 1;
  r.data = s.data;
  r.expires_at = s.expires_at + 1;
  ASSERT_TRUE(*sessions().Rotate(kNullTenant, s.id, r));
  std::optional<session::Session> before = GetAt(kNullTenant, "s-1");
  ASSERT_TRUE(before.has_value());

  session::Rotation stale = r;  // presents the replaced hash again
  stale.new_hash = "hash-3";
  stale.rotated_at = kNow + 2;
  stale.data = RichData("u-1");
  stale.expires_at = s.expires_at + 99;
  auto res = sessions().Rotate(kNullTenant, s.id, stale);
  ASSERT_TRUE(IsOk(res));
  EXPECT_FALSE(*res);
  std::optional<session::Session> after = GetAt(kNullTenant, "s-1");
  ASSERT_TRUE(after.has_value());
  ExpectSameSession(*after, *before);
}

TEST_P(SessionStoreContract, RotateUnknownOrWrongTenantIsFalse) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1", kTenantA);
  Put(s);
  session::Rotation r;
  r.expected_hash = s.refresh_hash;
  r.new_hash = "hash-2";
  r.rotated_at = kNow;
  r.data = s.data;
  r.expires_at = s.expires_at;
  EXPECT_FALSE(*sessions().Rotate(kTenantB, s.id, r));
  EXPECT_FALSE(*sessions().Rotate(kNullTenant, s.id, r));
  EXPECT_FALSE(*sessions().Rotate(kTenantA, core::SessionId("nope"), r));
  EXPECT_EQ(GetAt(kTenantA, "s-1").value().refresh_hash, s.refresh_hash);
}

TEST_P(SessionStoreContract, ConcurrentRotationsWithSameHashHaveOneWinner) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1", kTenantA);
  Put(s);
  constexpr int kThreads = 16;
  std::latch start(kThreads);
  std::atomic<int> wins{0}, errors{0}, winner{-1};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      session::Rotation r;
      r.expected_hash = s.refresh_hash;
      r.new_hash = "hash-from-" + std::to_string(t);
      r.rotated_at = kNow + t;
      r.data = s.data;
      r.expires_at = s.expires_at;
      start.arrive_and_wait();
      auto res = sessions().Rotate(kTenantA, s.id, r);
      if (!res.ok()) {
        ++errors;
      } else if (*res) {
        ++wins;
        winner = t;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(wins.load(), 1);
  std::optional<session::Session> got = GetAt(kTenantA, "s-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->refresh_hash, "hash-from-" + std::to_string(winner.load()));
  EXPECT_EQ(got->prev_refresh_hash, s.refresh_hash);
}

TEST_P(SessionStoreContract, DeleteRemovesOnceAndOnlyInItsTenant) {
  AddUser("u-1");
  Put(MakeSession("s-1", "u-1", kTenantA));
  EXPECT_FALSE(*sessions().Delete(kTenantB, core::SessionId("s-1")));
  EXPECT_FALSE(*sessions().Delete(kNullTenant, core::SessionId("s-1")));
  EXPECT_TRUE(*sessions().Delete(kTenantA, core::SessionId("s-1")));
  EXPECT_FALSE(*sessions().Delete(kTenantA, core::SessionId("s-1")));
  EXPECT_FALSE(GetAt(kTenantA, "s-1").has_value());
}

TEST_P(SessionStoreContract, DeleteAllForUserSpansTenantsAndSparesOthers) {
  AddUser("u-1");
  AddUser("u-2");
  Put(MakeSession("s-n", "u-1", kNullTenant));
  Put(MakeSession("s-a", "u-1", kTenantA));
  Put(MakeSession("s-b", "u-1", kTenantB));
  Put(MakeSession("s-other", "u-2", kTenantA));
  auto n = sessions().DeleteAllForUser(core::UserId("u-1"));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 3);
  EXPECT_THAT(ListIds("u-1"), IsEmpty());
  EXPECT_FALSE(GetAt(kTenantB, "s-b").has_value());
  EXPECT_TRUE(GetAt(kTenantA, "s-other").has_value());
  EXPECT_EQ(*sessions().DeleteAllForUser(core::UserId("u-1")), 0);
}

TEST_P(SessionStoreContract, ListForUserIsMostRecentFirstAndLiveOnly) {
  AddUser("u-1");
  AddUser("u-2");
  Put(MakeSession("s-old", "u-1", kTenantA, kNow - 300));
  Put(MakeSession("s-new", "u-1", kNullTenant, kNow - 100));
  Put(MakeSession("s-mid", "u-1", kTenantB, kNow - 200));
  session::Session soon = MakeSession("s-soon", "u-1", kNullTenant, kNow);
  soon.expires_at = kNow + 10;
  Put(soon);
  Put(MakeSession("s-x", "u-2"));
  EXPECT_THAT(ListIds("u-1"), ElementsAre("s-soon", "s-new", "s-mid", "s-old"));
  EXPECT_THAT(ListIds("u-1", kNow + 10), ElementsAre("s-new", "s-mid", "s-old"));
  EXPECT_THAT(ListIds("nobody"), IsEmpty());
  auto all = sessions().ListForUser(core::UserId("u-1"), kNow);
  ASSERT_TRUE(IsOk(all));
  std::vector<std::string> tenants;
  for (const session::Session& s : *all) {
    tenants.push_back(s.tenant_id ? s.tenant_id->str() : "<null>");
  }
  EXPECT_THAT(tenants, UnorderedElementsAre("<null>", "<null>", "tenant-a", "tenant-b"));
}

// The guard reader answers what SessionStore::Get then
// UserStore::FindUserById answer.
std::optional<session::SessionAndUser> ReadGuard(session::GuardReader& guard,
                                                 const core::TenantId& tenant,
                                                 const std::string& id,
                                                 core::UnixMillis now = kNow) {
  auto r = guard.Read(tenant, core::SessionId(id), now);
  EXPECT_TRUE(IsOk(r));
  return r.ok() ? std::move(*r) : std::nullopt;
}

TEST_P(SessionStoreContract, GuardReaderReturnsSessionAndUser) {
  AddUser("u-1", kTenantA);
  session::Session s = MakeSession("s-1", "u-1", kTenantA);
  s.data = RichData("u-1");
  Put(s);
  ASSERT_TRUE(IsOk(users().SetMfaEnabled(kTenantA, core::UserId("u-1"), true, kNow + 7)));
  std::optional<session::SessionAndUser> got = ReadGuard(guard(), kTenantA, "s-1");
  ASSERT_TRUE(got.has_value());
  ExpectSameSession(got->session, s);
  auto want = users().FindUserById(kTenantA, core::UserId("u-1"));
  ASSERT_TRUE(IsOk(want));
  ASSERT_TRUE(want->has_value());
  ASSERT_TRUE(got->user.has_value());
  const identity::User& u = *got->user;
  EXPECT_EQ(u.id, (*want)->id);
  EXPECT_EQ(u.email, (*want)->email);
  EXPECT_EQ(u.email_verified_at, (*want)->email_verified_at);
  EXPECT_EQ(u.phone, (*want)->phone);
  EXPECT_EQ(u.password_hash, (*want)->password_hash);
  EXPECT_EQ(u.is_active, (*want)->is_active);
  EXPECT_EQ(u.must_change_password, (*want)->must_change_password);
  EXPECT_EQ(u.metadata_json, (*want)->metadata_json);
  EXPECT_TRUE(u.is_mfa_enabled) << "the user's row, not the session's snapshot";
  EXPECT_EQ(u.mfa_recovery_code, (*want)->mfa_recovery_code);
  EXPECT_EQ(u.created_at, (*want)->created_at);
  EXPECT_EQ(u.updated_at, (*want)->updated_at);
}

TEST_P(SessionStoreContract, GuardReaderHonoursTheTenant) {
  AddUser("u-1", kTenantA);
  Put(MakeSession("s-a", "u-1", kTenantA));
  Put(MakeSession("s-b", "u-1", kTenantB));  // the user is no member of B
  EXPECT_FALSE(ReadGuard(guard(), kTenantA, "nope").has_value());
  EXPECT_FALSE(ReadGuard(guard(), kTenantB, "s-a").has_value());
  EXPECT_FALSE(ReadGuard(guard(), kNullTenant, "s-a").has_value());
  std::optional<session::SessionAndUser> b = ReadGuard(guard(), kTenantB, "s-b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->session.id.str(), "s-b");
  EXPECT_FALSE(b->user.has_value()) << "FindUserById(tenant-b) finds no user";
}

TEST_P(SessionStoreContract, GuardReaderDeletesAnExpiredSession) {
  AddUser("u-1");
  session::Session s = MakeSession("s-1", "u-1");
  s.expires_at = kNow + 1000;
  Put(s);
  EXPECT_TRUE(ReadGuard(guard(), kNullTenant, "s-1", kNow + 999).has_value());
  EXPECT_FALSE(ReadGuard(guard(), kNullTenant, "s-1", kNow + 1000).has_value()) << "at expiry";
  EXPECT_FALSE(GetAt(kNullTenant, "s-1", kNow).has_value()) << "deleted";
}

TEST_P(SessionStoreContract, GuardReaderSeesUserWritesAndLogouts) {
  AddUser("u-1");
  Put(MakeSession("s-1", "u-1"));
  ASSERT_TRUE(ReadGuard(guard(), kNullTenant, "s-1").has_value());
  ASSERT_TRUE(IsOk(users().SetMfaEnabled(kNullTenant, core::UserId("u-1"), true, kNow + 1)));
  std::optional<session::SessionAndUser> got = ReadGuard(guard(), kNullTenant, "s-1");
  ASSERT_TRUE(got.has_value() && got->user.has_value());
  EXPECT_TRUE(got->user->is_mfa_enabled);
  ASSERT_TRUE(*sessions().Delete(kNullTenant, core::SessionId("s-1")));
  EXPECT_FALSE(ReadGuard(guard(), kNullTenant, "s-1").has_value());
}

}  // namespace
}  // namespace authd::store::contract
