// Strong identifier types.
//
// Ids are UUID strings on the wire and in the database, but distinct types
// in code so a SessionId can never be passed where a UserId is expected.
// TenantId is optional everywhere: an absent tenant is the reference's
// `tenantId: null` (tenancy disabled, or the user's no-tenant membership).
#ifndef AUTHD_CORE_IDS_H_
#define AUTHD_CORE_IDS_H_

#include <compare>
#include <optional>
#include <string>
#include <utility>

namespace authd::core {

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string v) : v_(std::move(v)) {}
  const std::string& str() const { return v_; }
  bool empty() const { return v_.empty(); }
  auto operator<=>(const StrongId&) const = default;

 private:
  std::string v_;
};

using UserId = StrongId<struct UserIdTag>;
using SessionId = StrongId<struct SessionIdTag>;
using IdentityId = StrongId<struct IdentityIdTag>;
using TenantIdValue = StrongId<struct TenantIdTag>;

// The tenant scope of a query. nullopt = the null tenant.
using TenantId = std::optional<TenantIdValue>;

}  // namespace authd::core

#endif  // AUTHD_CORE_IDS_H_
