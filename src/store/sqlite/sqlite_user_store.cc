#include <string>
#include <utility>

#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {
namespace {

using identity::CreateUserOutcome;

// Both user queries select these columns, in the order ReadUser reads.
constexpr const char* kFindUserById =
    "SELECT u.id, u.email, u.email_verified_at, u.phone, u.phone_verified_at,"
    " u.password_hash, u.is_active, u.must_change_password, u.metadata,"
    " u.is_mfa_enabled, u.mfa_recovery_code, u.created_at, u.updated_at"
    " FROM users u WHERE u.id = ?1 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = u.id AND a.tenant_id IS ?2)";

constexpr const char* kSetPassword =
    "UPDATE users SET password_hash = ?1, must_change_password = 0,"
    " updated_at = ?2 WHERE id = ?3 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS ?4)";

// SetPassword as a compare-and-set on the current hash (?5, NULL = none).
constexpr const char* kCompareAndSetPassword =
    "UPDATE users SET password_hash = ?1, must_change_password = 0,"
    " updated_at = ?2 WHERE id = ?3 AND password_hash IS ?5 AND EXISTS (SELECT 1"
    " FROM user_accesses a WHERE a.user_id = users.id AND a.tenant_id IS ?4)";

constexpr const char* kMarkEmailVerified =
    "UPDATE users SET email_verified_at = ?1, updated_at = ?1"
    " WHERE id = ?2 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS ?3)";

constexpr const char* kMarkPhoneVerified =
    "UPDATE users SET phone_verified_at = ?1, updated_at = ?1"
    " WHERE id = ?2 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS ?3)";

constexpr const char* kSetMfaEnabled =
    "UPDATE users SET is_mfa_enabled = ?1, updated_at = ?2"
    " WHERE id = ?3 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS ?4)";

constexpr const char* kFindUserByIdentity =
    "SELECT u.id, u.email, u.email_verified_at, u.phone, u.phone_verified_at,"
    " u.password_hash, u.is_active, u.must_change_password, u.metadata,"
    " u.is_mfa_enabled, u.mfa_recovery_code, u.created_at, u.updated_at"
    " FROM identities i JOIN users u ON u.id = i.user_id"
    " WHERE i.provider = ?1 AND i.provider_id = ?2 AND i.tenant_id IS ?3";

constexpr const char* kIdentityExists =
    "SELECT 1 FROM identities"
    " WHERE provider = ?1 AND provider_id = ?2 AND tenant_id IS ?3 LIMIT 1";

constexpr const char* kEmailTakenGlobally = "SELECT 1 FROM users WHERE email = ?1 LIMIT 1";
constexpr const char* kPhoneTakenGlobally = "SELECT 1 FROM users WHERE phone = ?1 LIMIT 1";
constexpr const char* kEmailTakenInTenant =
    "SELECT 1 FROM users u JOIN user_accesses a ON a.user_id = u.id"
    " WHERE u.email = ?1 AND a.tenant_id IS ?2 LIMIT 1";
constexpr const char* kPhoneTakenInTenant =
    "SELECT 1 FROM users u JOIN user_accesses a ON a.user_id = u.id"
    " WHERE u.phone = ?1 AND a.tenant_id IS ?2 LIMIT 1";

constexpr const char* kEnsureTenant =
    "INSERT INTO tenants (id, name, created_at, updated_at)"
    " VALUES (?1, ?1, ?2, ?2) ON CONFLICT (id) DO NOTHING";

constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, email_verified_at, phone, phone_verified_at,"
    " password_hash, is_active, must_change_password, metadata, is_mfa_enabled,"
    " mfa_recovery_code, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

constexpr const char* kInsertIdentity =
    "INSERT INTO identities (id, user_id, tenant_id, provider, provider_id,"
    " metadata, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr const char* kInsertAccess =
    "INSERT INTO user_accesses (user_id, tenant_id, is_default, status,"
    " metadata, created_at, updated_at)"
    " VALUES (?1, ?2, 1, 'active', '{}', ?3, ?3)";

identity::User ReadUser(const Statement& st) {
  identity::User u;
  u.id = core::UserId(st.Text(0));
  u.email = st.OptText(1);
  u.email_verified_at = st.OptInt(2);
  u.phone = st.OptText(3);
  u.phone_verified_at = st.OptInt(4);
  u.password_hash = st.OptText(5);
  u.is_active = st.Bool(6);
  u.must_change_password = st.Bool(7);
  u.metadata_json = st.Text(8);
  u.is_mfa_enabled = st.Bool(9);
  u.mfa_recovery_code = st.OptText(10);
  u.created_at = st.Int(11);
  u.updated_at = st.Int(12);
  return u;
}

// True iff the single-row query `sql`, bound to (text, tenant?), has a row.
core::Result<bool> Any(Connection& conn, const char* sql, std::string_view text,
                       const core::TenantId* tenant) {
  core::Result<Statement> st = conn.Prepare(sql);
  if (!st.ok()) return st.error();
  st->BindText(1, text);
  if (tenant != nullptr) st->BindTenant(2, *tenant);
  return st->Step();
}

class SqliteUserStore final : public identity::UserStore {
 public:
  SqliteUserStore(ConnectionPool& pool, Writer& writer) : pool_(pool), writer_(writer) {}

  core::Result<CreateUserOutcome> CreateUser(const core::TenantId& tenant,
                                             const identity::User& user,
                                             const std::vector<identity::Identity>& identities,
                                             bool tenant_scoped_users) override {
    if (core::Status s = identity::IdentitiesBelongTo(tenant, user, identities); !s.ok()) {
      return s.error();
    }
    CreateUserOutcome outcome = CreateUserOutcome::kCreated;
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      // The checks run under the write lock, so no other writer can insert
      // a conflicting row before COMMIT.
      for (const identity::Identity& i : identities) {
        core::Result<bool> exists = IdentityExistsOn(conn, tenant, i.provider, i.provider_id);
        if (!exists.ok()) return exists.error();
        if (*exists) {
          outcome = CreateUserOutcome::kIdentityExists;
          return core::Status::Ok();
        }
      }
      core::Result<bool> taken = UserTaken(conn, tenant, user, tenant_scoped_users);
      if (!taken.ok()) return taken.error();
      if (*taken) {
        outcome = CreateUserOutcome::kUserExists;
        return core::Status::Ok();
      }
      core::Result<CreateUserOutcome> inserted = InsertAll(conn, tenant, user, identities);
      if (!inserted.ok()) return inserted.error();
      outcome = *inserted;
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return outcome;
  }

  core::Result<bool> SetPassword(const core::TenantId& tenant, const core::UserId& id,
                                 const std::string& password_hash,
                                 core::UnixMillis updated_at) override {
    return ChangedOne(kSetPassword, [&](Statement& st) {
      st.BindText(1, password_hash)
          .BindInt(2, updated_at)
          .BindText(3, id.str())
          .BindTenant(4, tenant);
    });
  }

  core::Result<bool> CompareAndSetPassword(const core::TenantId& tenant, const core::UserId& id,
                                           const std::optional<std::string>& expected,
                                           const std::string& password_hash,
                                           core::UnixMillis updated_at) override {
    return ChangedOne(kCompareAndSetPassword, [&](Statement& st) {
      st.BindText(1, password_hash)
          .BindInt(2, updated_at)
          .BindText(3, id.str())
          .BindTenant(4, tenant)
          .BindOptText(5, expected);
    });
  }

  core::Result<bool> MarkVerified(const core::TenantId& tenant, const core::UserId& id,
                                  identity::VerifiedChannel channel, core::UnixMillis at) override {
    const char* sql =
        channel == identity::VerifiedChannel::kEmail ? kMarkEmailVerified : kMarkPhoneVerified;
    return ChangedOne(
        sql, [&](Statement& st) { st.BindInt(1, at).BindText(2, id.str()).BindTenant(3, tenant); });
  }

  core::Result<bool> SetMfaEnabled(const core::TenantId& tenant, const core::UserId& id,
                                   bool enabled, core::UnixMillis at) override {
    return ChangedOne(kSetMfaEnabled, [&](Statement& st) {
      st.BindBool(1, enabled).BindInt(2, at).BindText(3, id.str()).BindTenant(4, tenant);
    });
  }

  core::Result<std::optional<identity::User>> FindUserById(const core::TenantId& tenant,
                                                           const core::UserId& id) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(kFindUserById);
    if (!st.ok()) return st.error();
    st->BindText(1, id.str()).BindTenant(2, tenant);
    return ReadOne(*st);
  }

  core::Result<std::optional<identity::User>> FindUserByIdentity(
      const core::TenantId& tenant, std::string_view provider,
      std::string_view provider_id) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(kFindUserByIdentity);
    if (!st.ok()) return st.error();
    st->BindText(1, provider).BindText(2, provider_id).BindTenant(3, tenant);
    return ReadOne(*st);
  }

  core::Result<bool> IdentityExists(const core::TenantId& tenant, std::string_view provider,
                                    std::string_view provider_id) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    return IdentityExistsOn(**conn, tenant, provider, provider_id);
  }

 private:
  // A one-row UPDATE of a user: true iff the row changed.
  template <typename Bind>
  core::Result<bool> ChangedOne(const char* sql, Bind bind) {
    core::Result<int> n = RunCounting(writer_, sql, std::move(bind));
    if (!n.ok()) return n.error();
    return *n == 1;
  }

  static core::Result<std::optional<identity::User>> ReadOne(Statement& st) {
    core::Result<bool> row = st.Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<identity::User>();
    return std::optional<identity::User>(ReadUser(st));
  }

  static core::Result<bool> IdentityExistsOn(Connection& conn, const core::TenantId& tenant,
                                             std::string_view provider,
                                             std::string_view provider_id) {
    core::Result<Statement> st = conn.Prepare(kIdentityExists);
    if (!st.ok()) return st.error();
    st->BindText(1, provider).BindText(2, provider_id).BindTenant(3, tenant);
    return st->Step();
  }

  // Another user already has this e-mail or phone, in `tenant` or anywhere.
  static core::Result<bool> UserTaken(Connection& conn, const core::TenantId& tenant,
                                      const identity::User& user, bool scoped) {
    const core::TenantId* scope = scoped ? &tenant : nullptr;
    if (user.email) {
      core::Result<bool> r =
          Any(conn, scoped ? kEmailTakenInTenant : kEmailTakenGlobally, *user.email, scope);
      if (!r.ok() || *r) return r;
    }
    if (user.phone) {
      core::Result<bool> r =
          Any(conn, scoped ? kPhoneTakenInTenant : kPhoneTakenGlobally, *user.phone, scope);
      if (!r.ok() || *r) return r;
    }
    return false;
  }

  static core::Result<CreateUserOutcome> InsertAll(
      Connection& conn, const core::TenantId& tenant, const identity::User& u,
      const std::vector<identity::Identity>& identities) {
    if (tenant) {
      core::Result<Statement> st = conn.Prepare(kEnsureTenant);
      if (!st.ok()) return st.error();
      st->BindText(1, tenant->str()).BindInt(2, u.created_at);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    {
      core::Result<Statement> st = conn.Prepare(kInsertUser);
      if (!st.ok()) return st.error();
      st->BindText(1, u.id.str())
          .BindOptText(2, u.email)
          .BindOptInt(3, u.email_verified_at)
          .BindOptText(4, u.phone)
          .BindOptInt(5, u.phone_verified_at)
          .BindOptText(6, u.password_hash)
          .BindBool(7, u.is_active)
          .BindBool(8, u.must_change_password)
          .BindText(9, u.metadata_json)
          .BindBool(10, u.is_mfa_enabled)
          .BindOptText(11, u.mfa_recovery_code)
          .BindInt(12, u.created_at)
          .BindInt(13, u.updated_at);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    for (const identity::Identity& i : identities) {
      core::Result<Statement> st = conn.Prepare(kInsertIdentity);
      if (!st.ok()) return st.error();
      st->BindText(1, i.id.str())
          .BindText(2, u.id.str())
          .BindTenant(3, tenant)
          .BindText(4, i.provider)
          .BindText(5, i.provider_id)
          .BindText(6, i.metadata_json)
          .BindInt(7, i.created_at)
          .BindInt(8, i.updated_at);
      if (core::Status s = st->Run(); !s.ok()) {
        // Two identities of this very call collide on the unique index.
        if (st->last_error_code() == SQLITE_CONSTRAINT_UNIQUE) {
          return CreateUserOutcome::kIdentityExists;
        }
        return s;
      }
    }
    core::Result<Statement> st = conn.Prepare(kInsertAccess);
    if (!st.ok()) return st.error();
    st->BindText(1, u.id.str()).BindTenant(2, tenant).BindInt(3, u.created_at);
    if (core::Status s = st->Run(); !s.ok()) return s;
    return CreateUserOutcome::kCreated;
  }

  ConnectionPool& pool_;  // reads
  Writer& writer_;        // every write, group-committed
};

}  // namespace

std::unique_ptr<identity::UserStore> NewSqliteUserStore(ConnectionPool& pool, Writer& writer) {
  return std::make_unique<SqliteUserStore>(pool, writer);
}

}  // namespace authd::store::sqlite
