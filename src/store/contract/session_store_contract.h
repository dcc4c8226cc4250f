// SessionStoreContract: the conformance suite of session::SessionStore.
//
// The tests live in session_store_contract_test.cc; a backend instantiates
// the suite with its StoreBackendFactory (see store_backend.h). The users
// the sessions belong to are created through the backend's UserStore first,
// so backends may enforce the sessions -> users reference.
#ifndef AUTHD_STORE_CONTRACT_SESSION_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_SESSION_STORE_CONTRACT_H_

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "session/guard_reader.h"
#include "session/session.h"
#include "session/session_store.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"

namespace authd::store::contract {

class SessionStoreContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(backend_.users, nullptr) << "backend " << GetParam().name;
    ASSERT_NE(backend_.sessions, nullptr) << "backend " << GetParam().name;
    if (backend_.guard == nullptr) {
      backend_.guard = session::NewStoreGuardReader(*backend_.sessions, *backend_.users);
    }
  }

  session::SessionStore& sessions() { return *backend_.sessions; }
  identity::UserStore& users() { return *backend_.users; }
  session::GuardReader& guard() { return *backend_.guard; }

  // Stores user `id` (member of `tenant`) so sessions may reference it.
  void AddUser(const std::string& id, const core::TenantId& tenant = kNullTenant) {
    AddUserRow(*backend_.users, id, tenant);
  }

  // A live session of `user` in `tenant`, last active at `last_active`.
  static session::Session MakeSession(const std::string& id, const std::string& user,
                                      const core::TenantId& tenant = kNullTenant,
                                      core::UnixMillis last_active = kNow) {
    session::Session s;
    s.id = core::SessionId(id);
    s.user_id = core::UserId(user);
    s.tenant_id = tenant;
    s.refresh_hash = "hash-" + id;
    s.data.user = MakeUser(user, user + "@example.com");
    s.data.user.password_hash.reset();
    s.data.tenant_id = tenant;
    s.expires_at = kNow + 24 * kHour;
    s.user_agent = "Chrome - Linux";
    s.device_name = "Linux";
    s.ip_address = "127.0.0.1";
    s.last_active = last_active;
    s.created_at = last_active;
    s.updated_at = last_active;
    return s;
  }

  void Put(const session::Session& s, int max_per_user = 0, core::UnixMillis now = kNow) {
    EXPECT_TRUE(IsOk(sessions().Create(s, max_per_user, now)));
  }

  std::optional<session::Session> GetAt(const core::TenantId& tenant, const std::string& id,
                                        core::UnixMillis now = kNow) {
    auto r = sessions().Get(tenant, core::SessionId(id), now);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  // Ids of the user's live sessions, most recently active first.
  std::vector<std::string> ListIds(const std::string& user, core::UnixMillis now = kNow) {
    std::vector<std::string> ids;
    auto r = sessions().ListForUser(core::UserId(user), now);
    EXPECT_TRUE(IsOk(r));
    if (r.ok()) {
      for (const session::Session& s : *r) ids.push_back(s.id.str());
    }
    return ids;
  }

  StoreBackend backend_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_SESSION_STORE_CONTRACT_H_
