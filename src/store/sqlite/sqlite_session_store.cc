#include <string>
#include <utility>

#include "store/common/session_data_json.h"
#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {
namespace {

// Both session queries select these columns, in the order ReadSession reads.
constexpr const char* kGet =
    "SELECT id, user_id, tenant_id, refresh_hash, prev_refresh_hash,"
    " rotated_at, data, expires_at, user_agent, device_name, ip_address,"
    " last_active, created_at, updated_at"
    " FROM sessions WHERE id = ?1 AND tenant_id IS ?2";

constexpr const char* kListForUser =
    "SELECT id, user_id, tenant_id, refresh_hash, prev_refresh_hash,"
    " rotated_at, data, expires_at, user_agent, device_name, ip_address,"
    " last_active, created_at, updated_at"
    " FROM sessions WHERE user_id = ?1 AND expires_at > ?2"
    " ORDER BY last_active DESC, created_at DESC, id DESC";

constexpr const char* kDeleteExpiredOne =
    "DELETE FROM sessions WHERE id = ?1 AND tenant_id IS ?2 AND expires_at <= ?3";

constexpr const char* kDeleteExpiredOfUser =
    "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2";

constexpr const char* kCountLive =
    "SELECT COUNT(*) FROM sessions WHERE user_id = ?1 AND expires_at > ?2";

// The eviction order is the reverse of ListForUser's.
constexpr const char* kEvictLeastActive =
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
    " WHERE user_id = ?1 AND expires_at > ?2"
    " ORDER BY last_active ASC, created_at ASC, id ASC LIMIT ?3)";

constexpr const char* kInsert =
    "INSERT INTO sessions (id, user_id, tenant_id, refresh_hash,"
    " prev_refresh_hash, rotated_at, data, expires_at, user_agent, device_name,"
    " ip_address, last_active, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

// The compare-and-swap: only the writer whose expected hash is still the
// stored one changes the row; SQLite serialises writers, so exactly one of
// several racing rotations sees changes() == 1.
constexpr const char* kRotate =
    "UPDATE sessions SET refresh_hash = ?1, prev_refresh_hash = refresh_hash,"
    " rotated_at = ?2, data = ?3, expires_at = ?4, last_active = ?2,"
    " updated_at = ?2"
    " WHERE id = ?5 AND tenant_id IS ?6 AND refresh_hash = ?7";

constexpr const char* kDelete = "DELETE FROM sessions WHERE id = ?1 AND tenant_id IS ?2";

constexpr const char* kDeleteAllForUser = "DELETE FROM sessions WHERE user_id = ?1";

core::Result<session::Session> ReadSession(const Statement& st) {
  session::Session s;
  s.id = core::SessionId(st.Text(0));
  s.user_id = core::UserId(st.Text(1));
  s.tenant_id = st.Tenant(2);
  s.refresh_hash = st.Text(3);
  s.prev_refresh_hash = st.Text(4);
  s.rotated_at = st.Int(5);
  core::Result<session::SessionData> data = DecodeSessionData(st.Text(6));
  if (!data.ok()) {
    core::Error e = data.error();
    e.debug = "session " + s.id.str() + ": " + e.debug;
    return e;
  }
  s.data = std::move(*data);
  s.expires_at = st.Int(7);
  s.user_agent = st.Text(8);
  s.device_name = st.Text(9);
  s.ip_address = st.Text(10);
  s.last_active = st.Int(11);
  s.created_at = st.Int(12);
  s.updated_at = st.Int(13);
  return s;
}

class SqliteSessionStore final : public session::SessionStore {
 public:
  SqliteSessionStore(ConnectionPool& pool, Writer& writer) : pool_(pool), writer_(writer) {}

  core::Status Create(const session::Session& s, int max_per_user, core::UnixMillis now) override {
    core::Result<std::string> data = EncodeSessionData(s.data);
    if (!data.ok()) return data.error();
    return writer_.Run([&](Connection& conn) -> core::Status {
      if (core::Status st = Evict(conn, s.user_id, max_per_user, now); !st.ok()) {
        return st;
      }
      core::Result<Statement> st = conn.Prepare(kInsert);
      if (!st.ok()) return st.error();
      st->BindText(1, s.id.str())
          .BindText(2, s.user_id.str())
          .BindTenant(3, s.tenant_id)
          .BindText(4, s.refresh_hash)
          .BindText(5, s.prev_refresh_hash)
          .BindInt(6, s.rotated_at)
          .BindText(7, *data)
          .BindInt(8, s.expires_at)
          .BindText(9, s.user_agent)
          .BindText(10, s.device_name)
          .BindText(11, s.ip_address)
          .BindInt(12, s.last_active)
          .BindInt(13, s.created_at)
          .BindInt(14, s.updated_at);
      return st->Run();
    });
  }

  core::Result<std::optional<session::Session>> Get(const core::TenantId& tenant,
                                                    const core::SessionId& id,
                                                    core::UnixMillis now) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<std::optional<session::Session>> found = Read(**conn, tenant, id);
    if (!found.ok() || !found->has_value()) return found;
    if ((*found)->expires_at > now) return found;
    // Expired: absent, and removed so dead rows do not pile up. The
    // condition on expires_at keeps a concurrent extension intact.
    core::Status s = writer_.Run([&](Connection& c) -> core::Status {
      core::Result<Statement> del = c.Prepare(kDeleteExpiredOne);
      if (!del.ok()) return del.error();
      del->BindText(1, id.str()).BindTenant(2, tenant).BindInt(3, now);
      return del->Run();
    });
    if (!s.ok()) return s;
    return std::optional<session::Session>();
  }

  core::Result<bool> Rotate(const core::TenantId& tenant, const core::SessionId& id,
                            const session::Rotation& r) override {
    core::Result<std::string> data = EncodeSessionData(r.data);
    if (!data.ok()) return data.error();
    bool swapped = false;
    core::Status s = writer_.Run([&](Connection& c) -> core::Status {
      core::Result<Statement> st = c.Prepare(kRotate);
      if (!st.ok()) return st.error();
      st->BindText(1, r.new_hash)
          .BindInt(2, r.rotated_at)
          .BindText(3, *data)
          .BindInt(4, r.expires_at)
          .BindText(5, id.str())
          .BindTenant(6, tenant)
          .BindText(7, r.expected_hash);
      if (core::Status run = st->Run(); !run.ok()) return run;
      swapped = st->changes() == 1;
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return swapped;
  }

  core::Result<bool> Delete(const core::TenantId& tenant, const core::SessionId& id) override {
    bool deleted = false;
    core::Status s = writer_.Run([&](Connection& c) -> core::Status {
      core::Result<Statement> st = c.Prepare(kDelete);
      if (!st.ok()) return st.error();
      st->BindText(1, id.str()).BindTenant(2, tenant);
      if (core::Status run = st->Run(); !run.ok()) return run;
      deleted = st->changes() == 1;
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return deleted;
  }

  core::Result<int> DeleteAllForUser(const core::UserId& user) override {
    int deleted = 0;
    core::Status s = writer_.Run([&](Connection& c) -> core::Status {
      core::Result<Statement> st = c.Prepare(kDeleteAllForUser);
      if (!st.ok()) return st.error();
      st->BindText(1, user.str());
      if (core::Status run = st->Run(); !run.ok()) return run;
      deleted = st->changes();
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return deleted;
  }

  core::Result<std::vector<session::Session>> ListForUser(const core::UserId& user,
                                                          core::UnixMillis now) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(kListForUser);
    if (!st.ok()) return st.error();
    st->BindText(1, user.str()).BindInt(2, now);
    std::vector<session::Session> out;
    while (true) {
      core::Result<bool> row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      core::Result<session::Session> s = ReadSession(*st);
      if (!s.ok()) return s.error();
      out.push_back(std::move(*s));
    }
    return out;
  }

 private:
  static core::Result<std::optional<session::Session>> Read(Connection& conn,
                                                            const core::TenantId& tenant,
                                                            const core::SessionId& id) {
    core::Result<Statement> st = conn.Prepare(kGet);
    if (!st.ok()) return st.error();
    st->BindText(1, id.str()).BindTenant(2, tenant);
    core::Result<bool> row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<session::Session>();
    core::Result<session::Session> s = ReadSession(*st);
    if (!s.ok()) return s.error();
    return std::optional<session::Session>(std::move(*s));
  }

  // Inside Create's transaction: drops the user's expired sessions and, when
  // the user has max_per_user or more live ones, the least recently active
  // so that max_per_user - 1 remain.
  static core::Status Evict(Connection& conn, const core::UserId& user, int max_per_user,
                            core::UnixMillis now) {
    {
      core::Result<Statement> st = conn.Prepare(kDeleteExpiredOfUser);
      if (!st.ok()) return st.error();
      st->BindText(1, user.str()).BindInt(2, now);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    if (max_per_user <= 0) return core::Status::Ok();
    std::int64_t live = 0;
    {
      core::Result<Statement> st = conn.Prepare(kCountLive);
      if (!st.ok()) return st.error();
      st->BindText(1, user.str()).BindInt(2, now);
      core::Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      live = st->Int(0);
    }
    if (live < max_per_user) return core::Status::Ok();
    core::Result<Statement> st = conn.Prepare(kEvictLeastActive);
    if (!st.ok()) return st.error();
    st->BindText(1, user.str()).BindInt(2, now).BindInt(3, live - (max_per_user - 1));
    return st->Run();
  }

  ConnectionPool& pool_;  // reads
  Writer& writer_;        // every write, group-committed
};

}  // namespace

std::unique_ptr<session::SessionStore> NewSqliteSessionStore(ConnectionPool& pool, Writer& writer) {
  return std::make_unique<SqliteSessionStore>(pool, writer);
}

}  // namespace authd::store::sqlite
