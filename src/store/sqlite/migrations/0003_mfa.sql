-- 0003_mfa: TOTP devices, recovery codes and trusted devices (mfa::MfaStore).
--
-- Conventions: see 0001_init.sql.

-- No secret is stored in the clear. secret_sealed: the base32 TOTP secret
-- sealed with AES-256-GCM; secret_lookup: HMAC-SHA256 hex of it, to find the
-- device by the secret the client echoes back at enrolment. last_step: the
-- last TOTP time step accepted (-1: none); UseDeviceStep only ever raises it,
-- in one compare-and-set UPDATE, so a code is never accepted twice.
-- tenant_id has no foreign key, as in sessions and otps.
CREATE TABLE mfa_devices (
  id            TEXT PRIMARY KEY NOT NULL,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id     TEXT,
  name          TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  secret_lookup TEXT NOT NULL,
  verified      INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  last_step     INTEGER NOT NULL DEFAULT -1,
  last_used_at  INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;
-- Every query filters on user_id; FindDeviceBySecret also on the lookup.
CREATE INDEX mfa_devices_user_lookup_idx ON mfa_devices (user_id, secret_lookup);

-- code_hash: HMAC-SHA256 hex of the code, never the code. used_at: NULL
-- while the code is unused; UseRecoveryCode sets it in one compare-and-set
-- UPDATE (`used_at IS NULL`), so a code is consumed once. Used codes are
-- kept as history when the set is replaced.
CREATE TABLE mfa_recovery_codes (
  id         TEXT PRIMARY KEY NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT,
  code_hash  TEXT NOT NULL,
  used_at    INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX mfa_recovery_codes_user_hash_idx ON mfa_recovery_codes (user_id, code_hash);

-- A browser the user chose to trust ("remember this device"): it skips the
-- second factor until expires_at. token_hash: HMAC-SHA256 hex of the trust
-- token the browser holds, never the token.
CREATE TABLE mfa_trusted_devices (
  id           TEXT PRIMARY KEY NOT NULL,
  user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id    TEXT,
  token_hash   TEXT NOT NULL,
  user_agent   TEXT NOT NULL DEFAULT '',
  ip_address   TEXT NOT NULL DEFAULT '',
  expires_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX mfa_trusted_devices_user_token_idx
  ON mfa_trusted_devices (user_id, token_hash);
