#include "store/contract/user_store_contract.h"

#include <atomic>
#include <latch>
#include <thread>

namespace authd::store::contract {
namespace {

using identity::CreateUserOutcome;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UserStoreContract);

TEST_P(UserStoreContract, CreatedUserRoundTripsEveryField) {
  identity::User u = MakeUser("u-1", "alice@example.com", "+15550001");
  u.email_verified_at = 1'700'000'001'001;
  u.phone_verified_at = 1'700'000'002'002;
  u.is_active = false;
  u.must_change_password = true;
  u.metadata_json = R"({"name":"Alice","age":30})";
  u.is_mfa_enabled = true;
  u.mfa_recovery_code = "abc123";
  ASSERT_EQ(Create(kNullTenant, u), CreateUserOutcome::kCreated);

  std::optional<identity::User> got = ById(kNullTenant, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, u.id);
  EXPECT_EQ(got->email, u.email);
  EXPECT_EQ(got->email_verified_at, u.email_verified_at);
  EXPECT_EQ(got->phone, u.phone);
  EXPECT_EQ(got->phone_verified_at, u.phone_verified_at);
  EXPECT_EQ(got->password_hash, u.password_hash);  // the store keeps it
  EXPECT_EQ(got->is_active, u.is_active);
  EXPECT_EQ(got->must_change_password, u.must_change_password);
  EXPECT_EQ(got->metadata_json, u.metadata_json);
  EXPECT_EQ(got->is_mfa_enabled, u.is_mfa_enabled);
  EXPECT_EQ(got->mfa_recovery_code, u.mfa_recovery_code);
  EXPECT_EQ(got->created_at, u.created_at);
  EXPECT_EQ(got->updated_at, u.updated_at);
}

TEST_P(UserStoreContract, UnsetOptionalFieldsStayUnset) {
  identity::User u = MakeUser("u-1", std::nullopt);
  u.password_hash.reset();
  std::vector<identity::Identity> ids = {MakeIdentity(u, kNullTenant, "github", "12345")};
  auto r = users().CreateUser(kNullTenant, u, ids, true);
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(*r, CreateUserOutcome::kCreated);
  std::optional<identity::User> got = ByIdentity(kNullTenant, "github", "12345");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->email, std::nullopt);
  EXPECT_EQ(got->email_verified_at, std::nullopt);
  EXPECT_EQ(got->phone, std::nullopt);
  EXPECT_EQ(got->phone_verified_at, std::nullopt);
  EXPECT_EQ(got->password_hash, std::nullopt);
  EXPECT_EQ(got->mfa_recovery_code, std::nullopt);
  EXPECT_EQ(got->metadata_json, "{}");
  EXPECT_TRUE(got->is_active);
}

TEST_P(UserStoreContract, FindsUserByEachIdentity) {
  identity::User u = MakeUser("u-1", "alice@example.com", "+15550001");
  ASSERT_EQ(Create(kTenantA, u), CreateUserOutcome::kCreated);
  auto by_email = ByIdentity(kTenantA, "email", "alice@example.com");
  auto by_phone = ByIdentity(kTenantA, "phone", "+15550001");
  ASSERT_TRUE(by_email.has_value());
  ASSERT_TRUE(by_phone.has_value());
  EXPECT_EQ(by_email->id.str(), "u-1");
  EXPECT_EQ(by_phone->id.str(), "u-1");
  EXPECT_TRUE(Exists(kTenantA, "email", "alice@example.com"));
  EXPECT_TRUE(Exists(kTenantA, "phone", "+15550001"));
}

TEST_P(UserStoreContract, SetPasswordReplacesHashAndClearsMustChange) {
  identity::User u = MakeUser("u-1", "alice@example.com");
  u.must_change_password = true;
  ASSERT_EQ(Create(kTenantA, u), CreateUserOutcome::kCreated);
  auto changed = users().SetPassword(kTenantA, u.id, "$argon2id$new", 1'700'000'009'000);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  auto after = ById(kTenantA, "u-1");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->password_hash, std::optional<std::string>("$argon2id$new"));
  EXPECT_FALSE(after->must_change_password);
  EXPECT_EQ(after->updated_at, 1'700'000'009'000);
  // Another tenant's view of the id changes nothing.
  auto wrong_tenant = users().SetPassword(kTenantB, u.id, "$argon2id$evil", 1);
  ASSERT_TRUE(wrong_tenant.ok());
  EXPECT_FALSE(*wrong_tenant);
  EXPECT_EQ(ById(kTenantA, "u-1")->password_hash, std::optional<std::string>("$argon2id$new"));
  auto unknown = users().SetPassword(kTenantA, core::UserId("nobody"), "x", 1);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(*unknown);
}

TEST_P(UserStoreContract, MarkVerifiedSetsOnlyThatChannel) {
  identity::User u = MakeUser("u-1", "alice@example.com", "+15550001");
  ASSERT_EQ(Create(kTenantA, u), CreateUserOutcome::kCreated);
  auto email =
      users().MarkVerified(kTenantA, u.id, identity::VerifiedChannel::kEmail, 1'700'000'010'000);
  ASSERT_TRUE(IsOk(email));
  EXPECT_TRUE(*email);
  std::optional<identity::User> got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->email_verified_at, std::optional<core::UnixMillis>(1'700'000'010'000));
  EXPECT_EQ(got->phone_verified_at, std::nullopt);
  EXPECT_EQ(got->updated_at, 1'700'000'010'000);
  EXPECT_EQ(got->password_hash, u.password_hash) << "nothing else changes";

  auto phone =
      users().MarkVerified(kTenantA, u.id, identity::VerifiedChannel::kPhone, 1'700'000'020'000);
  ASSERT_TRUE(IsOk(phone));
  EXPECT_TRUE(*phone);
  got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->email_verified_at, std::optional<core::UnixMillis>(1'700'000'010'000));
  EXPECT_EQ(got->phone_verified_at, std::optional<core::UnixMillis>(1'700'000'020'000));
  EXPECT_EQ(got->updated_at, 1'700'000'020'000);

  // Another tenant's view of the id, or an unknown id, changes nothing.
  for (const core::TenantId& other : {kTenantB, kNullTenant}) {
    auto r = users().MarkVerified(other, u.id, identity::VerifiedChannel::kEmail, 1);
    ASSERT_TRUE(IsOk(r));
    EXPECT_FALSE(*r);
  }
  auto unknown =
      users().MarkVerified(kTenantA, core::UserId("nobody"), identity::VerifiedChannel::kPhone, 1);
  ASSERT_TRUE(IsOk(unknown));
  EXPECT_FALSE(*unknown);
  got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->email_verified_at, std::optional<core::UnixMillis>(1'700'000'010'000));
  EXPECT_EQ(got->updated_at, 1'700'000'020'000);
}

TEST_P(UserStoreContract, SetMfaEnabledSwitchesTheFlagInItsTenantOnly) {
  identity::User u = MakeUser("u-1", "alice@example.com");
  ASSERT_EQ(Create(kTenantA, u), CreateUserOutcome::kCreated);
  auto on = users().SetMfaEnabled(kTenantA, u.id, true, 1'700'000'030'000);
  ASSERT_TRUE(IsOk(on));
  EXPECT_TRUE(*on);
  std::optional<identity::User> got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->is_mfa_enabled);
  EXPECT_EQ(got->updated_at, 1'700'000'030'000);
  EXPECT_EQ(got->password_hash, u.password_hash) << "nothing else changes";
  EXPECT_EQ(got->email_verified_at, std::nullopt);

  // Another tenant's view of the id, or an unknown id, changes nothing.
  for (const core::TenantId& other : {kTenantB, kNullTenant}) {
    auto r = users().SetMfaEnabled(other, u.id, false, 1);
    ASSERT_TRUE(IsOk(r));
    EXPECT_FALSE(*r);
  }
  auto unknown = users().SetMfaEnabled(kTenantA, core::UserId("nobody"), false, 1);
  ASSERT_TRUE(IsOk(unknown));
  EXPECT_FALSE(*unknown);
  got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->is_mfa_enabled);
  EXPECT_EQ(got->updated_at, 1'700'000'030'000);

  auto off = users().SetMfaEnabled(kTenantA, u.id, false, 1'700'000'040'000);
  ASSERT_TRUE(IsOk(off));
  EXPECT_TRUE(*off);
  got = ById(kTenantA, "u-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->is_mfa_enabled);
  EXPECT_EQ(got->updated_at, 1'700'000'040'000);
  // Setting the current value again still succeeds.
  auto again = users().SetMfaEnabled(kTenantA, u.id, false, 1'700'000'050'000);
  ASSERT_TRUE(IsOk(again));
  EXPECT_TRUE(*again);
  EXPECT_EQ(ById(kTenantA, "u-1")->updated_at, 1'700'000'050'000);
}

TEST_P(UserStoreContract, UnknownLookupsFindNothing) {
  EXPECT_FALSE(ById(kNullTenant, "nobody").has_value());
  EXPECT_FALSE(ByIdentity(kNullTenant, "email", "nobody@example.com").has_value());
  EXPECT_FALSE(Exists(kNullTenant, "email", "nobody@example.com"));
  ASSERT_EQ(Create(kNullTenant, MakeUser("u-1", "alice@example.com")), CreateUserOutcome::kCreated);
  // Same provider id under another provider is another identity.
  EXPECT_FALSE(Exists(kNullTenant, "phone", "alice@example.com"));
  EXPECT_FALSE(ByIdentity(kNullTenant, "google", "alice@example.com").has_value());
}

TEST_P(UserStoreContract, LookupsInAnotherTenantFindNothing) {
  ASSERT_EQ(Create(kTenantA, MakeUser("u-1", "alice@example.com")), CreateUserOutcome::kCreated);
  for (const core::TenantId& other : {kTenantB, kNullTenant}) {
    EXPECT_FALSE(ById(other, "u-1").has_value());
    EXPECT_FALSE(ByIdentity(other, "email", "alice@example.com").has_value());
    EXPECT_FALSE(Exists(other, "email", "alice@example.com"));
  }
  EXPECT_TRUE(ById(kTenantA, "u-1").has_value());
}

TEST_P(UserStoreContract, NullTenantUserIsInvisibleInNamedTenants) {
  ASSERT_EQ(Create(kNullTenant, MakeUser("u-1", "alice@example.com")), CreateUserOutcome::kCreated);
  EXPECT_TRUE(ById(kNullTenant, "u-1").has_value());
  EXPECT_FALSE(ById(kTenantA, "u-1").has_value());
  EXPECT_FALSE(ByIdentity(kTenantA, "email", "alice@example.com").has_value());
}

TEST_P(UserStoreContract, SameEmailInTwoTenantsWhenTenantScoped) {
  ASSERT_EQ(Create(kTenantA, MakeUser("u-a", "alice@example.com", "+1555")),
            CreateUserOutcome::kCreated);
  ASSERT_EQ(Create(kTenantB, MakeUser("u-b", "alice@example.com", "+1555")),
            CreateUserOutcome::kCreated);
  EXPECT_EQ(ByIdentity(kTenantA, "email", "alice@example.com").value().id.str(), "u-a");
  EXPECT_EQ(ByIdentity(kTenantB, "email", "alice@example.com").value().id.str(), "u-b");
  EXPECT_EQ(ByIdentity(kTenantB, "phone", "+1555").value().id.str(), "u-b");
  EXPECT_FALSE(ById(kTenantA, "u-b").has_value());
}

TEST_P(UserStoreContract, SameEmailInTwoTenantsRejectedWhenGloballyUnique) {
  ASSERT_EQ(Create(kTenantA, MakeUser("u-a", "alice@example.com"), false),
            CreateUserOutcome::kCreated);
  EXPECT_EQ(Create(kTenantB, MakeUser("u-b", "alice@example.com"), false),
            CreateUserOutcome::kUserExists);
  EXPECT_FALSE(ById(kTenantB, "u-b").has_value());
  EXPECT_FALSE(Exists(kTenantB, "email", "alice@example.com"));
}

TEST_P(UserStoreContract, DuplicateIdentityInTenantWritesNothing) {
  ASSERT_EQ(Create(kTenantA, MakeUser("u-1", "alice@example.com")), CreateUserOutcome::kCreated);
  // A second user whose e-mail identity already exists, plus a new phone
  // identity that must not be written either.
  identity::User u2 = MakeUser("u-2", "alice@example.com", "+1999");
  EXPECT_EQ(Create(kTenantA, u2), CreateUserOutcome::kIdentityExists);
  EXPECT_FALSE(ById(kTenantA, "u-2").has_value());
  EXPECT_FALSE(Exists(kTenantA, "phone", "+1999"));
  EXPECT_EQ(ByIdentity(kTenantA, "email", "alice@example.com").value().id.str(), "u-1");
}

TEST_P(UserStoreContract, IdentityConflictIsReportedBeforeUserConflict) {
  ASSERT_EQ(Create(kNullTenant, MakeUser("u-1", "alice@example.com")), CreateUserOutcome::kCreated);
  EXPECT_EQ(Create(kNullTenant, MakeUser("u-2", "alice@example.com"), false),
            CreateUserOutcome::kIdentityExists);
}

TEST_P(UserStoreContract, DuplicateEmailOrPhoneIsUserExists) {
  identity::User u1 = MakeUser("u-1", "alice@example.com", "+1555");
  ASSERT_EQ(Create(kTenantA, u1), CreateUserOutcome::kCreated);
  // Different identities (social login), same e-mail on the user row.
  identity::User u2 = MakeUser("u-2", "alice@example.com");
  auto r = users().CreateUser(kTenantA, u2, {MakeIdentity(u2, kTenantA, "google", "sub-2")}, true);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, CreateUserOutcome::kUserExists);
  identity::User u3 = MakeUser("u-3", std::nullopt, "+1555");
  r = users().CreateUser(kTenantA, u3, {MakeIdentity(u3, kTenantA, "google", "sub-3")}, true);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, CreateUserOutcome::kUserExists);
  EXPECT_FALSE(Exists(kTenantA, "google", "sub-2"));
  EXPECT_FALSE(ById(kTenantA, "u-3").has_value());
}

TEST_P(UserStoreContract, UsersWithoutEmailOrPhoneDoNotCollide) {
  for (const std::string id : {"u-1", "u-2"}) {
    identity::User u = MakeUser(id, std::nullopt);
    auto r =
        users().CreateUser(kNullTenant, u, {MakeIdentity(u, kNullTenant, "github", id)}, false);
    ASSERT_TRUE(IsOk(r));
    EXPECT_EQ(*r, CreateUserOutcome::kCreated);
  }
}

TEST_P(UserStoreContract, ConcurrentSignupsWithSameIdentityCreateOne) {
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, identity_exists{0}, other{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      identity::User u = MakeUser("u-" + std::to_string(t), "race@example.com");
      std::vector<identity::Identity> ids = {
          MakeIdentity(u, kTenantA, "email", "race@example.com")};
      start.arrive_and_wait();
      auto r = users().CreateUser(kTenantA, u, ids, true);
      if (!r.ok()) {
        ++other;
      } else if (*r == CreateUserOutcome::kCreated) {
        ++created;
      } else if (*r == CreateUserOutcome::kIdentityExists) {
        ++identity_exists;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(identity_exists.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace authd::store::contract
