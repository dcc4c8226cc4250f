#include <optional>
#include <utility>

#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

// The session's columns (ReadSession, from 0), then the user's (ReadUser,
// from 14; all NULL when FindUserById would find no user: none with that
// id, or none visible in the tenant through its user_accesses row).
constexpr const char* kGetSessionAndUser =
    "SELECT s.id, s.user_id, s.tenant_id, s.refresh_hash, s.prev_refresh_hash,"
    " s.rotated_at, s.data, s.expires_at, s.user_agent, s.device_name, s.ip_address,"
    " s.last_active, s.created_at, s.updated_at,"
    " u.id, u.email, u.email_verified_at, u.phone, u.phone_verified_at,"
    " u.password_hash, u.is_active, u.must_change_password, u.metadata,"
    " u.is_mfa_enabled, u.mfa_recovery_code, u.created_at, u.updated_at"
    " FROM sessions s LEFT JOIN users u ON u.id = s.user_id"
    " AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = u.id AND a.tenant_id IS NOT DISTINCT FROM $2::text)"
    " WHERE s.id = $1 AND s.tenant_id IS NOT DISTINCT FROM $2::text";
constexpr int kUserColumn = 14;

// As PgSessionStore::Get: the condition on expires_at keeps a concurrent
// extension intact; a repeated DELETE is harmless.
constexpr const char* kDeleteExpired =
    "DELETE FROM sessions WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2::text"
    " AND expires_at <= $3";

class PgGuardReader final : public session::GuardReader {
 public:
  explicit PgGuardReader(PgPool& pool) : pool_(pool) {}

  core::Result<std::optional<session::SessionAndUser>> Read(const core::TenantId& tenant,
                                                            const core::SessionId& id,
                                                            core::UnixMillis now) override {
    using Found = std::optional<session::SessionAndUser>;
    const PgParams params = PgParams().Text(id.str()).Tenant(tenant);
    core::Result<Found> found = pool_.Run([&](PgConnection& conn) -> core::Result<Found> {
      core::Result<PgResult> res = conn.Exec(kGetSessionAndUser, params);
      if (!res.ok()) return res.error();
      if (res->rows() == 0) return Found();
      core::Result<session::Session> s = ReadSession(*res, 0, 0);
      if (!s.ok()) return s.error();
      session::SessionAndUser out{std::move(*s), std::nullopt};
      if (!res->IsNull(0, kUserColumn)) out.user = ReadUser(*res, 0, kUserColumn);
      return Found(std::move(out));
    });
    if (!found.ok() || !found->has_value()) return found;
    if ((*found)->session.expires_at > now) return found;
    core::Status st = pool_.Run([&](PgConnection& conn) -> core::Status {
      return StatusOf(conn.Exec(kDeleteExpired, PgParams().Text(id.str()).Tenant(tenant).Int(now)));
    });
    if (!st.ok()) return st.error();
    return Found();
  }

 private:
  PgPool& pool_;
};

}  // namespace

std::unique_ptr<session::GuardReader> NewPgGuardReader(PgPool& pool) {
  return std::make_unique<PgGuardReader>(pool);
}

}  // namespace authd::store::postgres
