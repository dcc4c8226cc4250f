#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using identity::CreateUserOutcome;

// Both user queries select these columns, in the order ReadUser reads.
// A user is visible in a tenant through its user_accesses row there (found
// by the (user_id, tenant) index, so the exact IS NOT DISTINCT FROM).
constexpr const char* kFindUserById =
    "SELECT u.id, u.email, u.email_verified_at, u.phone, u.phone_verified_at,"
    " u.password_hash, u.is_active, u.must_change_password, u.metadata,"
    " u.is_mfa_enabled, u.mfa_recovery_code, u.created_at, u.updated_at"
    " FROM users u WHERE u.id = $1 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = u.id AND a.tenant_id IS NOT DISTINCT FROM $2::text)";

constexpr const char* kSetPassword =
    "UPDATE users SET password_hash = $1, must_change_password = FALSE,"
    " updated_at = $2 WHERE id = $3 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS NOT DISTINCT FROM $4::text)";

// SetPassword as a compare-and-set on the current hash ($5, NULL = none).
// The row lock and READ COMMITTED's re-check of the WHERE clause on the
// latest row version let exactly one of racing callers (any process) match.
constexpr const char* kCompareAndSetPassword =
    "UPDATE users SET password_hash = $1, must_change_password = FALSE,"
    " updated_at = $2 WHERE id = $3 AND password_hash IS NOT DISTINCT FROM $5::text"
    " AND EXISTS (SELECT 1 FROM user_accesses a WHERE a.user_id = users.id"
    " AND a.tenant_id IS NOT DISTINCT FROM $4::text)";

constexpr const char* kMarkEmailVerified =
    "UPDATE users SET email_verified_at = $1, updated_at = $1"
    " WHERE id = $2 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS NOT DISTINCT FROM $3::text)";

constexpr const char* kMarkPhoneVerified =
    "UPDATE users SET phone_verified_at = $1, updated_at = $1"
    " WHERE id = $2 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS NOT DISTINCT FROM $3::text)";

constexpr const char* kSetMfaEnabled =
    "UPDATE users SET is_mfa_enabled = $1, updated_at = $2"
    " WHERE id = $3 AND EXISTS (SELECT 1 FROM user_accesses a"
    " WHERE a.user_id = users.id AND a.tenant_id IS NOT DISTINCT FROM $4::text)";

// Identity lookups compare the tenant through COALESCE, as the unique
// index identities_provider_tenant_uq does, so that index is used.
constexpr const char* kFindUserByIdentity =
    "SELECT u.id, u.email, u.email_verified_at, u.phone, u.phone_verified_at,"
    " u.password_hash, u.is_active, u.must_change_password, u.metadata,"
    " u.is_mfa_enabled, u.mfa_recovery_code, u.created_at, u.updated_at"
    " FROM identities i JOIN users u ON u.id = i.user_id"
    " WHERE i.provider = $1 AND i.provider_id = $2"
    " AND COALESCE(i.tenant_id, '') = COALESCE($3::text, '')";

constexpr const char* kIdentityExists =
    "SELECT 1 FROM identities WHERE provider = $1 AND provider_id = $2"
    " AND COALESCE(tenant_id, '') = COALESCE($3::text, '') LIMIT 1";

constexpr const char* kEmailTakenGlobally = "SELECT 1 FROM users WHERE email = $1 LIMIT 1";
constexpr const char* kPhoneTakenGlobally = "SELECT 1 FROM users WHERE phone = $1 LIMIT 1";
constexpr const char* kEmailTakenInTenant =
    "SELECT 1 FROM users u JOIN user_accesses a ON a.user_id = u.id"
    " WHERE u.email = $1 AND a.tenant_id IS NOT DISTINCT FROM $2::text LIMIT 1";
constexpr const char* kPhoneTakenInTenant =
    "SELECT 1 FROM users u JOIN user_accesses a ON a.user_id = u.id"
    " WHERE u.phone = $1 AND a.tenant_id IS NOT DISTINCT FROM $2::text LIMIT 1";

// Held until COMMIT/ROLLBACK. A hash collision of two keys only makes two
// unrelated signups wait for each other.
constexpr const char* kLockAddress = "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))";

constexpr const char* kSavepoint = "SAVEPOINT insert_user";
constexpr const char* kUndoToSavepoint = "ROLLBACK TO SAVEPOINT insert_user";

constexpr const char* kEnsureTenant =
    "INSERT INTO tenants (id, name, created_at, updated_at)"
    " VALUES ($1, $1, $2, $2) ON CONFLICT (id) DO NOTHING";

constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, email_verified_at, phone, phone_verified_at,"
    " password_hash, is_active, must_change_password, metadata, is_mfa_enabled,"
    " mfa_recovery_code, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

constexpr const char* kInsertIdentity =
    "INSERT INTO identities (id, user_id, tenant_id, provider, provider_id,"
    " metadata, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

constexpr const char* kInsertAccess =
    "INSERT INTO user_accesses (user_id, tenant_id, is_default, status,"
    " metadata, created_at, updated_at)"
    " VALUES ($1, $2, TRUE, 'active', '{}', $3, $3)";

}  // namespace

identity::User ReadUser(const PgResult& r, int row, int col) {
  identity::User u;
  u.id = core::UserId(r.Text(row, col + 0));
  u.email = r.OptionalText(row, col + 1);
  u.email_verified_at = r.OptionalInt(row, col + 2);
  u.phone = r.OptionalText(row, col + 3);
  u.phone_verified_at = r.OptionalInt(row, col + 4);
  u.password_hash = r.OptionalText(row, col + 5);
  u.is_active = r.Bool(row, col + 6);
  u.must_change_password = r.Bool(row, col + 7);
  u.metadata_json = r.Text(row, col + 8);
  u.is_mfa_enabled = r.Bool(row, col + 9);
  u.mfa_recovery_code = r.OptionalText(row, col + 10);
  u.created_at = r.Int(row, col + 11);
  u.updated_at = r.Int(row, col + 12);
  return u;
}

namespace {

// True iff `sql` with `params` returns a row.
core::Result<bool> Any(PgConnection& conn, const char* sql, const PgParams& params) {
  core::Result<PgResult> r = conn.Exec(sql, params);
  if (!r.ok()) return r.error();
  return r->rows() > 0;
}

core::Result<std::optional<identity::User>> ReadOne(PgConnection& conn, const char* sql,
                                                    const PgParams& params) {
  core::Result<PgResult> r = conn.Exec(sql, params);
  if (!r.ok()) return r.error();
  if (r->rows() == 0) return std::optional<identity::User>();
  return std::optional<identity::User>(ReadUser(*r, 0, 0));
}

core::Result<bool> IdentityExistsOn(PgConnection& conn, const core::TenantId& tenant,
                                    std::string_view provider, std::string_view provider_id) {
  return Any(conn, kIdentityExists, PgParams().Text(provider).Text(provider_id).Tenant(tenant));
}

// The advisory-lock keys of the addresses `user` claims: the scope of the
// uniqueness rule (tenant or global) is part of the key. Sorted and
// deduplicated, so every transaction takes its locks in the same order.
std::vector<std::string> AddressKeys(const core::TenantId& tenant, const identity::User& user,
                                     bool scoped) {
  const std::string scope = !scoped ? "*:" : tenant ? "t:" + tenant->str() + ":" : "-:";
  std::vector<std::string> keys;
  if (user.email) keys.push_back("email:" + scope + *user.email);
  if (user.phone) keys.push_back("phone:" + scope + *user.phone);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// Another user already has this e-mail or phone, in `tenant` or anywhere.
core::Result<bool> UserTaken(PgConnection& conn, const core::TenantId& tenant,
                             const identity::User& user, bool scoped) {
  if (user.email) {
    PgParams p;
    p.Text(*user.email);
    if (scoped) p.Tenant(tenant);
    core::Result<bool> r = Any(conn, scoped ? kEmailTakenInTenant : kEmailTakenGlobally, p);
    if (!r.ok() || *r) return r;
  }
  if (user.phone) {
    PgParams p;
    p.Text(*user.phone);
    if (scoped) p.Tenant(tenant);
    core::Result<bool> r = Any(conn, scoped ? kPhoneTakenInTenant : kPhoneTakenGlobally, p);
    if (!r.ok() || *r) return r;
  }
  return false;
}

// Inserts the tenant placeholder, the user, its identities and its
// membership. A unique violation on an identity (a concurrent signup of
// the same identity with another address, so not behind our locks, or two
// identities of this very call) is kIdentityExists: the savepoint undoes
// our inserts and leaves the transaction usable, so the caller's COMMIT
// succeeds and writes nothing (PgConnection::Commit refuses to commit a
// transaction an error aborted).
core::Result<CreateUserOutcome> InsertAll(PgConnection& conn, const core::TenantId& tenant,
                                          const identity::User& u,
                                          const std::vector<identity::Identity>& identities) {
  if (core::Status s = conn.ExecScript(kSavepoint); !s.ok()) return s.error();
  if (tenant) {
    core::Result<PgResult> r =
        conn.Exec(kEnsureTenant, PgParams().Text(tenant->str()).Int(u.created_at));
    if (!r.ok()) return r.error();
  }
  core::Result<PgResult> user = conn.Exec(kInsertUser, PgParams()
                                                           .Text(u.id.str())
                                                           .OptionalText(u.email)
                                                           .OptionalInt(u.email_verified_at)
                                                           .OptionalText(u.phone)
                                                           .OptionalInt(u.phone_verified_at)
                                                           .OptionalText(u.password_hash)
                                                           .Bool(u.is_active)
                                                           .Bool(u.must_change_password)
                                                           .Text(u.metadata_json)
                                                           .Bool(u.is_mfa_enabled)
                                                           .OptionalText(u.mfa_recovery_code)
                                                           .Int(u.created_at)
                                                           .Int(u.updated_at));
  if (!user.ok()) return user.error();
  for (const identity::Identity& i : identities) {
    core::Result<PgResult> r = conn.Exec(kInsertIdentity, PgParams()
                                                              .Text(i.id.str())
                                                              .Text(u.id.str())
                                                              .Tenant(tenant)
                                                              .Text(i.provider)
                                                              .Text(i.provider_id)
                                                              .Text(i.metadata_json)
                                                              .Int(i.created_at)
                                                              .Int(i.updated_at));
    if (!r.ok()) {
      if (conn.last_sqlstate() != kUniqueViolation) return r.error();
      if (core::Status s = conn.ExecScript(kUndoToSavepoint); !s.ok()) return s.error();
      return CreateUserOutcome::kIdentityExists;
    }
  }
  core::Result<PgResult> access =
      conn.Exec(kInsertAccess, PgParams().Text(u.id.str()).Tenant(tenant).Int(u.created_at));
  if (!access.ok()) return access.error();
  return CreateUserOutcome::kCreated;
}

class PgUserStore final : public identity::UserStore {
 public:
  explicit PgUserStore(PgPool& pool) : pool_(pool) {}

  // One transaction: the address locks first (so a concurrent signup of
  // the same e-mail/phone in any process waits for our COMMIT and then
  // sees our row), then SQLite's checks in SQLite's order, then the rows.
  core::Result<CreateUserOutcome> CreateUser(const core::TenantId& tenant,
                                             const identity::User& user,
                                             const std::vector<identity::Identity>& identities,
                                             bool tenant_scoped_users) override {
    if (core::Status s = identity::IdentitiesBelongTo(tenant, user, identities); !s.ok()) {
      return s.error();
    }
    const std::vector<std::string> keys = AddressKeys(tenant, user, tenant_scoped_users);
    return pool_.Transact([&](PgConnection& conn) -> core::Result<CreateUserOutcome> {
      for (const std::string& key : keys) {
        core::Result<PgResult> r = conn.Exec(kLockAddress, PgParams().Text(key));
        if (!r.ok()) return r.error();
      }
      for (const identity::Identity& i : identities) {
        core::Result<bool> exists = IdentityExistsOn(conn, tenant, i.provider, i.provider_id);
        if (!exists.ok()) return exists.error();
        if (*exists) return CreateUserOutcome::kIdentityExists;
      }
      core::Result<bool> taken = UserTaken(conn, tenant, user, tenant_scoped_users);
      if (!taken.ok()) return taken.error();
      if (*taken) return CreateUserOutcome::kUserExists;
      return InsertAll(conn, tenant, user, identities);
    });
  }

  core::Result<bool> SetPassword(const core::TenantId& tenant, const core::UserId& id,
                                 const std::string& password_hash,
                                 core::UnixMillis updated_at) override {
    // Repeating it after a lost connection writes the same values again.
    return ChangedOne(kSetPassword,
                      PgParams().Text(password_hash).Int(updated_at).Text(id.str()).Tenant(tenant));
  }

  core::Result<bool> CompareAndSetPassword(const core::TenantId& tenant, const core::UserId& id,
                                           const std::optional<std::string>& expected,
                                           const std::string& password_hash,
                                           core::UnixMillis updated_at) override {
    // WriteCounting (a transaction): a repeated CAS would report false
    // although the first attempt won.
    const PgParams params = PgParams()
                                .Text(password_hash)
                                .Int(updated_at)
                                .Text(id.str())
                                .Tenant(tenant)
                                .OptionalText(expected);
    core::Result<std::int64_t> n = WriteCounting(pool_, kCompareAndSetPassword, params);
    if (!n.ok()) return n.error();
    return *n == 1;
  }

  core::Result<bool> MarkVerified(const core::TenantId& tenant, const core::UserId& id,
                                  identity::VerifiedChannel channel, core::UnixMillis at) override {
    const char* sql =
        channel == identity::VerifiedChannel::kEmail ? kMarkEmailVerified : kMarkPhoneVerified;
    return ChangedOne(sql, PgParams().Int(at).Text(id.str()).Tenant(tenant));
  }

  core::Result<bool> SetMfaEnabled(const core::TenantId& tenant, const core::UserId& id,
                                   bool enabled, core::UnixMillis at) override {
    return ChangedOne(kSetMfaEnabled,
                      PgParams().Bool(enabled).Int(at).Text(id.str()).Tenant(tenant));
  }

  core::Result<std::optional<identity::User>> FindUserById(const core::TenantId& tenant,
                                                           const core::UserId& id) override {
    const PgParams params = PgParams().Text(id.str()).Tenant(tenant);
    return pool_.Run([&](PgConnection& conn) { return ReadOne(conn, kFindUserById, params); });
  }

  core::Result<std::optional<identity::User>> FindUserByIdentity(
      const core::TenantId& tenant, std::string_view provider,
      std::string_view provider_id) override {
    const PgParams params = PgParams().Text(provider).Text(provider_id).Tenant(tenant);
    return pool_.Run(
        [&](PgConnection& conn) { return ReadOne(conn, kFindUserByIdentity, params); });
  }

  core::Result<bool> IdentityExists(const core::TenantId& tenant, std::string_view provider,
                                    std::string_view provider_id) override {
    return pool_.Run(
        [&](PgConnection& conn) { return IdentityExistsOn(conn, tenant, provider, provider_id); });
  }

 private:
  // A one-row UPDATE of a user whose repetition is harmless (it sets the
  // same values): true iff the row matched.
  core::Result<bool> ChangedOne(const char* sql, const PgParams& params) {
    return pool_.Run([&](PgConnection& conn) -> core::Result<bool> {
      core::Result<PgResult> r = conn.Exec(sql, params);
      if (!r.ok()) return r.error();
      return r->affected() == 1;
    });
  }

  PgPool& pool_;
};

}  // namespace

std::unique_ptr<identity::UserStore> NewPgUserStore(PgPool& pool) {
  return std::make_unique<PgUserStore>(pool);
}

}  // namespace authd::store::postgres
