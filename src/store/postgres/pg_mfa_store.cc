#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mfa/mfa_store.h"
#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using mfa::RecoveryCode;
using mfa::TotpDevice;
using mfa::TrustedDevice;

// Every statement binds the scope as (user $1, tenant $2), with
// ScopeParams; the statement's own values follow from $3.

// Both device queries select these columns, in the order ReadDevice reads.
constexpr const char* kListDevices =
    "SELECT id, user_id, tenant_id, name, secret_sealed, secret_lookup,"
    " verified, last_step, last_used_at, created_at, updated_at"
    " FROM mfa_devices WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2"
    " ORDER BY created_at, id";

constexpr const char* kFindDeviceBySecret =
    "SELECT id, user_id, tenant_id, name, secret_sealed, secret_lookup,"
    " verified, last_step, last_used_at, created_at, updated_at"
    " FROM mfa_devices WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2"
    " AND secret_lookup = $3 ORDER BY created_at DESC, id DESC LIMIT 1";

constexpr const char* kInsertDevice =
    "INSERT INTO mfa_devices (user_id, tenant_id, id, name, secret_sealed,"
    " secret_lookup, verified, last_step, last_used_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

// Serialises AddDeviceWithinLimit per user (count, then insert).
constexpr const char* kLockUser = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";

// Setups left unverified since before $3.
constexpr const char* kDeleteAbandonedDevices =
    "DELETE FROM mfa_devices WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2"
    " AND NOT verified AND created_at < $3";

// kInsertDevice unless the user holds $12 devices already.
constexpr const char* kInsertDeviceWithinLimit =
    "INSERT INTO mfa_devices (user_id, tenant_id, id, name, secret_sealed,"
    " secret_lookup, verified, last_step, last_used_at, created_at, updated_at)"
    " SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::boolean,"
    " $8::bigint, $9::bigint, $10::bigint, $11::bigint"
    " WHERE (SELECT COUNT(*) FROM mfa_devices WHERE user_id = $1::text"
    " AND tenant_id IS NOT DISTINCT FROM $2::text) < $12::bigint";

constexpr const char* kMarkDeviceVerified =
    "UPDATE mfa_devices SET verified = TRUE, updated_at = $4"
    " WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND id = $3";

// The replay guard: a compare-and-set on last_step. Racing callers with one
// step queue on the row lock; each re-checks `last_step < $4` against the
// row the previous one committed, so only the first changes it.
constexpr const char* kUseDeviceStep =
    "UPDATE mfa_devices SET last_step = $4, last_used_at = $5"
    " WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND id = $3"
    " AND last_step < $4";

constexpr const char* kDeleteDevice =
    "DELETE FROM mfa_devices WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2"
    " AND id = $3";

constexpr const char* kDeleteAllDevices =
    "DELETE FROM mfa_devices WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2";

constexpr const char* kDeleteUnusedCodes =
    "DELETE FROM mfa_recovery_codes WHERE user_id = $1"
    " AND tenant_id IS NOT DISTINCT FROM $2 AND used_at IS NULL";

constexpr const char* kInsertCode =
    "INSERT INTO mfa_recovery_codes (user_id, tenant_id, id, code_hash,"
    " used_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

// Marks one unused code with the hash (the oldest, should a set hold the
// same code twice): a compare-and-set on used_at IS NULL. A racing caller
// that picked the same row waits for its lock, re-checks `used_at IS NULL`
// on the committed row and changes nothing.
constexpr const char* kUseCode =
    "UPDATE mfa_recovery_codes SET used_at = $4 WHERE used_at IS NULL"
    " AND id = (SELECT id FROM mfa_recovery_codes WHERE user_id = $1"
    " AND tenant_id IS NOT DISTINCT FROM $2 AND code_hash = $3 AND used_at IS NULL"
    " ORDER BY created_at, id LIMIT 1)";

constexpr const char* kCountUnusedCodes =
    "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1"
    " AND tenant_id IS NOT DISTINCT FROM $2 AND used_at IS NULL";

constexpr const char* kInsertTrusted =
    "INSERT INTO mfa_trusted_devices (user_id, tenant_id, id, token_hash,"
    " user_agent, ip_address, expires_at, last_used_at, revoked, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

constexpr const char* kUseTrusted =
    "UPDATE mfa_trusted_devices SET last_used_at = $4 WHERE user_id = $1"
    " AND tenant_id IS NOT DISTINCT FROM $2 AND token_hash = $3 AND NOT revoked"
    " AND expires_at > $4";

constexpr const char* kRevokeTrusted =
    "UPDATE mfa_trusted_devices SET revoked = TRUE WHERE user_id = $1"
    " AND tenant_id IS NOT DISTINCT FROM $2 AND NOT revoked";

constexpr const char* kListTrusted =
    "SELECT id, user_id, tenant_id, token_hash, user_agent, ip_address,"
    " expires_at, last_used_at, revoked, created_at FROM mfa_trusted_devices"
    " WHERE user_id = $1 AND tenant_id IS NOT DISTINCT FROM $2"
    " ORDER BY created_at DESC, id DESC";

PgParams ScopeParams(const core::TenantId& tenant, const core::UserId& user) {
  PgParams p;
  p.Text(user.str()).Tenant(tenant);
  return p;
}

// The scope and the device's own columns, $1 to $11 of kInsertDevice and
// kInsertDeviceWithinLimit.
PgParams DeviceParams(const TotpDevice& d) {
  PgParams p = ScopeParams(d.tenant_id, d.user_id);
  p.Text(d.id)
      .Text(d.name)
      .Text(d.secret_sealed)
      .Text(d.secret_lookup)
      .Bool(d.verified)
      .Int(d.last_step)
      .OptionalInt(d.last_used_at)
      .Int(d.created_at)
      .Int(d.updated_at);
  return p;
}

TotpDevice ReadDevice(const PgResult& r, int row) {
  TotpDevice d;
  d.id = r.Text(row, 0);
  d.user_id = core::UserId(r.Text(row, 1));
  d.tenant_id = r.Tenant(row, 2);
  d.name = r.Text(row, 3);
  d.secret_sealed = r.Text(row, 4);
  d.secret_lookup = r.Text(row, 5);
  d.verified = r.Bool(row, 6);
  d.last_step = r.Int(row, 7);
  d.last_used_at = r.OptionalInt(row, 8);
  d.created_at = r.Int(row, 9);
  d.updated_at = r.Int(row, 10);
  return d;
}

TrustedDevice ReadTrusted(const PgResult& r, int row) {
  TrustedDevice d;
  d.id = r.Text(row, 0);
  d.user_id = core::UserId(r.Text(row, 1));
  d.tenant_id = r.Tenant(row, 2);
  d.token_hash = r.Text(row, 3);
  d.user_agent = r.Text(row, 4);
  d.ip_address = r.Text(row, 5);
  d.expires_at = r.Int(row, 6);
  d.last_used_at = r.OptionalInt(row, 7);
  d.revoked = r.Bool(row, 8);
  d.created_at = r.Int(row, 9);
  return d;
}

// Writes go through Transact, never Run: Run repeats a statement after a
// lost connection, and the repeat of a committed write would answer wrong
// (false from a compare-and-set that succeeded, 0 rows, a duplicate key).
// A transaction that failed before COMMIT was rolled back and is repeated
// safely; one that failed during COMMIT is answered kUnavailable.
class PgMfaStore final : public mfa::MfaStore {
 public:
  explicit PgMfaStore(PgPool& pool) : pool_(pool) {}

  core::Status AddDevice(const TotpDevice& d) override {
    return Write(kInsertDevice, DeviceParams(d)).status();
  }

  core::Result<bool> AddDeviceWithinLimit(const TotpDevice& d, int max_devices,
                                          core::UnixMillis unverified_before) override {
    return pool_.Transact([&](PgConnection& conn) -> core::Result<bool> {
      // The user's row lock orders concurrent calls for one user, so each
      // counts what the previous one committed.
      if (core::Status s = StatusOf(conn.Exec(kLockUser, PgParams().Text(d.user_id.str())));
          !s.ok()) {
        return s.error();
      }
      if (core::Status s = StatusOf(conn.Exec(
              kDeleteAbandonedDevices, ScopeParams(d.tenant_id, d.user_id).Int(unverified_before)));
          !s.ok()) {
        return s.error();
      }
      PgParams p = DeviceParams(d);
      p.Int(max_devices);
      core::Result<PgResult> r = conn.Exec(kInsertDeviceWithinLimit, p);
      if (!r.ok()) return r.error();
      return r->affected() > 0;
    });
  }

  core::Result<std::vector<TotpDevice>> ListDevices(const core::TenantId& tenant,
                                                    const core::UserId& user) override {
    return ReadAll<TotpDevice>(kListDevices, ScopeParams(tenant, user), ReadDevice);
  }

  core::Result<std::optional<TotpDevice>> FindDeviceBySecret(const core::TenantId& tenant,
                                                             const core::UserId& user,
                                                             const std::string& lookup) override {
    core::Result<std::vector<TotpDevice>> found = ReadAll<TotpDevice>(
        kFindDeviceBySecret, ScopeParams(tenant, user).Text(lookup), ReadDevice);
    if (!found.ok()) return found.error();
    if (found->empty()) return std::optional<TotpDevice>();
    return std::optional<TotpDevice>(std::move(found->front()));
  }

  core::Result<bool> MarkDeviceVerified(const core::TenantId& tenant, const core::UserId& user,
                                        const std::string& device_id,
                                        core::UnixMillis at) override {
    return Changed(kMarkDeviceVerified, ScopeParams(tenant, user).Text(device_id).Int(at));
  }

  core::Result<bool> UseDeviceStep(const core::TenantId& tenant, const core::UserId& user,
                                   const std::string& device_id, std::int64_t step,
                                   core::UnixMillis at) override {
    return Changed(kUseDeviceStep, ScopeParams(tenant, user).Text(device_id).Int(step).Int(at));
  }

  core::Result<bool> DeleteDevice(const core::TenantId& tenant, const core::UserId& user,
                                  const std::string& device_id) override {
    return Changed(kDeleteDevice, ScopeParams(tenant, user).Text(device_id));
  }

  core::Result<int> DeleteAllDevices(const core::TenantId& tenant,
                                     const core::UserId& user) override {
    return Write(kDeleteAllDevices, ScopeParams(tenant, user));
  }

  core::Status ReplaceRecoveryCodes(const core::TenantId& tenant, const core::UserId& user,
                                    const std::vector<RecoveryCode>& codes) override {
    for (const RecoveryCode& c : codes) {
      if (c.tenant_id != tenant || c.user_id != user) {
        return core::Internal("ReplaceRecoveryCodes: code tenant_id/user_id differ from the scope");
      }
    }
    // One transaction: a failing insert rolls the deletion back too.
    return pool_.Transact([&](PgConnection& conn) -> core::Status {
      if (core::Status s = StatusOf(conn.Exec(kDeleteUnusedCodes, ScopeParams(tenant, user)));
          !s.ok()) {
        return s;
      }
      for (const RecoveryCode& c : codes) {
        PgParams p = ScopeParams(tenant, user);
        p.Text(c.id).Text(c.code_hash).OptionalInt(c.used_at).Int(c.created_at);
        if (core::Status s = StatusOf(conn.Exec(kInsertCode, p)); !s.ok()) return s;
      }
      return core::Status::Ok();
    });
  }

  core::Result<bool> UseRecoveryCode(const core::TenantId& tenant, const core::UserId& user,
                                     const std::string& code_hash, core::UnixMillis at) override {
    return Changed(kUseCode, ScopeParams(tenant, user).Text(code_hash).Int(at));
  }

  core::Result<int> CountUnusedRecoveryCodes(const core::TenantId& tenant,
                                             const core::UserId& user) override {
    core::Result<std::vector<int>> n =
        ReadAll<int>(kCountUnusedCodes, ScopeParams(tenant, user),
                     [](const PgResult& r, int row) { return static_cast<int>(r.Int(row, 0)); });
    if (!n.ok()) return n.error();
    return n->empty() ? 0 : n->front();
  }

  core::Status AddTrustedDevice(const TrustedDevice& d) override {
    PgParams p = ScopeParams(d.tenant_id, d.user_id);
    p.Text(d.id)
        .Text(d.token_hash)
        .Text(d.user_agent)
        .Text(d.ip_address)
        .Int(d.expires_at)
        .OptionalInt(d.last_used_at)
        .Bool(d.revoked)
        .Int(d.created_at);
    return Write(kInsertTrusted, p).status();
  }

  core::Result<bool> UseTrustedDevice(const core::TenantId& tenant, const core::UserId& user,
                                      const std::string& token_hash,
                                      core::UnixMillis now) override {
    return Changed(kUseTrusted, ScopeParams(tenant, user).Text(token_hash).Int(now));
  }

  core::Result<int> RevokeTrustedDevices(const core::TenantId& tenant,
                                         const core::UserId& user) override {
    return Write(kRevokeTrusted, ScopeParams(tenant, user));
  }

  core::Result<std::vector<TrustedDevice>> ListTrustedDevices(const core::TenantId& tenant,
                                                              const core::UserId& user) override {
    return ReadAll<TrustedDevice>(kListTrusted, ScopeParams(tenant, user), ReadTrusted);
  }

 private:
  // Runs the write `sql` in a transaction of its own; how many rows it
  // changed.
  core::Result<int> Write(const char* sql, const PgParams& params) {
    core::Result<std::int64_t> n = WriteCounting(pool_, sql, params);
    if (!n.ok()) return n.error();
    return static_cast<int>(*n);
  }

  // Write, reporting whether any row changed.
  core::Result<bool> Changed(const char* sql, const PgParams& params) {
    core::Result<int> n = Write(sql, params);
    if (!n.ok()) return n.error();
    return *n > 0;
  }

  // The rows of the query `sql`, each turned into a T by `read`.
  template <typename T, typename Read>
  core::Result<std::vector<T>> ReadAll(const char* sql, const PgParams& params, Read read) {
    return pool_.Run([&](PgConnection& conn) -> core::Result<std::vector<T>> {
      core::Result<PgResult> r = conn.Exec(sql, params);
      if (!r.ok()) return r.error();
      std::vector<T> out;
      out.reserve(static_cast<size_t>(r->rows()));
      for (int i = 0; i < r->rows(); ++i) out.push_back(read(*r, i));
      return out;
    });
  }

  PgPool& pool_;
};

}  // namespace

std::unique_ptr<mfa::MfaStore> NewPgMfaStore(PgPool& pool) {
  return std::make_unique<PgMfaStore>(pool);
}

}  // namespace authd::store::postgres
