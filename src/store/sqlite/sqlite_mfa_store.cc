#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mfa/mfa_store.h"
#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {
namespace {

using mfa::RecoveryCode;
using mfa::TotpDevice;
using mfa::TrustedDevice;

// Every statement binds the scope as (user ?1, tenant ?2), with BindScope;
// the statement's own values follow from ?3.

// Both device queries select these columns, in the order ReadDevice reads.
constexpr const char* kListDevices =
    "SELECT id, user_id, tenant_id, name, secret_sealed, secret_lookup,"
    " verified, last_step, last_used_at, created_at, updated_at"
    " FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2"
    " ORDER BY created_at, id";

constexpr const char* kFindDeviceBySecret =
    "SELECT id, user_id, tenant_id, name, secret_sealed, secret_lookup,"
    " verified, last_step, last_used_at, created_at, updated_at"
    " FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2"
    " AND secret_lookup = ?3 ORDER BY created_at DESC, id DESC LIMIT 1";

constexpr const char* kInsertDevice =
    "INSERT INTO mfa_devices (user_id, tenant_id, id, name, secret_sealed,"
    " secret_lookup, verified, last_step, last_used_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

// Setups left unverified since before ?3.
constexpr const char* kDeleteAbandonedDevices =
    "DELETE FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2"
    " AND verified = 0 AND created_at < ?3";

// kInsertDevice unless the user holds ?12 devices already.
constexpr const char* kInsertDeviceWithinLimit =
    "INSERT INTO mfa_devices (user_id, tenant_id, id, name, secret_sealed,"
    " secret_lookup, verified, last_step, last_used_at, created_at, updated_at)"
    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
    " WHERE (SELECT COUNT(*) FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2) < ?12";

constexpr const char* kMarkDeviceVerified =
    "UPDATE mfa_devices SET verified = 1, updated_at = ?4"
    " WHERE user_id = ?1 AND tenant_id IS ?2 AND id = ?3";

// The replay guard: a compare-and-set on last_step, so of racing callers
// with one step only the first changes the row.
constexpr const char* kUseDeviceStep =
    "UPDATE mfa_devices SET last_step = ?4, last_used_at = ?5"
    " WHERE user_id = ?1 AND tenant_id IS ?2 AND id = ?3 AND last_step < ?4";

constexpr const char* kDeleteDevice =
    "DELETE FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2 AND id = ?3";

constexpr const char* kDeleteAllDevices =
    "DELETE FROM mfa_devices WHERE user_id = ?1 AND tenant_id IS ?2";

constexpr const char* kDeleteUnusedCodes =
    "DELETE FROM mfa_recovery_codes WHERE user_id = ?1 AND tenant_id IS ?2"
    " AND used_at IS NULL";

constexpr const char* kInsertCode =
    "INSERT INTO mfa_recovery_codes (user_id, tenant_id, id, code_hash,"
    " used_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Marks one unused code with the hash (the oldest, should a set hold the
// same code twice): a compare-and-set on used_at IS NULL.
constexpr const char* kUseCode =
    "UPDATE mfa_recovery_codes SET used_at = ?4 WHERE used_at IS NULL"
    " AND id = (SELECT id FROM mfa_recovery_codes WHERE user_id = ?1"
    " AND tenant_id IS ?2 AND code_hash = ?3 AND used_at IS NULL"
    " ORDER BY created_at, id LIMIT 1)";

constexpr const char* kCountUnusedCodes =
    "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ?1"
    " AND tenant_id IS ?2 AND used_at IS NULL";

constexpr const char* kInsertTrusted =
    "INSERT INTO mfa_trusted_devices (user_id, tenant_id, id, token_hash,"
    " user_agent, ip_address, expires_at, last_used_at, revoked, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

constexpr const char* kUseTrusted =
    "UPDATE mfa_trusted_devices SET last_used_at = ?4 WHERE user_id = ?1"
    " AND tenant_id IS ?2 AND token_hash = ?3 AND revoked = 0"
    " AND expires_at > ?4";

constexpr const char* kRevokeTrusted =
    "UPDATE mfa_trusted_devices SET revoked = 1 WHERE user_id = ?1"
    " AND tenant_id IS ?2 AND revoked = 0";

constexpr const char* kListTrusted =
    "SELECT id, user_id, tenant_id, token_hash, user_agent, ip_address,"
    " expires_at, last_used_at, revoked, created_at FROM mfa_trusted_devices"
    " WHERE user_id = ?1 AND tenant_id IS ?2 ORDER BY created_at DESC, id DESC";

void BindScope(Statement& st, const core::TenantId& tenant, const core::UserId& user) {
  st.BindText(1, user.str()).BindTenant(2, tenant);
}

// The device's own columns, ?3 to ?11 of kInsertDevice and
// kInsertDeviceWithinLimit.
void BindDeviceColumns(Statement& st, const TotpDevice& d) {
  st.BindText(3, d.id)
      .BindText(4, d.name)
      .BindText(5, d.secret_sealed)
      .BindText(6, d.secret_lookup)
      .BindBool(7, d.verified)
      .BindInt(8, d.last_step)
      .BindOptInt(9, d.last_used_at)
      .BindInt(10, d.created_at)
      .BindInt(11, d.updated_at);
}

TotpDevice ReadDevice(const Statement& st) {
  TotpDevice d;
  d.id = st.Text(0);
  d.user_id = core::UserId(st.Text(1));
  d.tenant_id = st.Tenant(2);
  d.name = st.Text(3);
  d.secret_sealed = st.Text(4);
  d.secret_lookup = st.Text(5);
  d.verified = st.Bool(6);
  d.last_step = st.Int(7);
  d.last_used_at = st.OptInt(8);
  d.created_at = st.Int(9);
  d.updated_at = st.Int(10);
  return d;
}

TrustedDevice ReadTrusted(const Statement& st) {
  TrustedDevice d;
  d.id = st.Text(0);
  d.user_id = core::UserId(st.Text(1));
  d.tenant_id = st.Tenant(2);
  d.token_hash = st.Text(3);
  d.user_agent = st.Text(4);
  d.ip_address = st.Text(5);
  d.expires_at = st.Int(6);
  d.last_used_at = st.OptInt(7);
  d.revoked = st.Bool(8);
  d.created_at = st.Int(9);
  return d;
}

class SqliteMfaStore final : public mfa::MfaStore {
 public:
  SqliteMfaStore(ConnectionPool& pool, Writer& writer) : pool_(pool), writer_(writer) {}

  core::Status AddDevice(const TotpDevice& d) override {
    core::Result<int> r = Write(kInsertDevice, d.tenant_id, d.user_id,
                                [&](Statement& st) { BindDeviceColumns(st, d); });
    return r.status();
  }

  core::Result<bool> AddDeviceWithinLimit(const TotpDevice& d, int max_devices,
                                          core::UnixMillis unverified_before) override {
    bool added = false;
    // One writer op (the writer serialises every write): nothing can add a
    // device between the count and the insert.
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      {
        core::Result<Statement> st = conn.Prepare(kDeleteAbandonedDevices);
        if (!st.ok()) return st.error();
        BindScope(*st, d.tenant_id, d.user_id);
        st->BindInt(3, unverified_before);
        if (core::Status run = st->Run(); !run.ok()) return run;
      }
      core::Result<Statement> st = conn.Prepare(kInsertDeviceWithinLimit);
      if (!st.ok()) return st.error();
      BindScope(*st, d.tenant_id, d.user_id);
      BindDeviceColumns(*st, d);
      st->BindInt(12, max_devices);
      if (core::Status run = st->Run(); !run.ok()) return run;
      added = st->changes() > 0;
      return core::Status::Ok();
    });
    if (!s.ok()) return s.error();
    return added;
  }

  core::Result<std::vector<TotpDevice>> ListDevices(const core::TenantId& tenant,
                                                    const core::UserId& user) override {
    return ReadAll<TotpDevice>(
        kListDevices, tenant, user, [](Statement&) {}, ReadDevice);
  }

  core::Result<std::optional<TotpDevice>> FindDeviceBySecret(const core::TenantId& tenant,
                                                             const core::UserId& user,
                                                             const std::string& lookup) override {
    core::Result<std::vector<TotpDevice>> found = ReadAll<TotpDevice>(
        kFindDeviceBySecret, tenant, user, [&](Statement& st) { st.BindText(3, lookup); },
        ReadDevice);
    if (!found.ok()) return found.error();
    if (found->empty()) return std::optional<TotpDevice>();
    return std::optional<TotpDevice>(std::move(found->front()));
  }

  core::Result<bool> MarkDeviceVerified(const core::TenantId& tenant, const core::UserId& user,
                                        const std::string& device_id,
                                        core::UnixMillis at) override {
    return Changed(kMarkDeviceVerified, tenant, user,
                   [&](Statement& st) { st.BindText(3, device_id).BindInt(4, at); });
  }

  core::Result<bool> UseDeviceStep(const core::TenantId& tenant, const core::UserId& user,
                                   const std::string& device_id, std::int64_t step,
                                   core::UnixMillis at) override {
    return Changed(kUseDeviceStep, tenant, user, [&](Statement& st) {
      st.BindText(3, device_id).BindInt(4, step).BindInt(5, at);
    });
  }

  core::Result<bool> DeleteDevice(const core::TenantId& tenant, const core::UserId& user,
                                  const std::string& device_id) override {
    return Changed(kDeleteDevice, tenant, user, [&](Statement& st) { st.BindText(3, device_id); });
  }

  core::Result<int> DeleteAllDevices(const core::TenantId& tenant,
                                     const core::UserId& user) override {
    return Write(kDeleteAllDevices, tenant, user, [](Statement&) {});
  }

  core::Status ReplaceRecoveryCodes(const core::TenantId& tenant, const core::UserId& user,
                                    const std::vector<RecoveryCode>& codes) override {
    for (const RecoveryCode& c : codes) {
      if (c.tenant_id != tenant || c.user_id != user) {
        return core::Internal("ReplaceRecoveryCodes: code tenant_id/user_id differ from the scope");
      }
    }
    // One writer op: a failing insert rolls the deletion back too.
    return writer_.Run([&](Connection& conn) -> core::Status {
      {
        core::Result<Statement> st = conn.Prepare(kDeleteUnusedCodes);
        if (!st.ok()) return st.error();
        BindScope(*st, tenant, user);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      for (const RecoveryCode& c : codes) {
        core::Result<Statement> st = conn.Prepare(kInsertCode);
        if (!st.ok()) return st.error();
        BindScope(*st, tenant, user);
        st->BindText(3, c.id)
            .BindText(4, c.code_hash)
            .BindOptInt(5, c.used_at)
            .BindInt(6, c.created_at);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      return core::Status::Ok();
    });
  }

  core::Result<bool> UseRecoveryCode(const core::TenantId& tenant, const core::UserId& user,
                                     const std::string& code_hash, core::UnixMillis at) override {
    return Changed(kUseCode, tenant, user,
                   [&](Statement& st) { st.BindText(3, code_hash).BindInt(4, at); });
  }

  core::Result<int> CountUnusedRecoveryCodes(const core::TenantId& tenant,
                                             const core::UserId& user) override {
    core::Result<std::vector<int>> n = ReadAll<int>(
        kCountUnusedCodes, tenant, user, [](Statement&) {},
        [](const Statement& st) { return static_cast<int>(st.Int(0)); });
    if (!n.ok()) return n.error();
    return n->empty() ? 0 : n->front();
  }

  core::Status AddTrustedDevice(const TrustedDevice& d) override {
    core::Result<int> r = Write(kInsertTrusted, d.tenant_id, d.user_id, [&](Statement& st) {
      st.BindText(3, d.id)
          .BindText(4, d.token_hash)
          .BindText(5, d.user_agent)
          .BindText(6, d.ip_address)
          .BindInt(7, d.expires_at)
          .BindOptInt(8, d.last_used_at)
          .BindBool(9, d.revoked)
          .BindInt(10, d.created_at);
    });
    return r.status();
  }

  core::Result<bool> UseTrustedDevice(const core::TenantId& tenant, const core::UserId& user,
                                      const std::string& token_hash,
                                      core::UnixMillis now) override {
    return Changed(kUseTrusted, tenant, user,
                   [&](Statement& st) { st.BindText(3, token_hash).BindInt(4, now); });
  }

  core::Result<int> RevokeTrustedDevices(const core::TenantId& tenant,
                                         const core::UserId& user) override {
    return Write(kRevokeTrusted, tenant, user, [](Statement&) {});
  }

  core::Result<std::vector<TrustedDevice>> ListTrustedDevices(const core::TenantId& tenant,
                                                              const core::UserId& user) override {
    return ReadAll<TrustedDevice>(
        kListTrusted, tenant, user, [](Statement&) {}, ReadTrusted);
  }

 private:
  // Runs `sql`, scoped to (tenant, user) and further bound by `bind`, as one
  // writer op; how many rows it changed.
  template <typename Bind>
  core::Result<int> Write(const char* sql, const core::TenantId& tenant, const core::UserId& user,
                          Bind bind) {
    return RunCounting(writer_, sql, [&](Statement& st) {
      BindScope(st, tenant, user);
      bind(st);
    });
  }

  // Write, reporting whether any row changed.
  template <typename Bind>
  core::Result<bool> Changed(const char* sql, const core::TenantId& tenant,
                             const core::UserId& user, Bind bind) {
    core::Result<int> n = Write(sql, tenant, user, std::move(bind));
    if (!n.ok()) return n.error();
    return *n > 0;
  }

  // The rows of the query `sql`, scoped and bound as in Write, each turned
  // into a T by `read`; on a pooled reader connection.
  template <typename T, typename Bind, typename Read>
  core::Result<std::vector<T>> ReadAll(const char* sql, const core::TenantId& tenant,
                                       const core::UserId& user, Bind bind, Read read) {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(sql);
    if (!st.ok()) return st.error();
    BindScope(*st, tenant, user);
    bind(*st);
    std::vector<T> out;
    while (true) {
      core::Result<bool> row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back(read(*st));
    }
    return out;
  }

  ConnectionPool& pool_;  // reads
  Writer& writer_;        // every write, group-committed
};

}  // namespace

std::unique_ptr<mfa::MfaStore> NewSqliteMfaStore(ConnectionPool& pool, Writer& writer) {
  return std::make_unique<SqliteMfaStore>(pool, writer);
}

}  // namespace authd::store::sqlite
