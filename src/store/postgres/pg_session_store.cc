#include <string>
#include <utility>
#include <vector>

#include "store/common/session_data_json.h"
#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

// Both session queries select these columns, in the order ReadSession reads.
constexpr const char* kGet =
    "SELECT id, user_id, tenant_id, refresh_hash, prev_refresh_hash,"
    " rotated_at, data, expires_at, user_agent, device_name, ip_address,"
    " last_active, created_at, updated_at"
    " FROM sessions WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2::text";

// Ties are broken by id in byte order (COLLATE "C"), as SQLite does.
constexpr const char* kListForUser =
    "SELECT id, user_id, tenant_id, refresh_hash, prev_refresh_hash,"
    " rotated_at, data, expires_at, user_agent, device_name, ip_address,"
    " last_active, created_at, updated_at"
    " FROM sessions WHERE user_id = $1 AND expires_at > $2"
    " ORDER BY last_active DESC, created_at DESC, id COLLATE \"C\" DESC";

constexpr const char* kDeleteExpiredOne =
    "DELETE FROM sessions WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2::text"
    " AND expires_at <= $3";

// Serialises Create calls of one user, in every process, from here to
// COMMIT. NO KEY UPDATE conflicts with itself (and with FOR UPDATE) but not
// with the KEY SHARE locks of foreign-key checks, so inserts of other rows
// referencing the user (codes, MFA devices) do not wait for it.
constexpr const char* kLockUser = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";

constexpr const char* kDeleteExpiredOfUser =
    "DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2";

constexpr const char* kCountLive =
    "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2";

// The eviction order is the reverse of ListForUser's.
constexpr const char* kEvictLeastActive =
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
    " WHERE user_id = $1 AND expires_at > $2"
    " ORDER BY last_active ASC, created_at ASC, id COLLATE \"C\" ASC LIMIT $3)";

constexpr const char* kInsert =
    "INSERT INTO sessions (id, user_id, tenant_id, refresh_hash,"
    " prev_refresh_hash, rotated_at, data, expires_at, user_agent, device_name,"
    " ip_address, last_active, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

// The compare-and-swap. Racing rotations (any processes) queue on the row
// lock; under READ COMMITTED each waiter re-checks the WHERE clause on the
// winner's row version, whose refresh_hash has changed: exactly one
// matches.
constexpr const char* kRotate =
    "UPDATE sessions SET refresh_hash = $1, prev_refresh_hash = refresh_hash,"
    " rotated_at = $2, data = $3, expires_at = $4, last_active = $2,"
    " updated_at = $2"
    " WHERE id = $5 AND tenant_id IS NOT DISTINCT FROM $6::text AND refresh_hash = $7";

constexpr const char* kDelete =
    "DELETE FROM sessions WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2::text";

constexpr const char* kDeleteAllForUser = "DELETE FROM sessions WHERE user_id = $1";

}  // namespace

core::Result<session::Session> ReadSession(const PgResult& r, int row, int col) {
  session::Session s;
  s.id = core::SessionId(r.Text(row, col + 0));
  s.user_id = core::UserId(r.Text(row, col + 1));
  s.tenant_id = r.Tenant(row, col + 2);
  s.refresh_hash = r.Text(row, col + 3);
  s.prev_refresh_hash = r.Text(row, col + 4);
  s.rotated_at = r.Int(row, col + 5);
  core::Result<session::SessionData> data = DecodeSessionData(r.Text(row, col + 6));
  if (!data.ok()) {
    core::Error e = data.error();
    e.debug = "session " + s.id.str() + ": " + e.debug;
    return e;
  }
  s.data = std::move(*data);
  s.expires_at = r.Int(row, col + 7);
  s.user_agent = r.Text(row, col + 8);
  s.device_name = r.Text(row, col + 9);
  s.ip_address = r.Text(row, col + 10);
  s.last_active = r.Int(row, col + 11);
  s.created_at = r.Int(row, col + 12);
  s.updated_at = r.Int(row, col + 13);
  return s;
}

namespace {

// Inside Create's transaction, with the user's row locked: drops the
// user's expired sessions and, when the user has max_per_user or more live
// ones, the least recently active so that max_per_user - 1 remain.
core::Status Evict(PgConnection& conn, const core::UserId& user, int max_per_user,
                   core::UnixMillis now) {
  core::Result<PgResult> expired =
      conn.Exec(kDeleteExpiredOfUser, PgParams().Text(user.str()).Int(now));
  if (!expired.ok()) return expired.error();
  if (max_per_user <= 0) return core::Status::Ok();
  core::Result<PgResult> count = conn.Exec(kCountLive, PgParams().Text(user.str()).Int(now));
  if (!count.ok()) return count.error();
  const std::int64_t live = count->Int(0, 0);
  if (live < max_per_user) return core::Status::Ok();
  return StatusOf(conn.Exec(kEvictLeastActive,
                            PgParams().Text(user.str()).Int(now).Int(live - (max_per_user - 1))));
}

class PgSessionStore final : public session::SessionStore {
 public:
  explicit PgSessionStore(PgPool& pool) : pool_(pool) {}

  core::Status Create(const session::Session& s, int max_per_user, core::UnixMillis now) override {
    core::Result<std::string> data = EncodeSessionData(s.data);
    if (!data.ok()) return data.error();
    const PgParams insert = PgParams()
                                .Text(s.id.str())
                                .Text(s.user_id.str())
                                .Tenant(s.tenant_id)
                                .Text(s.refresh_hash)
                                .Text(s.prev_refresh_hash)
                                .Int(s.rotated_at)
                                .Text(*data)
                                .Int(s.expires_at)
                                .Text(s.user_agent)
                                .Text(s.device_name)
                                .Text(s.ip_address)
                                .Int(s.last_active)
                                .Int(s.created_at)
                                .Int(s.updated_at);
    return pool_.Transact([&](PgConnection& conn) -> core::Status {
      // No row (unknown user): the INSERT below fails on the foreign key.
      core::Result<PgResult> lock = conn.Exec(kLockUser, PgParams().Text(s.user_id.str()));
      if (!lock.ok()) return lock.error();
      if (core::Status st = Evict(conn, s.user_id, max_per_user, now); !st.ok()) return st;
      return StatusOf(conn.Exec(kInsert, insert));
    });
  }

  core::Result<std::optional<session::Session>> Get(const core::TenantId& tenant,
                                                    const core::SessionId& id,
                                                    core::UnixMillis now) override {
    core::Result<std::optional<session::Session>> found =
        pool_.Run([&](PgConnection& conn) { return Read(conn, tenant, id); });
    if (!found.ok() || !found->has_value()) return found;
    if ((*found)->expires_at > now) return found;
    // Expired: absent, and removed so dead rows do not pile up. The
    // condition on expires_at keeps a concurrent extension intact; a
    // repeated DELETE is harmless.
    core::Status s = pool_.Run([&](PgConnection& conn) -> core::Status {
      return StatusOf(
          conn.Exec(kDeleteExpiredOne, PgParams().Text(id.str()).Tenant(tenant).Int(now)));
    });
    if (!s.ok()) return s.error();
    return std::optional<session::Session>();
  }

  // WriteCounting (a transaction): a repeated CAS would report false for a
  // rotation that won.
  core::Result<bool> Rotate(const core::TenantId& tenant, const core::SessionId& id,
                            const session::Rotation& r) override {
    core::Result<std::string> data = EncodeSessionData(r.data);
    if (!data.ok()) return data.error();
    const PgParams params = PgParams()
                                .Text(r.new_hash)
                                .Int(r.rotated_at)
                                .Text(*data)
                                .Int(r.expires_at)
                                .Text(id.str())
                                .Tenant(tenant)
                                .Text(r.expected_hash);
    core::Result<std::int64_t> n = WriteCounting(pool_, kRotate, params);
    if (!n.ok()) return n.error();
    return *n == 1;
  }

  // WriteCounting, so that "true iff it existed" survives a lost connection.
  core::Result<bool> Delete(const core::TenantId& tenant, const core::SessionId& id) override {
    core::Result<std::int64_t> n =
        WriteCounting(pool_, kDelete, PgParams().Text(id.str()).Tenant(tenant));
    if (!n.ok()) return n.error();
    return *n == 1;
  }

  core::Result<int> DeleteAllForUser(const core::UserId& user) override {
    core::Result<std::int64_t> n =
        WriteCounting(pool_, kDeleteAllForUser, PgParams().Text(user.str()));
    if (!n.ok()) return n.error();
    return static_cast<int>(*n);
  }

  core::Result<std::vector<session::Session>> ListForUser(const core::UserId& user,
                                                          core::UnixMillis now) override {
    const PgParams params = PgParams().Text(user.str()).Int(now);
    return pool_.Run([&](PgConnection& conn) -> core::Result<std::vector<session::Session>> {
      core::Result<PgResult> res = conn.Exec(kListForUser, params);
      if (!res.ok()) return res.error();
      std::vector<session::Session> out;
      out.reserve(static_cast<size_t>(res->rows()));
      for (int row = 0; row < res->rows(); ++row) {
        core::Result<session::Session> s = ReadSession(*res, row, 0);
        if (!s.ok()) return s.error();
        out.push_back(std::move(*s));
      }
      return out;
    });
  }

 private:
  static core::Result<std::optional<session::Session>> Read(PgConnection& conn,
                                                            const core::TenantId& tenant,
                                                            const core::SessionId& id) {
    core::Result<PgResult> res = conn.Exec(kGet, PgParams().Text(id.str()).Tenant(tenant));
    if (!res.ok()) return res.error();
    if (res->rows() == 0) return std::optional<session::Session>();
    core::Result<session::Session> s = ReadSession(*res, 0, 0);
    if (!s.ok()) return s.error();
    return std::optional<session::Session>(std::move(*s));
  }

  PgPool& pool_;
};

}  // namespace

std::unique_ptr<session::SessionStore> NewPgSessionStore(PgPool& pool) {
  return std::make_unique<PgSessionStore>(pool);
}

}  // namespace authd::store::postgres
