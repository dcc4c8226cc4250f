#include "session/guard_reader.h"

#include <utility>

namespace authd::session {
namespace {

class StoreGuardReader final : public GuardReader {
 public:
  StoreGuardReader(SessionStore& sessions, identity::UserStore& users)
      : sessions_(sessions), users_(users) {}

  core::Result<std::optional<SessionAndUser>> Read(const core::TenantId& tenant,
                                                   const core::SessionId& id,
                                                   core::UnixMillis now) override {
    core::Result<std::optional<Session>> session = sessions_.Get(tenant, id, now);
    if (!session.ok()) return session.error();
    if (!session->has_value()) return std::optional<SessionAndUser>();
    core::Result<std::optional<identity::User>> user =
        users_.FindUserById(tenant, (*session)->user_id);
    if (!user.ok()) return user.error();
    return std::optional<SessionAndUser>(SessionAndUser{std::move(**session), std::move(*user)});
  }

 private:
  SessionStore& sessions_;
  identity::UserStore& users_;
};

}  // namespace

std::unique_ptr<GuardReader> NewStoreGuardReader(SessionStore& sessions,
                                                 identity::UserStore& users) {
  return std::make_unique<StoreGuardReader>(sessions, users);
}

}  // namespace authd::session
