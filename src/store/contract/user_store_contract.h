// UserStoreContract: the conformance suite of identity::UserStore.
//
// The tests live in user_store_contract_test.cc; a backend instantiates the
// suite with its StoreBackendFactory (see store_backend.h). Each test gets
// fresh, empty stores.
#ifndef AUTHD_STORE_CONTRACT_USER_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_USER_STORE_CONTRACT_H_

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ids.h"
#include "identity/user.h"
#include "identity/user_store.h"
#include "store/contract/store_backend.h"

namespace authd::store::contract {

inline const core::TenantId kNullTenant = std::nullopt;
inline const core::TenantId kTenantA = core::TenantIdValue("tenant-a");
inline const core::TenantId kTenantB = core::TenantIdValue("tenant-b");

// A user with every optional field unset but e-mail (when given).
inline identity::User MakeUser(const std::string& id, std::optional<std::string> email,
                               std::optional<std::string> phone = std::nullopt) {
  identity::User u;
  u.id = core::UserId(id);
  u.email = std::move(email);
  u.phone = std::move(phone);
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  u.created_at = 1'700'000'000'123;
  u.updated_at = 1'700'000'000'456;
  return u;
}

inline identity::Identity MakeIdentity(const identity::User& user, const core::TenantId& tenant,
                                       const std::string& provider,
                                       const std::string& provider_id) {
  identity::Identity i;
  i.id = core::IdentityId("idn-" + user.id.str() + "-" + provider);
  i.user_id = user.id;
  i.tenant_id = tenant;
  i.provider = provider;
  i.provider_id = provider_id;
  i.created_at = user.created_at;
  i.updated_at = user.updated_at;
  return i;
}

// Stores user `id` (e-mail <id>@example.com, its one identity, member of
// `tenant`) so the rows of other stores may reference it.
inline void AddUserRow(identity::UserStore& users, const std::string& id,
                       const core::TenantId& tenant = kNullTenant) {
  identity::User u = MakeUser(id, id + "@example.com");
  auto r = users.CreateUser(tenant, u, {MakeIdentity(u, tenant, "email", *u.email)}, true);
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(*r, identity::CreateUserOutcome::kCreated);
}

class UserStoreContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(backend_.users, nullptr) << "backend " << GetParam().name;
  }

  identity::UserStore& users() { return *backend_.users; }

  // Creates `user` with an e-mail identity (and a phone identity when the
  // user has a phone) in `tenant`; returns the outcome.
  identity::CreateUserOutcome Create(const core::TenantId& tenant, const identity::User& user,
                                     bool tenant_scoped = true) {
    std::vector<identity::Identity> ids;
    if (user.email) {
      ids.push_back(MakeIdentity(user, tenant, identity::kProviderEmail, *user.email));
    }
    if (user.phone) {
      ids.push_back(MakeIdentity(user, tenant, identity::kProviderPhone, *user.phone));
    }
    core::Result<identity::CreateUserOutcome> r =
        users().CreateUser(tenant, user, ids, tenant_scoped);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : identity::CreateUserOutcome::kCreated;
  }

  std::optional<identity::User> ById(const core::TenantId& tenant, const std::string& id) {
    auto r = users().FindUserById(tenant, core::UserId(id));
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  std::optional<identity::User> ByIdentity(const core::TenantId& tenant,
                                           const std::string& provider,
                                           const std::string& provider_id) {
    auto r = users().FindUserByIdentity(tenant, provider, provider_id);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  bool Exists(const core::TenantId& tenant, const std::string& provider,
              const std::string& provider_id) {
    auto r = users().IdentityExists(tenant, provider, provider_id);
    EXPECT_TRUE(IsOk(r));
    return r.ok() && *r;
  }

  StoreBackend backend_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_USER_STORE_CONTRACT_H_
