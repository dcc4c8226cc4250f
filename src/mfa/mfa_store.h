// MfaStore: the persistence port of multi-factor authentication, owned by
// the mfa domain and implemented by the adapters in store/: TOTP devices,
// recovery codes and trusted devices (spec mfa.md §3, §5, §6).
//
// Secrets are never stored in the clear: a TOTP secret is kept sealed
// (AES-256-GCM, crypto/aead.h) plus an HMAC of it to find a device by the
// secret the client echoes back at enrolment; recovery codes and trust
// tokens only as HMACs. Every method takes the tenant scope first and the
// user, and touches only that user's rows in that tenant.
//
// Safe for concurrent use, also from several processes sharing one
// database. Every acknowledged write is durable. "Not found" is an empty
// optional or false, never an error.
#ifndef AUTHD_MFA_MFA_STORE_H_
#define AUTHD_MFA_MFA_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"

namespace authd::mfa {

struct TotpDevice {
  std::string id;  // UUID v4
  core::UserId user_id;
  core::TenantId tenant_id;
  std::string name;           // shown in GET /auth/mfa/devices
  std::string secret_sealed;  // crypto::Seal of the base32 secret
  std::string secret_lookup;  // HMAC-SHA256 hex of the base32 secret
  bool verified = false;      // enrolment confirmed with a code
  // The last TOTP time step accepted from this device (-1: none): a code
  // of that step or an earlier one is a replay.
  std::int64_t last_step = -1;
  std::optional<core::UnixMillis> last_used_at;
  core::UnixMillis created_at = 0;
  core::UnixMillis updated_at = 0;
};

struct RecoveryCode {
  std::string id;  // UUID v4
  core::UserId user_id;
  core::TenantId tenant_id;
  std::string code_hash;  // HMAC-SHA256 hex
  std::optional<core::UnixMillis> used_at;
  core::UnixMillis created_at = 0;
};

struct TrustedDevice {
  std::string id;  // UUID v4
  core::UserId user_id;
  core::TenantId tenant_id;
  std::string token_hash;  // HMAC-SHA256 hex of the trust token
  std::string user_agent;
  std::string ip_address;
  core::UnixMillis expires_at = 0;
  std::optional<core::UnixMillis> last_used_at;
  bool revoked = false;
  core::UnixMillis created_at = 0;
};

class MfaStore {
 public:
  virtual ~MfaStore() = default;

  // --- TOTP devices ---------------------------------------------------
  virtual core::Status AddDevice(const TotpDevice& d) = 0;
  // In one transaction: deletes the user's unverified devices created
  // before `unverified_before` (abandoned setups), then adds `d` if the user
  // has fewer than `max_devices` devices left, and returns whether it did.
  // Concurrent calls for one user never take it past max_devices.
  virtual core::Result<bool> AddDeviceWithinLimit(const TotpDevice& d, int max_devices,
                                                  core::UnixMillis unverified_before) = 0;
  // The user's devices, oldest first.
  virtual core::Result<std::vector<TotpDevice>> ListDevices(const core::TenantId& tenant,
                                                            const core::UserId& user) = 0;
  // The user's newest device whose secret_lookup equals `lookup`.
  virtual core::Result<std::optional<TotpDevice>> FindDeviceBySecret(const core::TenantId& tenant,
                                                                     const core::UserId& user,
                                                                     const std::string& lookup) = 0;
  // Sets verified = true (and updated_at); false if no such device.
  virtual core::Result<bool> MarkDeviceVerified(const core::TenantId& tenant,
                                                const core::UserId& user,
                                                const std::string& device_id,
                                                core::UnixMillis at) = 0;
  // Compare-and-set replay guard: iff `step` > the device's last_step, sets
  // last_step = step and last_used_at = at and returns true; otherwise
  // (a replayed or older step, or no such device) changes nothing and
  // returns false. Of two concurrent calls with the same step exactly one
  // gets true.
  virtual core::Result<bool> UseDeviceStep(const core::TenantId& tenant, const core::UserId& user,
                                           const std::string& device_id, std::int64_t step,
                                           core::UnixMillis at) = 0;
  virtual core::Result<bool> DeleteDevice(const core::TenantId& tenant, const core::UserId& user,
                                          const std::string& device_id) = 0;
  virtual core::Result<int> DeleteAllDevices(const core::TenantId& tenant,
                                             const core::UserId& user) = 0;

  // --- recovery codes ---------------------------------------------------
  // In one transaction: deletes the user's unused codes (used ones are kept
  // as history) and inserts `codes`.
  virtual core::Status ReplaceRecoveryCodes(const core::TenantId& tenant, const core::UserId& user,
                                            const std::vector<RecoveryCode>& codes) = 0;
  // Atomically marks the user's unused code with `code_hash` used at `at`;
  // false if there is none (wrong, or already used). Of two concurrent
  // calls with the same code exactly one gets true.
  virtual core::Result<bool> UseRecoveryCode(const core::TenantId& tenant, const core::UserId& user,
                                             const std::string& code_hash, core::UnixMillis at) = 0;
  // How many unused codes the user has.
  virtual core::Result<int> CountUnusedRecoveryCodes(const core::TenantId& tenant,
                                                     const core::UserId& user) = 0;

  // --- trusted devices ------------------------------------------------
  virtual core::Status AddTrustedDevice(const TrustedDevice& d) = 0;
  // If the user has a non-revoked device with `token_hash` expiring after
  // `now`: sets its last_used_at = now and returns true.
  virtual core::Result<bool> UseTrustedDevice(const core::TenantId& tenant,
                                              const core::UserId& user,
                                              const std::string& token_hash,
                                              core::UnixMillis now) = 0;
  // Revokes every trusted device of the user; how many were live.
  virtual core::Result<int> RevokeTrustedDevices(const core::TenantId& tenant,
                                                 const core::UserId& user) = 0;
  // The user's trusted devices, newest first (admin, tests).
  virtual core::Result<std::vector<TrustedDevice>> ListTrustedDevices(const core::TenantId& tenant,
                                                                      const core::UserId& user) = 0;
};

}  // namespace authd::mfa

#endif  // AUTHD_MFA_MFA_STORE_H_
